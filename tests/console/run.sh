#!/usr/bin/env bash
# End-to-end tests of the web console: Debian's headless Chromium driven by playwright-core.
#
#   tests/console/run.sh                 # uses <repo>/target/debug/trusthub (cargo build first)
#   TRUSTHUB_BIN=/path/to/trusthub tests/console/run.sh
#
# Starts the server (ephemeral store, manual review, fixed credentials) on a free port and a
# StatusCallback receiver, then runs every *.test.js here with `node --test`. Screenshots of
# each page go to tests/console/output/. Exits 2 if setup fails, 1 if a test fails.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
bin="${TRUSTHUB_BIN:-$ROOT/target/debug/trusthub}"
[[ "$bin" = /* ]] || bin="$PWD/$bin"
if [[ ! -x "$bin" ]]; then
    echo "run.sh: server binary $bin not found (cargo build, or set TRUSTHUB_BIN)" >&2
    exit 2
fi
"$HERE/setup.sh" || { echo "run.sh: setup failed" >&2; exit 2; }

# The server reads TRUSTHUB_* from the environment: start from a clean slate.
for v in $(compgen -e | grep '^TRUSTHUB_' || true); do unset "$v"; done
export TRUSTHUB_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef
export TRUSTHUB_AUTH_TOKEN=0123456789abcdef0123456789abcdef
export TRUSTHUB_ADMIN_TOKEN=console-test-operator-token

work="$(mktemp -d)"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# Waits for the first stdout line of a background process and prints its http:// URL.
first_url() {
    local file="$1" line=""
    for _ in $(seq 1 150); do
        line="$(head -n1 "$file" 2>/dev/null)"
        [[ -n "$line" ]] && break
        sleep 0.1
    done
    grep -o 'http://[0-9.:]*' <<<"$line" | head -n1
}

"$bin" serve --listen 127.0.0.1:0 --review manual --ephemeral >"$work/server.out" 2>"$work/server.err" &
pids+=($!)
node "$HERE/receiver.js" >"$work/receiver.out" 2>&1 &
pids+=($!)

TRUSTHUB_URL="$(first_url "$work/server.out")"
RECEIVER_URL="$(first_url "$work/receiver.out")"
if [[ -z "$TRUSTHUB_URL" || -z "$RECEIVER_URL" ]]; then
    echo "run.sh: the server or the receiver did not start" >&2
    cat "$work/server.err" >&2
    exit 2
fi
export TRUSTHUB_URL RECEIVER_URL
echo "run.sh: server $TRUSTHUB_URL, callback receiver $RECEIVER_URL"

mkdir -p "$HERE/output"
tests=()
for f in "$HERE"/*.test.js; do tests+=("$(basename "$f")"); done
# One file at a time: each drives its own Chromium, and the machine has two cores.
(cd "$HERE" && node --test --test-concurrency=1 "${tests[@]}")
rc=$?
if [[ $rc -ne 0 ]]; then
    echo "run.sh: server log (last 40 lines):" >&2
    tail -n 40 "$work/server.err" >&2
    exit 1
fi
