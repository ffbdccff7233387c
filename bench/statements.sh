#!/usr/bin/env bash
# Store round trips per evaluate, on SQLite and (with PostgreSQL up) PostgreSQL: runs the
# test that counts them (`trusthub_store_statements_total` around 20 evaluations of the
# benchmark's complete Secondary profile) and prints its figure. Seconds, not minutes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
filter=an_evaluation_takes_few_store_round_trips
cargo test --locked --test api "$filter" -- --nocapture 2>&1 | grep -E "store statements per evaluate|test result"
if pg_isready -q -h 127.0.0.1; then
    TRUSTHUB_TEST_POSTGRES="${TRUSTHUB_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432}" \
        cargo test --locked --test api "$filter" -- --nocapture 2>&1 |
        grep -E "store statements per evaluate|test result"
fi
