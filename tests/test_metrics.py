"""Live metrics of the selected running job in Details, against the simulated Hub."""

from __future__ import annotations

import re

import pytest
from uihelpers import make_app, screen_text, select, wait_for

from jobtui.hub import HubClient
from jobtui.monitor.metrics import MetricsSample
from jobtui.sim import SimulatedHub
from jobtui.ui.app import JobsApp
from jobtui.ui.screens.stats import StatsScreen


def metrics_requests(hub: SimulatedHub, job_id: str = "") -> int:
    """Metrics requests (of one job, when given: the idle watch reads running GPU jobs')."""
    return sum(1 for _, path in hub.faults.requests if path.endswith(f"{job_id}/metrics"))


async def test_a_running_job_shows_figures_and_sparklines_that_fill_and_stop_on_deselect(
    hub: SimulatedHub, api: HubClient
) -> None:
    ns = (await api.whoami()).name
    job = await api.run_job(
        ns, {"dockerImage": "alpine", "command": ["sleep", "300"], "flavor": "a10g-small"}
    )
    app = make_app(hub)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.main_screen
        await wait_for(pilot, lambda: (j := app.store.get(job.id)) is not None and j.is_live)
        await wait_for(pilot, lambda: (j := app.store.get(job.id)) and j.status.stage == "RUNNING")
        # The store has it a moment before the list does (the rows follow by message).
        await wait_for(pilot, lambda: job.id in screen.table.job_ids())
        await select(pilot, app, job.id)
        await wait_for(pilot, lambda: "CPU" in screen_text(app) and "GPU0" in screen_text(app))
        await wait_for(pilot, lambda: len(app.metrics_feed.history(job.id)) >= 2, timeout=10)
        assert screen.metrics.display
        other = next(j for j in screen.table.job_ids() if j != job.id)
        await select(pilot, app, other)
        await wait_for(pilot, lambda: screen.metrics.job_id != job.id)
        await pilot.pause(0.2)
        assert not any(w.group == "metrics" and w.is_running for w in app.workers), (
            "the stream closed the moment the job was deselected"
        )
        kept = len(app.metrics_feed.history(job.id))
        await select(pilot, app, job.id)
        await wait_for(pilot, lambda: screen.metrics.display)
        assert len(app.metrics_feed.history(job.id)) >= kept, "samples survive switching back"


async def test_from_one_running_job_to_another_the_panel_stays_and_blanks_until_samples(
    hub: SimulatedHub, api: HubClient
) -> None:
    ns = (await api.whoami()).name
    spec = {"dockerImage": "alpine", "command": ["sleep", "300"], "flavor": "cpu-basic"}
    first = await api.run_job(ns, spec)
    second = await api.run_job(ns, spec)
    app = make_app(hub)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.main_screen

        def running(job_id: str) -> bool:
            job = app.store.get(job_id)
            return job is not None and job.status.stage == "RUNNING"

        await wait_for(pilot, lambda: running(first.id) and running(second.id))
        # The app opens on the newest job (second): its samples may come at once. The
        # first was never selected, so none of its samples were asked for yet.
        await select(pilot, app, second.id)
        await wait_for(pilot, lambda: len(app.metrics_feed.history(second.id)) >= 1)
        await wait_for(pilot, lambda: figures_shown(app))
        await select(pilot, app, first.id)
        # Not hidden and shown again (a layout of the whole screen each time), and not the
        # second job's figures under the first's name: the rows, blank, until samples come
        # (the first of them may come as soon as the job is selected).
        assert screen.metrics.display
        if not app.metrics_feed.history(first.id):
            assert "CPU —" in screen_text(app)
        await wait_for(pilot, lambda: len(app.metrics_feed.history(first.id)) >= 1)
        await wait_for(pilot, lambda: figures_shown(app))
        assert screen.metrics.display


def figures_shown(app: JobsApp) -> bool:
    """The metrics rows are on screen with figures (not blank)."""
    return re.search(r"CPU \d+%", screen_text(app)) is not None


async def test_a_finished_job_asks_for_no_metrics(hub: SimulatedHub, api: HubClient) -> None:
    ns = (await api.whoami()).name
    job = await api.run_job(ns, {"dockerImage": "alpine", "command": ["echo", "done"]})
    app = make_app(hub)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.main_screen.selected_job_id == job.id)
        await pilot.pause(0.5)
        assert not app.main_screen.metrics.display
        assert metrics_requests(hub, job.id) == 0


@pytest.mark.unit
def test_odd_samples_become_blanks_not_errors() -> None:
    sample = MetricsSample.from_api(
        {
            "cpu_usage_pct": "lots",
            "memory_used_bytes": -5,
            "gpus": {"a": {"utilization": 40}, "b": {"utilization": 60}, "c": "x"},
        },
        at=0.0,
    )
    assert sample.cpu_pct is None and sample.memory_used is None
    assert sample.gpu_utilization == 50


async def test_t_lists_every_running_job_live_and_closes_its_streams(
    hub: SimulatedHub, api: HubClient
) -> None:
    app = make_app(hub)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None)
        shown = app.main_screen.listing.shown_namespace
        running = {
            job.id for job in app.store if job.status.stage == "RUNNING" and job.owner.name == shown
        }
        assert running
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, StatsScreen))
        stats = app.screen
        assert isinstance(stats, StatsScreen)
        assert {job.id for job in stats.jobs} == running, "every running job, no finished one"
        await wait_for(pilot, lambda: len(stats.samples) == len(running), timeout=10)
        # (the idle watch's one-sample reads of GPU jobs come and go meanwhile)
        await wait_for(pilot, lambda: hub.open_streams()["metrics"] == len(running))
        await pilot.press("s")
        assert "by Memory" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen)
        await wait_for(pilot, lambda: hub.open_streams()["metrics"] == 0, timeout=5)
