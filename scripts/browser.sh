#!/usr/bin/env bash
# For the web-page tests: Debian's headless Chromium (driven by Playwright via executable_path) and
# axe-core from npm (the accessibility checker, injected into the page by the tests; nothing is fetched by the page).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "installing Debian chromium for the browser tests"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
if [ ! -f .cache/npm/node_modules/axe-core/axe.min.js ]; then
  command -v npm >/dev/null 2>&1 || { echo "error: npm is needed for axe-core (the accessibility tests)" >&2; exit 1; }
  npm install --no-save --no-audit --no-fund --silent --prefix .cache/npm "axe-core@4" >/dev/null
fi
