"""Reading a running Textual app the way a person does: as the text on its screen."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from textual.app import App
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot

from jobtui.hub import HubClient, Token
from jobtui.sim import SimulatedHub
from jobtui.ui.app import JobsApp


def make_app(hub: SimulatedHub, **kwargs: object) -> JobsApp:
    """The monitor on a simulated Hub, polling twice a second; no retries to wait out."""
    client = HubClient(hub.url, Token(hub.token, "--token"), retries=0, backoff=0.05)
    return JobsApp(client, interval=0.5, **kwargs)  # type: ignore[arg-type]


def _render_screen(app: App[Any], *, styles: bool) -> str:
    """The one place the tests read a private Textual attribute: the compositor is what the
    terminal would be sent, and Textual has no public way to read a frame back as text
    (`export_screenshot` gives SVG, where text is split into positioned spans)."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, force_terminal=styles
    )
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text(styles=styles)


def screen_text(app: App[Any]) -> str:
    """The whole screen as plain text, as the terminal would show it."""
    return _render_screen(app, styles=False)


def screen_ansi(app: App[Any]) -> str:
    """The screen with its styles, as the bytes a terminal would receive."""
    return _render_screen(app, styles=True)


async def wait_for(
    pilot: Pilot[Any], condition: Callable[[], object], timeout: float = 10.0
) -> None:
    """Let the app run until `condition()` is true; fail with a clear message if it never is."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {condition}")
        await pilot.pause(0.05)


async def select(pilot: Pilot[Any], app: JobsApp, job_id: str) -> None:
    """Put the cursor on a job once the list shows it: the store has a job a moment before
    its row is drawn (rows follow by message), so a test that moves at once may miss it."""
    table = app.main_screen.table
    await wait_for(pilot, lambda: job_id in table.job_ids())
    table.move_cursor(row=table.get_row_index(job_id))
    await wait_for(pilot, lambda: app.main_screen.selected_job_id == job_id)


class Notices(list[str]):
    """Every notification the app shows, whole (a toast on screen may wrap or be cut).

    Pass as `app.run_test(message_hook=notices)`."""

    def __call__(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.append(message.notification.message)

    def said(self, *parts: str) -> bool:
        return any(all(part in notice for part in parts) for notice in self)


async def listed(pilot: Pilot[Any], app: JobsApp) -> None:
    """Until the first poll has answered and the list shows some rows."""
    await wait_for(
        pilot, lambda: app.freshness.last_ok is not None and app.main_screen.table.row_count > 5
    )
