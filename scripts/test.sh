#!/usr/bin/env bash
# Install jobtui with its test extras into .venv (if needed), then lint and run the tests.
# Extra arguments go to pytest, e.g. scripts/test.sh -k client
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
.venv/bin/ruff check jobtui tests benchmarks scripts
.venv/bin/ruff format --check jobtui tests benchmarks scripts
.venv/bin/mypy
.venv/bin/lint-imports --no-cache
.venv/bin/python -m pytest "$@"
