#!/usr/bin/env bash
# Profiles the server under one benchmark's load with perf (cpu-clock sampling, frame
# pointers): bench/profile.sh fetch|create|evaluate|list|list_deep
# Builds a frame-pointer release binary into bench/.target-prof (once; a full build),
# installs linux-perf with apt-get if perf is missing, writes bench/.profiles/NAME.data.
# BENCH_ROWS (default 1000000) sizes the list stores; BENCH_DURATION the sampled run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if ! command -v perf >/dev/null; then
  say "installing linux-perf with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >/dev/null
fi
if [[ -z "${BENCH_SKIP_BUILD:-}" ]]; then
  say "cargo build --release with frame pointers (bench/.target-prof)"
  (cd "$ROOT" && RUSTFLAGS="-C force-frame-pointers=yes" \
    CARGO_PROFILE_RELEASE_DEBUG=line-tables-only CARGO_PROFILE_RELEASE_STRIP=none \
    CARGO_TARGET_DIR="$BENCH/.target-prof" cargo build --release --quiet --bin trusthub)
fi
bench_loadgen
export BENCH_SERVER_BIN="${BENCH_SERVER_BIN:-$BENCH/.target-prof/release/trusthub}"
cd "$BENCH" && exec python3 "$BENCH/profile.py" "$@"
