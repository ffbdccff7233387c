#!/usr/bin/env bash
# Property-based run of Twilio's own OpenAPI spec (openapi/twilio_trusthub_v1.json)
# against the server, with valid credentials (issue 8): zero server errors and zero
# response-schema violations.
#
#   cargo build && tests/schemathesis/run.sh         # uses <repo>/target/debug/trusthub
#   TRUSTHUB_BIN=/path/to/trusthub tests/schemathesis/run.sh
#   tests/schemathesis/run.sh --report junit         # extra args go to `schemathesis run`
#
# Works from any cwd. Creates tests/schemathesis/.venv from requirements.txt (skipped
# when a stamp says it is up to date), starts `trusthub serve --ephemeral` on a
# kernel-picked port (read from the first stdout line) with fixed credentials and the
# same --seed as schemathesis (so the fixtures' SIDs, and thus the whole run, repeat
# from one run to the next), seeds it
# through the public API (fixtures.py: profiles, trust products, end users, documents,
# numbers, assignments, evaluations) and writes a schemathesis config binding each
# operation's path parameters and its SID-, type- and policy-valued form/query
# parameters to those real values (probability 0.8-0.9; random values are still
# generated the rest of the time). Without that, nearly every generated SID is unknown
# and the run would only ever see 404s. Then runs schemathesis (all phases: examples,
# coverage, fuzzing, stateful; positive and negative data) with a fixed seed and a
# bounded number of examples per operation, and stops the server.
# Exits 2 if setup, the server start or the fixtures fail; schemathesis' exit code
# otherwise (non-zero on any failure).
#
# Knobs: SCHEMATHESIS_MAX_EXAMPLES (default 25), SCHEMATHESIS_SEED (default 20240101),
# SCHEMATHESIS_WORKERS (default 1: with 4 workers on CPython 3.11.7, hypothesis'
# concurrent ast.parse calls hit a CPython thread-safety bug, "SystemError: AST
# constructor recursion depth mismatch", which schemathesis reports as a runtime error;
# one worker runs everything in about 30 s anyway).
#
# What is checked, and why only that:
#   * not_a_server_error: no 5xx, whatever the input (valid or not).
#   * response_schema_conformance: every documented response (200/201; 204 has no body)
#     matches the spec's schema: every listed property present, right types, enums,
#     formats, nullability as the spec declares.
#   * content_type_conformance: documented responses are application/json.
#   * twilio_response_shape (hooks.py): what JSON Schema alone cannot say for Twilio's
#     spec, as the client tests' validators check it: every listed property present
#     (the spec has no `required` lists), dates exactly 2019-07-30T22:29:24Z, URIs
#     absolute.
#   * use_after_free / ensure_resource_availability (stateful phase, over the links
#     schemathesis infers): a deleted resource is gone, a created one can be fetched.
#   Not status_code_conformance: the spec documents only the success status of each
#   operation (no 4xx at all), so every correct refusal of an invalid input (400 with
#   Twilio's error body, 404 for an unknown SID, 409 for a duplicate assignment, ...)
#   would count as a failure. Those refusals are Twilio's behaviour, checked by
#   tests/api and tests/clients instead. For the same reason 4xx bodies are not
#   schema-checked here (the spec has no schema for them; schemathesis only validates
#   bodies of statuses the spec lists).
#   Not negative_data_rejection / positive_data_acceptance: the spec's parameter
#   schemas are looser and stricter than Twilio in places. "Positive" inputs are
#   refused by Twilio too (unknown PolicySid/Type/ObjectSid, an Email that is not an
#   address, Attributes that are not a JSON object, Status together with other
#   properties), and the server accepts some "negative" ones as Twilio does (unknown
#   extra parameters, PageSize over 1000 is clamped, a malformed PolicySid filter
#   matches nothing).
#
# Every operation of the spec is run (all 53, ComplianceInquiries included). A second pass
# runs the Messaging v1 spec's Services, Services/{ServiceSid}/PhoneNumbers and A2P campaign
# operations the same way, with their own fixtures.
#
# The WARNINGS block schemathesis prints ("Schema validation mismatch: N operations
# mostly rejected generated data") is expected and not a failure: the spec's form
# schemas allow any string for SIDs, policy SIDs, types, emails and Attributes, so most
# generated creates and updates are refused with a Twilio 400, as Twilio refuses them.
# run.sh says so after the run.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="$HERE/.venv"
SPEC="$ROOT/openapi/twilio_trusthub_v1.json"
SPEC_MESSAGING="$ROOT/openapi/twilio_messaging_v1.json"

# Fixed, not secret: the ephemeral server exists only for this run.
ACCOUNT_SID="AC5c4e3a7e5c4e3a7e5c4e3a7e5c4e3a7e"
AUTH_TOKEN="5c4e3a7e5c4e3a7e5c4e3a7e5c4e3a7e"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-25}"
SEED="${SCHEMATHESIS_SEED:-20240101}"
WORKERS="${SCHEMATHESIS_WORKERS:-1}"

