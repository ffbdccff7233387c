#!/usr/bin/env bash
# Runs every code block of README.md as pasted, against the real server (tests/readme/run.py
# says how). Uses the client tests' venv (twilio-python 9.x) and node_modules (twilio-node
# 6.x), installed by tests/clients/setup.sh.
#
#   cargo build && tests/readme/run.sh         # uses <repo>/target/debug/trusthub
#   TRUSTHUB_BIN=/path/to/trusthub tests/readme/run.sh
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
bin="${TRUSTHUB_BIN:-$ROOT/target/debug/trusthub}"
[[ "$bin" = /* ]] || bin="$PWD/$bin"
if [[ ! -x "$bin" ]]; then
    echo "run.sh: server binary $bin not found (cargo build, or set TRUSTHUB_BIN)" >&2
    exit 2
fi
"$ROOT/tests/clients/setup.sh" >/dev/null || { echo "run.sh: client setup failed" >&2; exit 2; }
unset TWILIO_EDGE TWILIO_REGION
exec "$ROOT/tests/clients/.venv/bin/python" "$HERE/run.py" "$ROOT/README.md" "$bin" \
    "$ROOT/tests/clients/.venv/bin/python" "$ROOT/tests/clients/node/node_modules"
