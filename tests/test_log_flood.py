"""A log that pours in faster than it can be shown never takes the keys' turn."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from textual.app import App, ComposeResult

from jobtui.hub.models import JobInfo, LogLine
from jobtui.monitor.logs import LogFeed
from jobtui.ui.widgets.log_pane import LogPane

STAMP = datetime(2026, 1, 1, tzinfo=UTC)
BATCH = [LogLine(f"step {n} loss=0.1", STAMP) for n in range(3)]


class Flood:
    """A log source whose lines are always ready: it never waits for the network, so only
    the pane's own pauses let anything else run. It pours for `seconds`: a pane that never
    paused would take it all before any key, and the test fails instead of hanging."""

    def __init__(self, seconds: float = 15.0) -> None:
        self.seconds = seconds
        self.sent = 0
        self.finished = False

    async def stream_log_batches(self, *_: Any, **__: Any) -> AsyncIterator[list[LogLine]]:
        deadline = time.monotonic() + self.seconds
        while time.monotonic() < deadline:
            self.sent += len(BATCH)
            yield BATCH
        self.finished = True

    def stream_logs(self, *_: Any, **__: Any) -> AsyncIterator[LogLine]:
        raise NotImplementedError


async def test_keys_are_served_while_a_log_pours_in_without_pause() -> None:
    flood = Flood()

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield LogPane(LogFeed(flood), max_lines=5_000)

    async with One().run_test(size=(80, 20)) as pilot:
        pane = pilot.app.query_one(LogPane)
        pane.view.focus()
        pane.show_job(JobInfo.from_api({"id": "j", "status": {"stage": "RUNNING"}}))
        while flood.sent < 20_000:
            await asyncio.sleep(0.01)
        assert pane.view.following
        # Each key goes through, and what it changes is drawn, while the lines keep coming.
        await pilot.press("k")
        assert not pane.view.following, "k paused following"
        await pilot.press("G")
        assert pane.view.following
        assert not flood.finished, "the keys came while the log was still pouring in"
        pane.show_job(None)  # closes the stream
