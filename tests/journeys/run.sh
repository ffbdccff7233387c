#!/usr/bin/env bash
# Journey tests: each of Twilio's TrustHub onboarding guides, call by call, through the
# official twilio-python (pytest, python/test_*.py) and twilio-node (node --test,
# node/*.test.js), on top of the tests/clients harness (its setup.sh installs both).
#
#   tests/journeys/run.sh                       # uses <repo>/target/debug/trusthub
#   TRUSTHUB_BIN=/path/to/trusthub tests/journeys/run.sh
#   TRUSTHUB_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432 tests/journeys/run.sh
#   tests/journeys/run.sh python/test_cnam_direct.py node/cnam_direct.test.js   # some files only
#
# Exits 2 if setup fails, 1 if either suite fails, 0 otherwise.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CLIENTS="$ROOT/tests/clients"

bin="${TRUSTHUB_BIN:-$ROOT/target/debug/trusthub}"
[[ "$bin" = /* ]] || bin="$PWD/$bin"
export TRUSTHUB_BIN="$bin"
unset TWILIO_EDGE TWILIO_REGION

if [[ ! -x "$TRUSTHUB_BIN" ]]; then
    echo "run.sh: server binary $TRUSTHUB_BIN not found or not executable (cargo build, or set TRUSTHUB_BIN)" >&2
    exit 2
fi

"$CLIENTS/setup.sh" || { echo "run.sh: setup failed" >&2; exit 2; }
# `twilio` and `ajv` for node/*.js resolve from the client tests' node_modules.
export NODE_PATH="$CLIENTS/node/node_modules${NODE_PATH:+:$NODE_PATH}"

py_files=() node_files=()
for arg in "$@"; do
    case "$arg" in
        python/*|*.py) py_files+=("$HERE/python/$(basename "$arg")") ;;
        node/*|*.js) node_files+=("$(basename "$arg")") ;;
        *) echo "run.sh: not a journey test file: $arg" >&2; exit 2 ;;
    esac
done
if [[ $# -eq 0 ]]; then
    py_files=("$HERE/python")
    for f in "$HERE"/node/*.test.js; do
        [[ -e "$f" ]] && node_files+=("$(basename "$f")")
    done
fi

py_rc=0 node_rc=0
if [[ ${#py_files[@]} -gt 0 ]]; then
    echo "== python (twilio-python) =="
    (cd "$HERE/python" && "$CLIENTS/.venv/bin/python" -m pytest -p no:cacheprovider -q "${py_files[@]}")
    py_rc=$?
fi
if [[ ${#node_files[@]} -gt 0 ]]; then
    echo "== node (twilio-node) =="
    # One file at a time: each starts its own server, and the machine is small.
    (cd "$HERE/node" && node --test --test-concurrency=1 "${node_files[@]}")
    node_rc=$?
elif [[ $# -eq 0 ]]; then
    echo "run.sh: no *.test.js files in $HERE/node" >&2
    node_rc=1
fi

echo "run.sh: python exit $py_rc, node exit $node_rc"
[[ $py_rc -eq 0 && $node_rc -eq 0 ]] || exit 1
