#!/usr/bin/env bash
# Installs what the client wire-compatibility tests need, and nothing by hand:
#   tests/clients/.venv            python venv with requirements.txt (twilio 9.x, pytest, jsonschema)
#   tests/clients/node/node_modules  npm ci from package-lock.json (twilio 6.x, ajv)
# Idempotent: each half is skipped when a stamp records that the same
# requirements / lockfile were already installed.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv"
NODE_DIR="$HERE/node"

hash_of() { sha256sum "$@" | sha256sum | cut -d' ' -f1; }

# ---- python ------------------------------------------------------------------
PY="${PYTHON:-python3}"
py_want="$(hash_of "$HERE/requirements.txt")-$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
py_stamp="$VENV/.setup-stamp"
if [[ -x "$VENV/bin/python" && -f "$py_stamp" && "$(cat "$py_stamp")" == "$py_want" ]]; then
    echo "setup.sh: python venv up to date"
else
    echo "setup.sh: creating $VENV and installing requirements.txt"
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"
    echo "$py_want" > "$py_stamp"
fi

# ---- node --------------------------------------------------------------------
node_stamp="$NODE_DIR/node_modules/.setup-stamp"
if [[ -f "$NODE_DIR/package-lock.json" ]]; then
    node_want="$(hash_of "$NODE_DIR/package.json" "$NODE_DIR/package-lock.json")"
    if [[ -d "$NODE_DIR/node_modules" && -f "$node_stamp" && "$(cat "$node_stamp")" == "$node_want" ]]; then
        echo "setup.sh: node_modules up to date"
    else
        echo "setup.sh: npm ci in $NODE_DIR"
        (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error)
        echo "$node_want" > "$node_stamp"
    fi
else
    echo "setup.sh: no package-lock.json yet, npm install in $NODE_DIR"
    (cd "$NODE_DIR" && npm install --no-audit --no-fund --loglevel=error)
    node_want="$(hash_of "$NODE_DIR/package.json" "$NODE_DIR/package-lock.json")"
    echo "$node_want" > "$node_stamp"
fi
