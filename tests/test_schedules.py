"""The schedules view (`s`): what it shows of the Hub's scheduled jobs, and what each key sends."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from textual.widgets import Input
from uihelpers import Notices, make_app, screen_text, wait_for

from jobtui.monitor.schedules import (
    in_words,
    name_of,
    next_runs,
    parse_labels,
    schedule_problem,
)
from jobtui.sim import SimulatedHub
from jobtui.ui.app import JobsApp
from jobtui.ui.screens.main import MainScreen
from jobtui.ui.screens.schedule_dialogs import (
    DeleteScheduleScreen,
    RescheduleScreen,
    ScheduleLabelsScreen,
)
from jobtui.ui.screens.schedule_runs import ScheduleRunsScreen
from jobtui.ui.screens.schedules import SchedulesScreen

LIST = r"GET /api/scheduled-jobs/[^/]+"
ONE = r"/api/scheduled-jobs/[^/]+/[^/]+"


def sent(hub: SimulatedHub, route: str) -> int:
    """How many requests the Hub received that match `route` ("METHOD path-regex")."""
    pattern = re.compile(route)
    return sum(1 for method, path in hub.faults.requests if pattern.fullmatch(f"{method} {path}"))


def schedule_id(hub: SimulatedHub, namespace: str, name: str) -> str:
    for item in hub.world.schedules.list(namespace):
        if item["jobSpec"]["labels"].get("name") == name:
            return str(item["id"])
    raise AssertionError(f"no schedule {name} in {namespace}")


def on_hub(hub: SimulatedHub, namespace: str, name: str) -> dict[str, Any]:
    return hub.world.schedules.get(namespace, schedule_id(hub, namespace, name))


async def open_view(pilot: Any, app: JobsApp) -> SchedulesScreen:
    await wait_for(pilot, lambda: app.freshness.last_ok is not None)
    await pilot.press("s")
    await wait_for(
        pilot, lambda: isinstance(app.screen, SchedulesScreen) and app.screen.book.loaded
    )
    screen = app.screen
    assert isinstance(screen, SchedulesScreen)
    await wait_for(pilot, lambda: screen.book.loaded and not screen.reading)
    await pilot.pause()
    return screen


async def select(pilot: Any, screen: SchedulesScreen, name: str) -> None:
    for index, scheduled in enumerate(screen.book.sorted()):
        if name_of(scheduled) == name:
            screen.table.move_cursor(row=index)
            await pilot.pause()
            selected = screen.selected()
            assert selected is not None and name_of(selected) == name
            return
    raise AssertionError(f"{name} is not listed")


# ---- the cron library, as the view uses it ---------------------------------------------------


@pytest.mark.unit
def test_schedules_in_words_and_the_hubs_aliases() -> None:
    assert in_words("0 3 * * 1") == "At 03:00 on Monday"
    assert in_words("@hourly") == "At the start of every hour"
    assert in_words("@daily") == "At 00:00 every day"
    after = datetime(2026, 1, 1, 12, 30, tzinfo=UTC)
    assert next_runs("@hourly", after, 2) == [
        datetime(2026, 1, 1, 13, 0, tzinfo=UTC),
        datetime(2026, 1, 1, 14, 0, tzinfo=UTC),
    ]
    for valid in ("@hourly", "@Annually", "*/5 * * * *", "0 9 * * 1-5", "0 0 1,15 * *"):
        assert schedule_problem(valid) is None, valid
    assert "5 fields" in (schedule_problem("0 3 * *") or "")
    assert "not a schedule" in (schedule_problem("@often") or "")
    assert "day-of-week" in (schedule_problem("0 3 * * 9") or "")
    assert "weekday" in (schedule_problem("0 3 * * MON#2") or "")


@pytest.mark.unit
def test_labels_are_read_and_held_to_the_hubs_rule() -> None:
    assert parse_labels("name=nightly, team=ml gpu") == {"name": "nightly", "team": "ml", "gpu": ""}
    assert "Invalid label" in str(parse_labels("team=m l!"))
    assert "twice" in str(parse_labels("a=1 a=2"))


# ---- the view -------------------------------------------------------------------------------


async def test_the_list_shows_the_hubs_schedules_in_words_and_is_read_only_while_open(
    hub: SimulatedHub,
) -> None:
    app = make_app(hub)
    async with app.run_test(size=(200, 40)) as pilot:
        await open_view(pilot, app)
        text = screen_text(app)
        for expected in (
            "nightly-report",
            "At 00:00 every day",
            "@daily",
            "mmlu-eval",
            "0 9 * * 1",
            "At 09:00 on Monday",
            "suspended",
            "duckdb-refresh",
            "*/30 * * * *",
            "hf.co/spaces/lhoestq/duckdb",
        ):
            assert expected in text, expected
        assert "in 2" in text or "in a" in text or "in 1" in text  # a relative next run
        # One request per watched namespace (alice and acme-ml).
        assert sent(hub, LIST) == 2
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        await pilot.pause(1.5)  # the job list polls meanwhile; the schedules do not
        assert sent(hub, LIST) == 2


async def test_suspend_and_resume(hub: SimulatedHub) -> None:
    app = make_app(hub)
    async with app.run_test(size=(200, 40)) as pilot:
        screen = await open_view(pilot, app)
        await select(pilot, screen, "nightly-report")
        await pilot.press("p")
        await wait_for(pilot, lambda: on_hub(hub, "alice", "nightly-report")["suspend"])
        await wait_for(pilot, lambda: screen_text(app).count("suspended") == 2)
        assert sent(hub, f"POST {ONE}/suspend") == 1
        assert on_hub(hub, "alice", "nightly-report")["status"]["nextJobRunAt"] is None
        await pilot.press("p")
        await wait_for(pilot, lambda: not on_hub(hub, "alice", "nightly-report")["suspend"])
        await wait_for(pilot, lambda: screen_text(app).count("suspended") == 1)
        assert sent(hub, f"POST {ONE}/resume") == 1


async def test_run_now_and_a_409_shows_the_hubs_reason_and_changes_nothing(
    hub: SimulatedHub,
) -> None:
    notices = Notices()
    app = make_app(hub)
    async with app.run_test(size=(200, 40), message_hook=notices) as pilot:
        screen = await open_view(pilot, app)
        await select(pilot, screen, "nightly-report")
        await pilot.press("r")
        await wait_for(pilot, lambda: notices.said("Started a run of nightly-report"))
        assert sent(hub, f"POST {ONE}/run") == 1
        run_id = on_hub(hub, "alice", "nightly-report")["status"]["lastJob"]["id"]
        assert app.store.get(run_id) is not None  # in the job list at once
        assert screen.book.schedules[schedule_id(hub, "alice", "nightly-report")].last_job_id == (
            run_id
        )
        jobs_before = len(app.store)
        await pilot.press("r")  # the run just started is still live: the Hub refuses
        await wait_for(pilot, lambda: notices.said("Could not start a run", "in progress"))
        assert sent(hub, f"POST {ONE}/run") == 2
        assert on_hub(hub, "alice", "nightly-report")["status"]["lastJob"]["id"] == run_id
        assert screen.book.schedules[schedule_id(hub, "alice", "nightly-report")].last_job_id == (
            run_id
        )
        assert len(app.store) == jobs_before


async def test_reschedule_refuses_a_bad_cron_before_sending_and_sends_a_good_one(
    hub: SimulatedHub,
) -> None:
    app = make_app(hub)
    async with app.run_test(size=(200, 40)) as pilot:
        screen = await open_view(pilot, app)
        await select(pilot, screen, "nightly-report")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RescheduleScreen))
        box = app.screen.query_one(Input)
        assert box.value == "@daily"
        box.value = "0 3 * * 9"
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, RescheduleScreen)  # still asking
        assert "Bad day-of-week" in screen_text(app)
        assert sent(hub, f"POST {ONE}/schedule") == 0
        box.value = "0 3 * * 1"
        await pilot.pause()
        assert "At 03:00 on Monday" in screen_text(app)
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: on_hub(hub, "alice", "nightly-report")["schedule"] == "0 3 * * 1"
        )
        assert sent(hub, f"POST {ONE}/schedule") == 1
        await wait_for(pilot, lambda: "At 03:00 on Monday" in screen_text(app))
        # Escape sends nothing.
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RescheduleScreen))
        app.screen.query_one(Input).value = "@hourly"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, SchedulesScreen))
        await pilot.pause(0.3)
        assert sent(hub, f"POST {ONE}/schedule") == 1


async def test_delete_asks_first_and_keeping_it_sends_nothing(hub: SimulatedHub) -> None:
    app = make_app(hub)
    async with app.run_test(size=(200, 40)) as pilot:
        screen = await open_view(pilot, app)
        await select(pilot, screen, "mmlu-eval")
        for keep in ("n", "escape", "enter"):  # enter presses the focused button: keep it
            await pilot.press("d")
            await wait_for(pilot, lambda: isinstance(app.screen, DeleteScheduleScreen))
            assert "Delete the schedule mmlu-eval?" in screen_text(app)
            await pilot.press(keep)
            await wait_for(pilot, lambda: isinstance(app.screen, SchedulesScreen))
        await pilot.pause(0.3)
        assert sent(hub, f"DELETE {ONE}") == 0
        assert "mmlu-eval" in screen_text(app)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DeleteScheduleScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: "mmlu-eval" not in screen_text(app))
        assert sent(hub, f"DELETE {ONE}") == 1
        assert [s["jobSpec"]["labels"]["name"] for s in hub.world.schedules.list("alice")] == [
            "nightly-report"
        ]


async def test_labels_are_checked_then_sent(hub: SimulatedHub) -> None:
    app = make_app(hub)
    async with app.run_test(size=(200, 40)) as pilot:
        screen = await open_view(pilot, app)
        await select(pilot, screen, "duckdb-refresh")
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(app.screen, ScheduleLabelsScreen))
        box = app.screen.query_one(Input)
        assert box.value == "name=duckdb-refresh"
        box.value = "name=duckdb-refresh team=data science"
        await pilot.pause()
        box.value = "name=duckdb-refresh team=da:ta"
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert "Invalid label 'team=da:ta'" in screen_text(app)
        assert sent(hub, f"PUT {ONE}/labels") == 0
        box.value = "name=duckdb-refresh team=data"
        await pilot.press("enter")
        await wait_for(pilot, lambda: sent(hub, f"PUT {ONE}/labels") == 1)
        labels = on_hub(hub, "acme-ml", "duckdb-refresh")["jobSpec"]["labels"]
        await wait_for(pilot, lambda: "name=duckdb-refresh team=data" in screen_text(app))
        assert labels == {"name": "duckdb-refresh", "team": "data"}


async def test_past_runs_and_enter_on_one_selects_its_job_in_the_list(hub: SimulatedHub) -> None:
    app = make_app(hub)
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None)
        main = app.main_screen
        main.action_filter()
        await pilot.press(*"zzz")  # a filter that hides every job
        await pilot.press("enter")
        await wait_for(pilot, lambda: main.table.row_count == 0)
        screen = await open_view(pilot, app)
        await select(pilot, screen, "duckdb-refresh")
        wanted = schedule_id(hub, "acme-ml", "duckdb-refresh")
        runs = [
            job for job in app.store if job.initiator is not None and job.initiator.id == wanted
        ]
        assert runs, "the sim's world has past runs of duckdb-refresh"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ScheduleRunsScreen))
        text = screen_text(app)
        assert all(job.id in text for job in runs)
        newest = max(runs, key=lambda job: job.created_at or datetime.min.replace(tzinfo=UTC))
        await pilot.press("enter")  # the newest run is first
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        await wait_for(pilot, lambda: main.selected_job_id == newest.id)
        assert main.listing.filter_text == ""  # the filter that hid it is gone
        assert main.table.selected_job_id == newest.id
        assert newest.id in screen_text(app)  # its details show


async def test_a_run_the_list_does_not_hold_is_fetched_then_selected(hub: SimulatedHub) -> None:
    notices = Notices()
    app = make_app(hub)
    async with app.run_test(size=(200, 40), message_hook=notices) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None)
        main = app.main_screen
        wanted = schedule_id(hub, "alice", "nightly-report")
        runs = [job for job in app.store if job.initiator and job.initiator.id == wanted]
        oldest = min(runs, key=lambda job: job.created_at or datetime.max.replace(tzinfo=UTC))
        app.store.remove(oldest.id)  # as if the list had not reached it yet
        main.refilter()
        selected_before = main.selected_job_id
        path = f"/api/jobs/alice/{oldest.id}"
        hub.faults.fail("GET", path, 404, message="Job not found")
        main.show_job("alice", oldest.id)
        await wait_for(pilot, lambda: notices.said("Could not show job", "Job not found"))
        assert main.selected_job_id == selected_before  # nothing changed
        main.show_job("alice", oldest.id)
        await wait_for(pilot, lambda: main.selected_job_id == oldest.id)
        assert sent(hub, f"GET {path}") >= 2  # asked for it, since the list did not hold it
        assert oldest.id in screen_text(app)


async def test_a_hub_refusal_shows_its_reason_and_changes_nothing(hub: SimulatedHub) -> None:
    notices = Notices()
    app = make_app(hub)
    async with app.run_test(size=(200, 40), message_hook=notices) as pilot:
        screen = await open_view(pilot, app)
        await select(pilot, screen, "mmlu-eval")
        wanted = schedule_id(hub, "alice", "mmlu-eval")
        hub.faults.fail("DELETE", f"/api/scheduled-jobs/alice/{wanted}", 403, message="Not yours")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DeleteScheduleScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: notices.said("Could not delete mmlu-eval", "Not yours"))
        assert wanted in screen.book.schedules
        assert "mmlu-eval" in screen_text(app)
        hub.faults.fail(
            "POST", f"/api/scheduled-jobs/alice/{wanted}/schedule", 400, message="Too often"
        )
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RescheduleScreen))
        app.screen.query_one(Input).value = "* * * * *"
        await pilot.press("enter")
        await wait_for(pilot, lambda: notices.said("Could not reschedule mmlu-eval", "Too often"))
        assert screen.book.schedules[wanted].schedule == "0 9 * * 1"
        assert on_hub(hub, "alice", "mmlu-eval")["schedule"] == "0 9 * * 1"
        assert "At 09:00 on Monday" in screen_text(app)
