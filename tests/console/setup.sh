#!/usr/bin/env bash
# Installs what the console tests need, and nothing by hand:
#   Debian's chromium (/usr/bin/chromium), never a downloaded browser build;
#   tests/console/node_modules from package-lock.json (playwright-core only).
# Idempotent: npm ci is skipped when a stamp records the same lockfile.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ ! -x /usr/bin/chromium ]]; then
    echo "setup.sh: installing Debian's chromium"
    if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

hash_of() { sha256sum "$@" | sha256sum | cut -d' ' -f1; }
stamp="$HERE/node_modules/.setup-stamp"
want="$(hash_of "$HERE/package.json" "$HERE/package-lock.json")"
if [[ -d "$HERE/node_modules" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "setup.sh: node_modules up to date"
else
    echo "setup.sh: npm ci in $HERE"
    # The browser comes from Debian: playwright-core never downloads one, but be explicit.
    (cd "$HERE" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
fi
