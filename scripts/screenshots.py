"""Regenerate screenshots/ from the demo scenario, with a frozen clock so they never drift.

Run: .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from jobtui.hub import HubClient, Token
from jobtui.sim import SimulatedHub
from jobtui.ui.app import JobsApp
from jobtui.ui.screens.schedules import SchedulesScreen
from jobtui.ui.widgets.log_view import LogView

OUT = Path(__file__).resolve().parent.parent / "screenshots"
# A fixed moment and port: every run draws the same times, ids and URLs.
FROZEN_AT = 1_778_597_400.0  # 2026-05-12 14:50:00 UTC
PORT = 48765
SEED = 7


def frozen() -> float:
    return FROZEN_AT


def demo_hub() -> SimulatedHub:
    return SimulatedHub(scenario="demo", jobs=25, seed=SEED, port=PORT, clock=frozen)


def demo_app(hub: SimulatedHub) -> JobsApp:
    client = HubClient(hub.url, Token(hub.token, "the demo Hub"))
    return JobsApp(client, demo=True, clock=frozen, interval=3600)


async def settle(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"screenshots: gave up waiting for {condition.__name__}")
        await pilot.pause(0.05)
    await pilot.pause(0.3)


async def loaded(pilot: Pilot[Any], app: JobsApp) -> None:
    def rows_and_log() -> bool:
        return app.freshness.last_ok is not None and app.main_screen.log_pane.job_id is not None

    await settle(pilot, rows_and_log)


async def select(pilot: Pilot[Any], app: JobsApp, stage: str) -> None:
    """Move the cursor to the first job in `stage` and wait for its log."""
    target = next(
        job_id
        for job_id in app.main_screen.table.job_ids()
        if (job := app.store.get(job_id)) is not None and job.status.stage == stage
    )
    app.main_screen.table.move_cursor(row=app.main_screen.table.get_row_index(target))

    def its_log_is_in() -> bool:
        return app.main_screen.log_pane.job_id == target and app.query_one(LogView).line_count > 0

    await settle(pilot, its_log_is_in)


async def shoot(
    name: str, size: tuple[int, int], steps: Callable[[Pilot[Any], JobsApp], Awaitable[None]]
) -> None:
    with demo_hub() as hub:
        app = demo_app(hub)
        async with app.run_test(size=size) as pilot:
            await loaded(pilot, app)
            await steps(pilot, app)
            app.save_screenshot(f"{name}.svg", path=str(OUT))
    print(f"wrote screenshots/{name}.svg")


async def main_view(pilot: Pilot[Any], app: JobsApp) -> None:
    await select(pilot, app, "RUNNING")


async def failed_job(pilot: Pilot[Any], app: JobsApp) -> None:
    await select(pilot, app, "ERROR")


async def help_screen(pilot: Pilot[Any], app: JobsApp) -> None:
    await pilot.press("question_mark")
    await pilot.pause(0.3)


async def cancel_confirmation(pilot: Pilot[Any], app: JobsApp) -> None:
    await select(pilot, app, "RUNNING")
    await pilot.press("c")
    await pilot.pause(0.3)


async def rerun_preview(pilot: Pilot[Any], app: JobsApp) -> None:
    await select(pilot, app, "ERROR")
    await pilot.press("r")
    await pilot.pause(0.3)


async def schedules_view(pilot: Pilot[Any], app: JobsApp) -> None:
    await pilot.press("s")

    def schedules_read() -> bool:
        screen = app.screen
        return isinstance(screen, SchedulesScreen) and screen.book.loaded and not screen.reading

    await settle(pilot, schedules_read)


async def main() -> None:
    os.environ["TZ"] = "UTC"
    time.tzset()
    OUT.mkdir(exist_ok=True)
    await shoot("main", (140, 40), main_view)
    await shoot("failed-job", (140, 40), failed_job)
    await shoot("help", (120, 36), help_screen)
    await shoot("narrow", (80, 24), main_view)
    await shoot("cancel", (120, 36), cancel_confirmation)
    await shoot("rerun", (120, 40), rerun_preview)
    await shoot("schedules", (140, 32), schedules_view)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
