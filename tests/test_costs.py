"""What a job costs and how long it has left, and how the monitor tells it."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from uihelpers import Notices, make_app, screen_text, select, wait_for

from jobtui.hub import HubClient
from jobtui.hub.models import JobHardwareInfo, JobInfo
from jobtui.monitor.costs import billed_cost, burn_rate, time_left
from jobtui.sim import SimulatedHub

A10G = JobHardwareInfo.from_api(
    {"name": "a10g-small", "prettyName": "A10G", "unitCostMicroUSD": 16667, "unitLabel": "minute"}
)


def running(started: str = "2026-01-01T00:00:00Z", **extra: object) -> JobInfo:
    return JobInfo.from_api(
        {
            "id": "ab" * 12,
            "createdAt": "2026-01-01T00:00:00Z",
            "startedAt": started,
            "flavor": "a10g-small",
            "status": {"stage": "RUNNING"},
            **extra,
        }
    )


AT_61_S = datetime(2026, 1, 1, 0, 1, 1, tzinfo=UTC)


@pytest.mark.unit
def test_each_started_minute_is_billed() -> None:
    assert billed_cost(running(), A10G, AT_61_S) == pytest.approx(2 * 0.016667, rel=1e-3)
    assert billed_cost(running(), None, AT_61_S) is None
    waiting = JobInfo.from_api({"id": "cd", "status": {"stage": "SCHEDULING"}})
    assert billed_cost(waiting, A10G, AT_61_S) is None, "scheduling is not billed"


@pytest.mark.unit
def test_burn_rate_sums_the_running_jobs() -> None:
    done = JobInfo.from_api({"id": "ef", "flavor": "a10g-small", "status": {"stage": "ERROR"}})
    rate = burn_rate([running(), running(), done], {"a10g-small": A10G})
    assert rate == pytest.approx(2 * A10G.price_per_hour)


@pytest.mark.unit
def test_time_left_counts_down_only_a_timeout_the_hub_echoed() -> None:
    assert time_left(running(), AT_61_S) is None, "unknown: not a guessed default"
    left = time_left(running(timeoutSeconds=1800), AT_61_S)
    assert left is not None and left.left == 1739 and not left.last_stretch
    short = time_left(running(timeoutSeconds=64), AT_61_S)
    assert short is not None and short.last_stretch


async def test_a_job_near_its_timeout_is_marked_and_warned_once(
    hub: SimulatedHub, api: HubClient
) -> None:
    ns = (await api.whoami()).name
    job = await api.run_job(
        ns,
        {
            "dockerImage": "alpine",
            "command": ["sleep", "600"],
            "timeoutSeconds": 60,
            "labels": {"name": "short-fuse"},
        },
    )
    # The monitor's clock runs 55 s ahead: the job has used over 90% of its minute.
    app = make_app(hub, clock=lambda: time.time() + 55)
    notices = Notices()
    async with app.run_test(size=(160, 48), message_hook=notices) as pilot:
        await wait_for(pilot, lambda: (j := app.store.get(job.id)) is not None and j.started_at)
        screen = app.main_screen
        await select(pilot, app, job.id)
        await wait_for(pilot, lambda: "Time left" in screen_text(app))
        await wait_for(pilot, lambda: notices.said("short-fuse has used", "timeout"))
        # The theme's warning colour (yellow-orange in the default theme).
        warning = app.theme_variables["text-warning"]
        assert screen.table.cells(job.id)["runtime"].style == f"bold {warning}"
        await pilot.pause(1.5)
        assert sum("short-fuse has used" in n for n in notices) == 1, "once, not every tick"
        assert "/h  " in screen_text(app).splitlines()[0], "what the running jobs burn"
