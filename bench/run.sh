#!/usr/bin/env bash
# The TrustHub benchmark, one command: builds the server (release) and the static "ceiling"
# server (bench/ceiling), installs a load generator if none is there, then runs
# bench/bench.py, which prints a results table per store (SQLite, and PostgreSQL on
# BENCH_POSTGRES, default postgres://postgres@127.0.0.1:5432), the stores side by side, and
# writes bench/results.json.
# About 2 minutes once built.
#
#   bench/run.sh                                     # everything
#   BENCH_DURATION=5 bench/run.sh                    # shorter runs
#   BENCH_ONLY=api,ceiling bench/run.sh              # phases: startup, api, ceiling, list
#   BENCH_SERVER_ARGS="--request-log 0" bench/run.sh # extra `trusthub serve` flags
#   BENCH_LOADGEN=oha bench/run.sh                   # oha instead of wrk
#   BENCH_STORES=sqlite bench/run.sh                 # one store (default sqlite,postgres)
# bench/bench.py lists every variable.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ -z "${BENCH_SKIP_BUILD:-}" ]]; then
  say "cargo build --release (server)"
  (cd "$ROOT" && cargo build --release --quiet --bin trusthub)
  say "cargo build --release (bench/ceiling)"
  (cd "$BENCH/ceiling" && cargo build --release --quiet)
fi
bench_loadgen
exec python3 "$BENCH/bench.py"
