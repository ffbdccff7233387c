#!/usr/bin/env bash
# Transparent mode with unmodified programs (issue 17): for each of twilio-python
# (flow.py), twilio-node (flow.js), twilio-cli (cli.sh) and Twilio's MCP server (mcp.py),
# starts
# `trusthub serve --proxy-listen 127.0.0.1:0` (ephemeral store, automatic review, CA in a
# scratch directory), takes the `export …` lines it prints — exactly what a user pastes —
# and runs the program's seed 001 flow with those variables and the account's
# TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN, and no base-URL setting anywhere.
#
#   cargo build && tests/proxy/run.sh        # uses <repo>/target/debug/trusthub
#
# Installs the client libraries with tests/clients/setup.sh, and twilio-cli and the MCP
# server with `npm ci` in tests/proxy/cli/ and tests/proxy/mcp/. Exits 2 if setup fails,
# 1 if a flow fails.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
bin="${TRUSTHUB_BIN:-$ROOT/target/debug/trusthub}"
[[ "$bin" = /* ]] || bin="$PWD/$bin"
[[ -x "$bin" ]] || { echo "run.sh: server binary $bin not found (cargo build)" >&2; exit 2; }

"$ROOT/tests/clients/setup.sh" >/dev/null || { echo "run.sh: client setup failed" >&2; exit 2; }
for dir in cli mcp; do
    stamp="$HERE/$dir/node_modules/.setup-stamp"
    want="$(sha256sum "$HERE/$dir/package-lock.json" | cut -d' ' -f1)"
    if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
        echo "run.sh: npm ci in tests/proxy/$dir"
        (cd "$HERE/$dir" && npm ci --no-audit --no-fund --loglevel=error) || { echo "run.sh: npm ci in $dir failed" >&2; exit 2; }
        echo "$want" >"$stamp"
    fi
done

export TWILIO_ACCOUNT_SID=AC7a1b2c3d4e5f60718293a4b5c6d7e8f9
export TWILIO_AUTH_TOKEN=7a1b2c3d4e5f60718293a4b5c6d7e8f9
export TRUSTHUB_ADMIN_TOKEN=proxy-test-operator-token
unset TWILIO_EDGE TWILIO_REGION

# Runs "$@" with the environment a fresh transparent-mode server prints.
with_proxy() {
    local work pid rc=0
    work="$(mktemp -d)"
    env -u TRUSTHUB_ACCOUNT_SID -u TRUSTHUB_AUTH_TOKEN \
        TRUSTHUB_ACCOUNT_SID="$TWILIO_ACCOUNT_SID" TRUSTHUB_AUTH_TOKEN="$TWILIO_AUTH_TOKEN" \
        "$bin" serve --ephemeral --listen 127.0.0.1:0 --review auto --review-delay 0 \
        --proxy-listen 127.0.0.1:0 --proxy-ca-dir "$work/ca" >"$work/out" 2>"$work/err" &
    pid=$!
    for _ in $(seq 1 100); do
        grep -q '^Review:' "$work/out" 2>/dev/null && break
        sleep 0.1
    done
    if ! grep -q '^Review:' "$work/out"; then
        echo "run.sh: the server did not start:" >&2
        cat "$work/out" "$work/err" >&2
        kill "$pid" 2>/dev/null
        rm -rf "$work"
        return 2
    fi
    (
        # The lines the server told the user to paste, as printed.
        eval "$(sed -n 's/^  export /export /p' "$work/out")"
        export TRUSTHUB_URL="$(head -n 1 "$work/out" | grep -o 'http://[0-9.:]*' | head -n 1)"
        "$@"
    ) || rc=$?
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rm -rf "$work"
    return $rc
}

py_rc=0; node_rc=0; cli_rc=0; mcp_rc=0
echo "== twilio-python through the proxy =="
with_proxy "$ROOT/tests/clients/.venv/bin/python" "$HERE/flow.py" || py_rc=$?
echo "== twilio-node through the proxy =="
NODE_PATH="$ROOT/tests/clients/node/node_modules" with_proxy node "$HERE/flow.js" || node_rc=$?
echo "== twilio-cli through the proxy =="
with_proxy "$HERE/cli.sh" || cli_rc=$?
echo "== Twilio's MCP server (@twilio-alpha/mcp) through the proxy =="
with_proxy "$ROOT/tests/clients/.venv/bin/python" "$HERE/mcp.py" || mcp_rc=$?
echo "run.sh: python exit $py_rc, node exit $node_rc, twilio-cli exit $cli_rc, mcp exit $mcp_rc"
[[ $py_rc -eq 0 && $node_rc -eq 0 && $cli_rc -eq 0 && $mcp_rc -eq 0 ]]
