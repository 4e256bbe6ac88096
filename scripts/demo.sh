#!/usr/bin/env bash
# Install jobtui into .venv (only when pyproject.toml changed since the last install) and
# open the demo: a simulated Hub with live jobs. Extra arguments go to jobtui.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.venv/.jobtui-installed
wanted="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [[ ! -x .venv/bin/jobtui || ! -f $stamp || "$(cat "$stamp")" != "$wanted" ]]; then
    python3 -m venv .venv
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
    echo "$wanted" > "$stamp"
fi
exec .venv/bin/jobtui --demo "$@"
