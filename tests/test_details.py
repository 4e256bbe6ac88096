"""What the Details pane says of a job, from its fields and the clock."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from rich.console import Console

from jobtui.hub.models import JobInfo
from jobtui.ui.widgets.job_detail import describe, durations_line


@pytest.mark.unit
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


@pytest.mark.unit
def test_details_show_retries_network_ports_and_ssh() -> None:
    job = JobInfo.from_api(
        {
            "id": "ef",
            "createdAt": "2026-01-01T00:00:00Z",
            "status": {"stage": "RUNNING", "sshUrl": "ssh://job-ef@ssh.hf.co"},
            "retry": 2,
            "network": {"group": "trainers", "aliases": ["head", "rank0"]},
            "expose": {"ports": [8000, 6006], "portsPublic": [8000]},
        }
    )
    text = rendered(describe(job, None, datetime(2026, 1, 1, 0, 1, tzinfo=UTC)))
    assert "Retries      2 (attempts 3)" in text
    assert "trainers  aliases: head, rank0" in text
    assert "8000 (public), 6006" in text
    assert "ssh://job-ef@ssh.hf.co" in text


def rendered(renderable: Any) -> str:
    console = Console(width=100, file=io.StringIO(), record=True)
    console.print(renderable)
    return console.export_text()


@pytest.mark.unit
def test_a_failed_job_points_to_its_first_error_in_the_log() -> None:
    job = JobInfo.from_api(
        {"id": "ab", "status": {"stage": "ERROR", "message": "Job failed with exit code: 1"}}
    )
    text = rendered(describe(job, None, datetime(2026, 1, 1, tzinfo=UTC)))
    assert "(e: the first error in the log)" in text


async def test_details_take_the_rows_of_each_job_shown_in_turn() -> None:
    """Moving from job to job swaps the grids in place when they take as many rows, and lays
    the pane out again when they do not: each grid always shows whole. A job shown again
    shows what it is now, not what it was (its grids are kept while it stays the same)."""
    from rich.console import Group, RenderableType
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    from jobtui.ui.widgets.drawn import DrawnOnce
    from jobtui.ui.widgets.job_detail import JobDetail

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield JobDetail()

    def job(job_id: str, labels: int) -> JobInfo:
        return JobInfo.from_api(
            {
                "id": job_id,
                "createdAt": "2026-01-01T00:00:00Z",
                "status": {"stage": "RUNNING"},
                "labels": {f"label{n}": "x" for n in range(labels)},
            }
        )

    now = datetime(2026, 1, 1, 0, 1, tzinfo=UTC)
    async with One().run_test(size=(60, 50)) as pilot:
        detail = pilot.app.query_one(JobDetail)
        statics = list(detail.query(Static))
        shows = [job("a", 1), job("b", 1), job("c", 9), job("d", 2), job("a", 1), job("b", 4)]
        for shown in (*shows, job("c", 9), job("a", 3)):
            detail.show_job(shown, None, now)
            await pilot.pause()
            console, options = pilot.app.console, pilot.app.console_options
            text = rendered(Group(*(cast(RenderableType, static.content) for static in statics)))
            assert f"label{len(shown.labels or {}) - 1}=x" in text, shown.id
            assert f"label{len(shown.labels or {})}=x" not in text, shown.id
            heights = [
                DrawnOnce(cast(RenderableType, static.content)).height(
                    console, options.update_width(static.size.width).update(highlight=False)
                )
                for static in statics
            ]
            assert [static.size.height for static in statics] == heights, shown.id
