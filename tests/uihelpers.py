"""Reading a running Textual app the way a person does: as the text on its screen."""

from __future__ import annotations

import io
import time
from collections.abc import Callable

from rich.console import Console
from textual.app import App
from textual.pilot import Pilot


def screen_text(app: App[object]) -> str:
    """The whole screen as plain text, as the terminal would show it."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text(styles=False)


def screen_ansi(app: App[object]) -> str:
    """The screen with its styles, as the bytes a terminal would receive."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, force_terminal=True
    )
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text(styles=True)


async def wait_for(
    pilot: Pilot[object], condition: Callable[[], object], timeout: float = 10.0
) -> None:
    """Let the app run until `condition()` is true; fail with a clear message if it never is."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {condition}")
        await pilot.pause(0.05)
