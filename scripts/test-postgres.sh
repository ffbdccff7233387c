#!/usr/bin/env bash
# The HTTP integration suite against the PostgreSQL store: every test server gets a fresh
# database of its own on the local PostgreSQL server (started here if it is not up).
# TRUSTHUB_TEST_POSTGRES names the server (default postgres://postgres@127.0.0.1:5432);
# extra arguments go to `cargo test` (e.g. a test name filter).
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

start=$(date +%s)
cargo test --locked --test api "$@"
echo "PostgreSQL integration suite: $(($(date +%s) - start)) s"
