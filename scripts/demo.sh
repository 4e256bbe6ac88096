#!/usr/bin/env bash
# Install jobtui into .venv (if needed) and open the demo: a simulated Hub with live jobs.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
exec .venv/bin/jobtui --demo "$@"
