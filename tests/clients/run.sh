#!/usr/bin/env bash
# Wire-compatibility tests: drive our trusthub server with the official Twilio
# helper libraries (twilio-python 9.x under pytest, twilio-node 6.x under node --test).
#
#   tests/clients/run.sh                 # uses <repo>/target/debug/trusthub
#   TRUSTHUB_BIN=/path/to/trusthub tests/clients/run.sh
#
# Works from any cwd. Runs every python/test_*.py and node/*.test.js. Each test
# module/file starts its own server on a kernel-picked 127.0.0.1 port with a fresh
# temp database. Exits 2 if setup fails, 1 if either suite fails, 0 otherwise.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

bin="${TRUSTHUB_BIN:-$ROOT/target/debug/trusthub}"
[[ "$bin" = /* ]] || bin="$PWD/$bin"
export TRUSTHUB_BIN="$bin"
unset TWILIO_EDGE TWILIO_REGION

if [[ ! -x "$TRUSTHUB_BIN" ]]; then
    echo "run.sh: server binary $TRUSTHUB_BIN not found or not executable (cargo build, or set TRUSTHUB_BIN)" >&2
    exit 2
fi

"$HERE/setup.sh" || { echo "run.sh: setup failed" >&2; exit 2; }

# Self-test of both validators: Twilio's own example responses must pass them.
"$HERE/.venv/bin/python" "$HERE/python/openapi_check.py" || { echo "run.sh: python validator self-test failed" >&2; exit 2; }
node "$HERE/node/openapi_check.js" || { echo "run.sh: node validator self-test failed" >&2; exit 2; }

echo "== python (twilio-python) =="
(cd "$HERE/python" && "$HERE/.venv/bin/python" -m pytest -p no:cacheprovider -q "$HERE/python")
py_rc=$?

echo "== node (twilio-node) =="
# Every *.test.js file in node/ (node --test runs them in parallel, one process each).
node_tests=()
for f in "$HERE"/node/*.test.js; do
    [[ -e "$f" ]] && node_tests+=("$(basename "$f")")
done
if [[ ${#node_tests[@]} -eq 0 ]]; then
    echo "run.sh: no *.test.js files in $HERE/node" >&2
    node_rc=1
else
    (cd "$HERE/node" && node --test "${node_tests[@]}")
    node_rc=$?
fi

echo "run.sh: python exit $py_rc, node exit $node_rc"
if [[ $py_rc -ne 0 || $node_rc -ne 0 ]]; then
    exit 1
fi
