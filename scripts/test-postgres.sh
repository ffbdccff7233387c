#!/usr/bin/env bash
# Every store-dependent Rust test (api, crash, hostile, isolation, properties, races, startup), the scale-out test (three servers sharing one database),
# then the official-client suites (tests/clients/run.sh), against the PostgreSQL store:
# every test server gets a fresh database of its own on the local PostgreSQL server
# (started here if it is not up).
# TRUSTHUB_TEST_POSTGRES names the server (default postgres://postgres@127.0.0.1:5432);
# extra arguments go to `cargo test` (e.g. a test name filter); TRUSTHUB_TEST_CLIENTS=0
# skips the client suites. All run; the script fails if any fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export TRUSTHUB_TEST_POSTGRES="${TRUSTHUB_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432}"
# Where to create and drop the test databases: the URL's database, else `postgres`.
if [[ "${TRUSTHUB_TEST_POSTGRES#*://}" == */?* ]]; then
    admin_url="$TRUSTHUB_TEST_POSTGRES"
else
    admin_url="${TRUSTHUB_TEST_POSTGRES%/}/postgres"
fi

if ! pg_isready -q -d "$admin_url"; then
    echo "PostgreSQL is not up: starting it"
    for version in $(ls /etc/postgresql); do
        pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
    for _ in $(seq 1 60); do
        pg_isready -q -d "$admin_url" && break
        sleep 0.5
    done
    pg_isready -d "$admin_url"
fi

# Drops the databases of test processes that are gone (a test that restarts a server
# keeps its database until then). Databases of test runs still going are left alone.
sweep() {
    psql "$admin_url" -X -q -A -t -c "SELECT datname FROM pg_database WHERE datname LIKE 'th\_%'" |
        while read -r name; do
            pid="$(cut -d_ -f2 <<<"$name")"
            if [[ "$pid" =~ ^[0-9]+$ ]] && [[ ! -e "/proc/$pid" ]]; then
                psql "$admin_url" -X -q -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)"
            fi
        done
}
trap sweep EXIT

# The client suites run the binary that cargo test builds (target/debug/trusthub).
cargo build --locked

start=$(date +%s)
rust_rc=0
cargo test --locked --test api --test crash --test hostile --test isolation --test properties --test races --test startup "$@" || rust_rc=$?
echo "PostgreSQL integration suite: $(($(date +%s) - start)) s (exit $rust_rc)"

# Scale-out: three servers on one database (tests/scaleout.rs; ignored on SQLite, so
# it runs only here).
start=$(date +%s)
scaleout_rc=0
cargo test --locked --test scaleout "$@" -- --include-ignored || scaleout_rc=$?
echo "PostgreSQL scale-out test: $(($(date +%s) - start)) s (exit $scaleout_rc)"
rust_rc=$((rust_rc != 0 ? rust_rc : scaleout_rc))

clients_rc=0
if [[ "${TRUSTHUB_TEST_CLIENTS:-1}" != 0 ]]; then
    start=$(date +%s)
    TRUSTHUB_BIN="$PWD/target/debug/trusthub" tests/clients/run.sh || clients_rc=$?
    echo "PostgreSQL client suites: $(($(date +%s) - start)) s (exit $clients_rc)"
    start=$(date +%s)
    journeys_rc=0
    TRUSTHUB_BIN="$PWD/target/debug/trusthub" tests/journeys/run.sh || journeys_rc=$?
    echo "PostgreSQL journeys: $(($(date +%s) - start)) s (exit $journeys_rc)"
    clients_rc=$((clients_rc != 0 ? clients_rc : journeys_rc))
fi

# cargo test's status if it failed, else run.sh's.
exit $((rust_rc != 0 ? rust_rc : clients_rc))
