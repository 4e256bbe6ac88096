"""The rooms stay apart: the Hub client, the store and the simulated Hub never load Textual."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = "import sys, {}; print(sorted(m for m in sys.modules if m.startswith('textual')))"


@pytest.mark.parametrize("module", ["jobtui.hub", "jobtui.store", "jobtui.sim", "jobtui.cli"])
def test_module_does_not_import_textual(module: str) -> None:
    command = [sys.executable, "-c", PROBE.format(module)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
