"""The `jobtui` command line: clear one-line errors, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jobtui import __version__


def jobtui(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING_FACE"))}
    clean.update(HF_HOME=str(home), **env)
    return subprocess.run(
        [sys.executable, "-m", "jobtui", *args],
        capture_output=True,
        text=True,
        env=clean,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--interval", "0"], "--interval: must be more than 0 seconds"),
        (["--interval", "-3"], "--interval: must be more than 0 seconds"),
        (["--interval", "0.01"], "--interval: must be 2 seconds or more (faster polling spends"),
        (["--interval", "inf"], "--interval: must be a finite number of seconds, not inf"),
        (["--namespace", " "], "--namespace: must not be empty"),
        (["--interval", "soon"], "--interval: not a number"),
        (["--log-lines", "0"], "--log-lines: must be 1 or more"),
        (["--endpoint", "huggingface.co"], "not an http(s) URL"),
        (["--endpoint", "http://"], "not an http(s) URL"),
        (["--demo", "--token", "x"], "--demo runs its own simulated Hub"),
        (["sim", "--port", "70000"], "--port: must be from 0 to 65535"),
    ],
)
def test_bad_flags_get_one_clear_line_and_exit_2(
    tmp_path: Path, args: list[str], complaint: str
) -> None:
    result = jobtui(*args, home=tmp_path)
    assert result.returncode == 2
    assert complaint in result.stderr
    assert "Traceback" not in result.stderr


def test_no_token_says_how_to_log_in_and_about_the_demo(tmp_path: Path) -> None:
    result = jobtui(home=tmp_path)
    assert result.returncode == 1
    assert "hf auth login" in result.stderr and "HF_TOKEN" in result.stderr
    assert "jobtui --demo" in result.stderr
    assert "Traceback" not in result.stderr


def test_version_and_help(tmp_path: Path) -> None:
    assert jobtui("--version", home=tmp_path).stdout.strip() == f"jobtui {__version__}"
    help_text = jobtui("--help", home=tmp_path).stdout
    for flag in ("--namespace", "--endpoint", "--token", "--interval", "--demo", "--bell"):
        assert flag in help_text
