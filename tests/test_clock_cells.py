"""The clock cells of the job list and when they are worked out again: never stale, and not
every second for nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jobtui.hub.models import JobInfo
from jobtui.ui.format import TIMES_GRID, ago, ago_changes_at
from jobtui.ui.widgets.job_columns import times_change_at, times_shown

T0 = datetime(2026, 11, 28, 9, 0, 0, 250_000, tzinfo=UTC)


def job(stage: str, *, started: float | None, finished: float | None, **extra: Any) -> JobInfo:
    def stamp(seconds: float | None) -> str | None:
        return None if seconds is None else (T0 + timedelta(seconds=seconds)).isoformat()

    return JobInfo.from_api(
        {
            "id": "a" * 24,
            "createdAt": stamp(0),
            "startedAt": stamp(started),
            "finishedAt": stamp(finished),
            "status": {"stage": stage},
            "owner": {"id": "1", "name": "alice", "type": "user"},
            **extra,
        }
    )


def replay(row: JobInfo, seconds: int, start: float = 0.5) -> int:
    """Tick once a second as the list does, working a row out again only when it is due;
    fail if the row ever read differently from the truth for TIMES_GRID seconds, or for one
    second while it shows seconds. Returns how many times the row was worked out."""
    now = T0 + timedelta(seconds=start)
    shown, due, worked = times_shown(row, now), times_change_at(row, now), 1
    wrong_since: datetime | None = None
    for _ in range(seconds):
        now += timedelta(seconds=1)
        truth = times_shown(row, now)
        if now.timestamp() < due:
            if truth != shown:
                wrong_since = wrong_since or now
                late = (now - wrong_since).total_seconds()
                ticking = row.is_live and shown[1].partition("\0")[0].endswith("s")
                assert late < (1 if ticking else TIMES_GRID), f"{shown} on screen, {truth} true"
            continue
        shown, due, worked, wrong_since = truth, times_change_at(row, now), worked + 1, None
    return worked


@pytest.mark.unit
def test_a_finished_row_is_worked_out_once_a_minute_and_never_stale_for_long() -> None:
    finished = job("COMPLETED", started=20, finished=1_000)
    worked = replay(finished, 3 * 3600)
    assert worked <= 3 * 60 + 2, worked
    # Rows share the grid: whatever their times, they are worked out at the same moments.
    other = job("COMPLETED", started=7, finished=500, createdAt="2026-11-28T08:59:17Z")
    now = T0 + timedelta(seconds=30)
    assert times_change_at(finished, now) % TIMES_GRID == times_change_at(other, now) % TIMES_GRID


@pytest.mark.unit
def test_a_live_row_ticks_each_second_then_each_minute() -> None:
    running = job("RUNNING", started=5, finished=None, timeoutSeconds=7_200)
    # The first minute shows seconds: each second is a change.
    assert replay(running, 50) >= 45
    # Later, whole minutes, and the time-left warning (the last stretch) on time.
    assert replay(running, 600, start=120) <= 2 * 10 + 2
    assert replay(running, 3600, start=1_200) <= 2 * 61 + 2


@pytest.mark.unit
def test_ago_reads_the_same_until_it_says_it_may_change() -> None:
    for offset in (0, 1, 59, 61, 3_599, 3_601, 86_399, 86_401, 40 * 86_400):
        now = T0 + timedelta(seconds=offset)
        due = datetime.fromtimestamp(ago_changes_at(T0, now), UTC)
        assert now < due <= now + timedelta(seconds=60)
        assert ago(T0, due - timedelta(milliseconds=1)) == ago(T0, now)
    assert ago(T0, T0 + timedelta(seconds=33)) == "just now", "no ticking seconds"
