"""Snapshots of the main view at 80x24 and 160x48, from the frozen demo the screenshots use."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from jobtui.sim import SimulatedHub  # noqa: E402
from screenshots import demo_app, demo_hub, loaded, select  # noqa: E402


@pytest.fixture
def frozen_demo() -> Iterator[SimulatedHub]:
    """The demo Hub at a fixed time and port, with times drawn in UTC."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    with demo_hub() as hub:
        yield hub
    if previous is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = previous
    time.tzset()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_main_view(snap_compare: Any, frozen_demo: SimulatedHub, size: tuple[int, int]) -> None:
    app = demo_app(frozen_demo)

    async def a_running_job(pilot: Pilot[Any]) -> None:
        await loaded(pilot, app)
        await select(pilot, app, "RUNNING")

    assert snap_compare(app, terminal_size=size, run_before=a_running_job)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
def test_main_view_in_a_dark_and_a_light_theme(
    snap_compare: Any, frozen_demo: SimulatedHub, theme: str
) -> None:
    """The stage colours and the rest follow the theme, legible on a light background too."""
    app = demo_app(frozen_demo)
    app.theme = theme

    async def a_running_job(pilot: Pilot[Any]) -> None:
        await loaded(pilot, app)
        await select(pilot, app, "RUNNING")

    assert snap_compare(app, terminal_size=(80, 24), run_before=a_running_job)
