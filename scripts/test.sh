#!/usr/bin/env bash
# Run every check (installs what is missing first): lint, import contracts, types, then the tests.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-demo
bash scripts/browser.sh
echo "ruff (lint)"; .venv/bin/ruff check .
echo "import-linter (layers, no cycles)"; .venv/bin/lint-imports --no-cache
echo "mypy (types)"; .venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
