"""What the Details pane says of a job, from its fields and the clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jobtui.hub.models import JobInfo
from jobtui.ui.widgets.job_detail import durations_line

pytestmark = pytest.mark.unit


def test_durations_add_up_and_say_so_far_while_live() -> None:
    running = JobInfo.from_api(
        {
            "id": "ab",
            "createdAt": "2026-01-01T00:00:00Z",
            "startedAt": "2026-01-01T00:00:06Z",
            "status": {"stage": "RUNNING"},
            "durations": {"schedulingSecs": 1, "runningSecs": 1, "totalSecs": 2},
        }
    )
    now = datetime(2026, 1, 1, 0, 1, 0, tzinfo=UTC)
    assert durations_line(running, now) == (
        "scheduling 6 seconds · running 54 seconds so far · total 1 minute"
    )
    waiting = JobInfo.from_api(
        {"id": "cd", "createdAt": "2026-01-01T00:00:35Z", "status": {"stage": "SCHEDULING"}}
    )
    assert durations_line(waiting, now) == "scheduling for 25 seconds so far · not started yet"
