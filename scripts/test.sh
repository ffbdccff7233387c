#!/usr/bin/env bash
# The whole test suite: formatting and lints, Rust unit and HTTP integration tests (on
# SQLite, then again on PostgreSQL), the official twilio-python / twilio-node clients (their
# suites and the onboarding-guide journeys), every README code block as pasted, transparent
# mode with twilio-python, twilio-node and twilio-cli, a schemathesis run of Twilio's spec,
# and the console in headless Chromium.
# Installs what it needs itself (tests/clients/setup.sh); runs from a fresh clone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings
scripts/deny.sh
cargo build --locked
cargo test --locked
scripts/test-postgres.sh
tests/clients/run.sh
tests/journeys/run.sh
tests/readme/run.sh
tests/proxy/run.sh
tests/schemathesis/run.sh
tests/console/run.sh
