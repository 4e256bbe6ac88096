"""Regenerate screenshots/ from the demo scenario, with a frozen clock so they never drift.

Run: .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from jobtui.hub import HubClient, Token
from jobtui.monitor.metrics import HISTORY_SAMPLES, MetricsSample
from jobtui.sim import SimulatedHub
from jobtui.sim.featured import IDLE_GPU
from jobtui.ui.app import JobsApp
from jobtui.ui.screens.schedules import SchedulesScreen
from jobtui.ui.screens.stats import StatsScreen
from jobtui.ui.widgets.log_view import LogView

OUT = Path(__file__).resolve().parent.parent / "screenshots"
# A fixed moment and port: every run draws the same times, ids and URLs.
FROZEN_AT = 1_778_597_400.0  # 2026-05-12 14:50:00 UTC
PORT = 48765
SEED = 7


HUB: list[SimulatedHub] = []  # the one being shot, for steps that read the sim's world


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
        # A running job's sparklines are drawn the same from two samples on (the frozen
        # clock gives equal ones); with one they look different, so wait for two.
        metrics = stage != "RUNNING" or len(app.metrics_feed.history(target)) >= 2
        log_pane = app.main_screen.log_pane
        return log_pane.job_id == target and app.query_one(LogView).line_count > 0 and metrics

    await settle(pilot, its_log_is_in)


async def shoot(
    name: str, size: tuple[int, int], steps: Callable[[Pilot[Any], JobsApp], Awaitable[None]]
) -> None:
    with demo_hub() as hub:
        HUB[:] = [hub]
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


def past_samples(hub: SimulatedHub, job_id: str, seconds: range) -> list[MetricsSample]:
    """The samples the sim's job gave `seconds` ago (the frozen clock stands still, so the
    stream alone would draw flat lines): what a user sees after watching it a while."""
    job = hub.world._jobs[job_id]
    return [
        MetricsSample.from_api(job.metrics(FROZEN_AT - ago), FROZEN_AT - ago) for ago in seconds
    ]


async def metrics_view(pilot: Pilot[Any], app: JobsApp) -> None:
    """Details of a running 4-GPU job with five minutes of metrics, and the demo's idle GPU
    job badged (its last 12 minutes, read a minute apart, as the idle watch would)."""
    hub = HUB[0]
    await settle(pilot, lambda: bool(app.poller.hardware))
    idle_id = hub.world.featured[IDLE_GPU]
    for sample in past_samples(hub, idle_id, range(720, -1, -60)):
        app.idle_watch.observe(idle_id, sample)
    now = hub.world.clock()
    target = next(
        job_id
        for job_id in app.main_screen.table.job_ids()
        if (job := hub.world._jobs.get(job_id)) is not None
        and job.state(now).stage == "RUNNING"
        and job.spec.hardware.gpu_count == 4
        and job_id != idle_id
    )
    # The history up to a second ago; the stream brings the sample of now (one, within a
    # second of real time: a sample of the frozen clock each real second after).
    for sample in past_samples(hub, target, range(HISTORY_SAMPLES - 1, 0, -1)):
        app.metrics_feed.keep(target, sample)
    streamed: list[str] = []
    app.metrics_feed.observers.append(lambda job_id, _: streamed.append(job_id))
    app.main_screen.table.move_cursor(row=app.main_screen.table.get_row_index(target))

    def one_sample_streamed() -> bool:
        return target in streamed and app.main_screen.metrics.display

    await settle(pilot, one_sample_streamed)


async def stats_view(pilot: Pilot[Any], app: JobsApp) -> None:
    await pilot.press("t")
    await settle(pilot, lambda: isinstance(app.screen, StatsScreen))
    stats = app.screen
    assert isinstance(stats, StatsScreen)

    def every_row_sampled() -> bool:
        return len(stats.samples) == len(stats.jobs)

    await settle(pilot, every_row_sampled)


async def label_editor(pilot: Pilot[Any], app: JobsApp) -> None:
    await select(pilot, app, "RUNNING")
    await pilot.press("L")
    await pilot.pause(0.3)


async def new_job_form(pilot: Pilot[Any], app: JobsApp) -> None:
    """The form opened with +, filled in from a running job whose name the Hub would take."""
    table = app.main_screen.table
    target = next(
        job_id
        for job_id in table.job_ids()
        if (job := app.store.get(job_id)) is not None
        and job.status.stage == "RUNNING"
        and re.fullmatch(r"[A-Za-z0-9_-]+", job.display_name)
    )
    table.move_cursor(row=table.get_row_index(target))
    await pilot.pause(0.3)
    await pilot.press("plus")
    await pilot.pause(0.3)
    await pilot.click("#prefill")
    await pilot.pause(0.3)


async def schedules_view(pilot: Pilot[Any], app: JobsApp) -> None:
    await pilot.press("s")

    def schedules_read() -> bool:
        screen = app.screen
        return isinstance(screen, SchedulesScreen) and screen.book.loaded and not screen.reading

    await settle(pilot, schedules_read)


SHOTS: dict[str, tuple[tuple[int, int], Callable[[Pilot[Any], JobsApp], Awaitable[None]]]] = {
    "main": ((140, 40), main_view),
    "failed-job": ((140, 40), failed_job),
    "help": ((120, 36), help_screen),
    "narrow": ((80, 24), main_view),
    "cancel": ((120, 36), cancel_confirmation),
    "rerun": ((120, 40), rerun_preview),
    "labels": ((120, 36), label_editor),
    "metrics": ((140, 40), metrics_view),
    "stats": ((120, 30), stats_view),
    "new-job": ((120, 50), new_job_form),
    "schedules": ((140, 32), schedules_view),
}


async def main() -> None:
    """Every screenshot, or only those named on the command line."""
    os.environ["TZ"] = "UTC"
    # The new-job form says whether each secret is in the environment: the same every run.
    os.environ["HF_TOKEN"] = "placeholder-for-the-screenshot"
    time.tzset()
    OUT.mkdir(exist_ok=True)
    for name in sys.argv[1:] or SHOTS:
        size, steps = SHOTS[name]
        await shoot(name, size, steps)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
