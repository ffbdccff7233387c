#!/usr/bin/env bash
# Dependency guardrails: `cargo deny check bans licenses sources` (deny.toml says what is
# allowed). Installs cargo-deny from crates.io into the ignored .tools/ folder once (a few
# minutes); later runs take seconds and need no network.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ ! -x .tools/bin/cargo-deny ]]; then
  echo "== cargo install cargo-deny --locked --root .tools (once)"
  cargo install cargo-deny --locked --quiet --root .tools
fi
exec .tools/bin/cargo-deny check bans licenses sources
