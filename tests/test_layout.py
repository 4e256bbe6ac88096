"""The rooms stay apart: the Hub client, the monitor and the simulated Hub never load
Textual, and the monitor never loads the simulator."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = "import sys, {}; print(sorted(m for m in sys.modules if m.startswith('textual')))"


@pytest.mark.unit
@pytest.mark.parametrize("module", ["jobtui.hub", "jobtui.monitor", "jobtui.sim", "jobtui.cli"])
def test_module_does_not_import_textual(module: str) -> None:
    command = [sys.executable, "-c", PROBE.format(module)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# Starts the real monitor on a Hub that is not there (so it sits offline), lets it draw for
# a moment, quits, and prints which of the simulator's modules were ever loaded.
STARTUP = """
import json, sys
from jobtui import cli
from jobtui.ui.app import JobsApp

async def auto_pilot(pilot):
    await pilot.pause(0.5)
    await pilot.press("q")

real_run = JobsApp.run
JobsApp.run = lambda self, **kw: real_run(self, headless=True, auto_pilot=auto_pilot)
code = cli.main(["--endpoint", "http://127.0.0.1:9", "--token", "hf_x", "--interval", "60"])
heavy = ("jobtui.sim", "uvicorn", "starlette")
print(json.dumps([m for m in sys.modules if m.startswith(heavy)]))
"""


def test_the_monitor_starts_without_the_simulator() -> None:
    """`jobtui` (no `sim`, no `--demo`) never imports the simulator, uvicorn or starlette:
    they cost about 120 ms before the first frame."""
    result = subprocess.run(
        [sys.executable, "-c", STARTUP], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
