"""Left alone, the screen wakes when something shown reads differently, not every second:
relative times still move on at their minute, the status line's age too, and a job near its
timeout is still warned of."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from uihelpers import screen_text, select, wait_for

from jobtui.hub import HubClient, Token
from jobtui.hub.models import JobInfo
from jobtui.monitor.costs import timeout_warnings
from jobtui.sim import SimulatedHub
from jobtui.ui import format as formatting
from jobtui.ui.app import JobsApp
from jobtui.ui.format import ago_coarse, ago_coarse_changes_at

T0 = datetime(2026, 11, 28, 9, 0, 0, 400_000, tzinfo=UTC)


@pytest.mark.unit
def test_the_status_lines_age_is_never_stale_and_not_worked_out_each_second() -> None:
    """`ago_coarse` rounds (humanize): whatever the moment, the due time it gives is never
    after the text really changes, and it is seconds to an hour away, not the next second."""
    samples = [*range(0, 2 * 3600), *range(86_400 - 4000, 86_400 + 100), 3 * 86_400 + 7]
    shown = {s: ago_coarse(T0, T0 + timedelta(seconds=s + 0.5)) for s in range(0, 90_000)}
    for second in samples:
        now = T0 + timedelta(seconds=second + 0.5)
        due = ago_coarse_changes_at(T0, now)
        assert due > now.timestamp()
        text = ago_coarse(T0, now)
        # Every whole second before the due time reads the same.
        last = min(int(due - T0.timestamp() - 0.5), 89_999)
        for later in range(second + 1, last + 1):
            assert shown.get(later, text) == text, (second, later, due - T0.timestamp())
    # Followed from due time to due time, an hour in minutes is worked out twice a minute.
    moment, worked = T0 + timedelta(seconds=60.5), 0
    while moment < T0 + timedelta(hours=1):
        moment = datetime.fromtimestamp(ago_coarse_changes_at(T0, moment), UTC)
        worked += 1
    assert worked <= 2 * 59 + 2, worked


@pytest.mark.unit
def test_a_timeout_warning_is_due_when_the_job_reaches_its_share() -> None:
    def running(started: float, timeout: int | None) -> JobInfo:
        return JobInfo.from_api(
            {
                "id": f"job{started}-{timeout}",
                "createdAt": T0.isoformat(),
                "startedAt": (T0 + timedelta(seconds=started)).isoformat(),
                "status": {"stage": "RUNNING"},
                "timeoutSeconds": timeout,
            }
        )

    near, far, none = running(0, 100), running(0, 1000), running(0, None)
    now = T0 + timedelta(seconds=95)
    due, after = timeout_warnings([near, far, none], 0.9, now)
    assert [job.id for job, _ in due] == [near.id]
    assert after == pytest.approx(T0.timestamp() + 900)
    assert timeout_warnings([none], 0.9, now) == ([], float("inf"))


def app_on(hub: SimulatedHub, later: list[float]) -> JobsApp:
    """No polls after the first listing: only the clock changes the screen."""
    client = HubClient(hub.url, Token(hub.token, "--token"), retries=0, backoff=0.05)
    return JobsApp(client, interval=3600, clock=lambda: time.time() + later[0])


async def finished_job(api: HubClient) -> JobInfo:
    ns = (await api.whoami()).name
    return await api.run_job(ns, {"dockerImage": "alpine", "command": ["echo", "hi"]})


async def test_left_alone_on_a_finished_job_it_wakes_once_in_a_while(
    hub: SimulatedHub, api: HubClient
) -> None:
    """Ten minutes on, nothing on screen shows seconds: the clock sleeps until the next step
    of the shared grid at least, where it ticked every second before."""
    job = await finished_job(api)
    later = [600.0]
    app = app_on(hub, later)
    async with app.run_test(size=(160, 40)) as pilot:
        await select(pilot, app, job.id)
        await wait_for(pilot, lambda: re.search(r"Finished +10 minutes ago", screen_text(app)))
        await wait_for(pilot, lambda: app.poller.freshness.last_ok is not None)
        await pilot.pause(1.2)  # the counts of the listing's last page are drawn
        clock = app.main_screen.screen_clock
        ticks = clock.ticks
        await pilot.pause(3.0)
        assert clock.ticks - ticks <= 1, "one grid step at most in 3 s, not a tick a second"
        assert clock.due - app.clock() <= formatting.TIMES_GRID + 0.5


async def test_a_relative_time_moves_on_at_its_minute(
    hub: SimulatedHub, api: HubClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(formatting, "TIMES_GRID", 1.0)  # the step itself is tested apart
    job = await finished_job(api)
    later = [0.0]
    app = app_on(hub, later)
    async with app.run_test(size=(160, 40)) as pilot:
        await select(pilot, app, job.id)
        await wait_for(pilot, lambda: (j := app.store.get(job.id)) and j.finished_at)
        finished = app.store.get(job.id)
        assert finished is not None and finished.finished_at is not None
        # Two seconds before the job's tenth minute is up.
        later[0] = finished.finished_at.timestamp() + 598 - time.time()
        app.main_screen.refresh_times()
        await wait_for(pilot, lambda: re.search(r"Finished +9 minutes ago", screen_text(app)))
        await wait_for(
            pilot, lambda: re.search(r"Finished +10 minutes ago", screen_text(app)), timeout=5
        )
        assert app.clock() >= finished.finished_at.timestamp() + 600