bin="${TRUSTHUB_BIN:-$ROOT/target/debug/trusthub}"
[[ "$bin" = /* ]] || bin="$PWD/$bin"
if [[ ! -x "$bin" ]]; then
    echo "run.sh: server binary $bin not found or not executable (cargo build, or set TRUSTHUB_BIN)" >&2
    exit 2
fi

# ---- venv (idempotent) --------------------------------------------------------
PY="${PYTHON:-python3}"
want="$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)-$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" || exit 2
stamp="$VENV/.setup-stamp"
if [[ -x "$VENV/bin/schemathesis" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "run.sh: schemathesis venv up to date"
else
    echo "run.sh: creating $VENV and installing requirements.txt"
    rm -rf "$VENV"
    "$PY" -m venv "$VENV" || exit 2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$HERE/requirements.txt" || exit 2
    echo "$want" > "$stamp"
fi

# ---- server -------------------------------------------------------------------
workdir="$(mktemp -d "${TMPDIR:-/tmp}/trusthub-schemathesis.XXXXXX")"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null
        for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

env -u TWILIO_EDGE -u TWILIO_REGION \
    TRUSTHUB_ACCOUNT_SID="$ACCOUNT_SID" TRUSTHUB_AUTH_TOKEN="$AUTH_TOKEN" \
    TRUSTHUB_ADMIN_TOKEN="schemathesis-operator-token" \
    "$bin" serve --ephemeral --seed "$SEED" --listen 127.0.0.1:0 \
    >"$workdir/stdout" 2>"$workdir/stderr" </dev/null &
server_pid=$!

# The first stdout line names the port the kernel picked:
#   TrustHub listening on http://127.0.0.1:PORT (public URL ...)
base=""
for _ in $(seq 1 600); do
    if line="$(head -n 1 "$workdir/stdout" 2>/dev/null)" && [[ "$line" =~ listening\ on\ (http://127\.0\.0\.1:[0-9]+) ]]; then
        base="${BASH_REMATCH[1]}"
        break
    fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
healthy=""
if [[ -n "$base" ]]; then
    for _ in $(seq 1 300); do
        if "$VENV/bin/python" -c 'import sys, urllib.request; sys.exit(urllib.request.urlopen(sys.argv[1] + "/healthz", timeout=2).status != 200)' "$base" 2>/dev/null; then
            healthy=1
            break
        fi
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
fi
if [[ -z "$healthy" ]]; then
    echo "run.sh: trusthub server did not become healthy (base '${base}'); output:" >&2
    cat "$workdir/stdout" "$workdir/stderr" >&2
    exit 2
fi
echo "run.sh: server at $base (pid $server_pid); $MAX_EXAMPLES examples per operation, seed $SEED"

# ---- one pass: fixtures (real objects whose SIDs the generated requests use), then
# schemathesis over one spec. one_pass NAME SPEC [schemathesis run options...]; its exit code.
one_pass() {
    local name="$1" spec="$2"
    shift 2
    "$VENV/bin/python" "$HERE/fixtures.py" "$base" "$ACCOUNT_SID" "$AUTH_TOKEN" "$spec" "$workdir/$name.toml" || {
        echo "run.sh: fixtures.py ($name) failed; server output:" >&2
        cat "$workdir/stderr" >&2
        exit 2
    }
    local start=$SECONDS rc=0
    TRUSTHUB_SCHEMATHESIS_SPEC="$spec" SCHEMATHESIS_HOOKS="$HERE/hooks.py" \
        "$VENV/bin/schemathesis" --config-file "$workdir/$name.toml" run "$spec" \
        --url "$base" \
        --auth "$ACCOUNT_SID:$AUTH_TOKEN" \
        --checks not_a_server_error,response_schema_conformance,content_type_conformance,twilio_response_shape,use_after_free,ensure_resource_availability \
        --max-examples "$MAX_EXAMPLES" \
        --seed "$SEED" \
        --workers "$WORKERS" \
        --request-timeout 10 \
        --generation-database none \
        --no-color \
        "$@" || rc=$?
    echo "run.sh: schemathesis ($name) exit $rc after $((SECONDS - start)) s"
    return $rc
}

rc=0
one_pass trusthub "$SPEC" "$@" || rc=$?
# The Messaging pass: the Services, PhoneNumbers, A2P campaign (Compliance/Usa2p, its
# Usecases, Services/Usecases) and Tollfree/Verifications operations of Messaging v1 (the
# ones of Twilio's Messaging spec this pass covers; the others are excluded).
messaging_rc=0
one_pass messaging "$SPEC_MESSAGING" \
    --include-path-regex '^/v1/(Services(/Usecases|/\{[A-Za-z]+\}(/PhoneNumbers(/\{Sid\})?|/Compliance/Usa2p(/Usecases|/\{Sid\})?)?)?|Tollfree/Verifications(/\{Sid\})?)$' "$@" || messaging_rc=$?
[[ $rc -ne 0 ]] || rc=$messaging_rc
echo "run.sh: a \"Schema validation mismatch\" warning above is expected, not a failure: the"
echo "        spec's form schemas accept any string for SIDs, types, emails and Attributes,"
echo "        so most generated creates/updates get Twilio's 400, as on Twilio. Failures"
echo "        are listed under FAILURES and make the exit code non-zero."
if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "run.sh: the server died during the run; its stderr:" >&2
    tail -n 50 "$workdir/stderr" >&2
    [[ $rc -ne 0 ]] || rc=1
fi
exit $rc
