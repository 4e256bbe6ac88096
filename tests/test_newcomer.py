"""A newcomer's first hour at 80x24: each test was red before its fix, at the size where the
defect was seen."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from uihelpers import Notices, make_app, screen_text, wait_for

from jobtui.hub import HubClient, Token
from jobtui.sim import SimulatedHub
from jobtui.ui.app import JobsApp
from jobtui.ui.screens.help import HelpScreen
from jobtui.ui.screens.rerun import RerunScreen


def header(app: JobsApp) -> str:
    return screen_text(app).splitlines()[0]


async def test_offline_shows_first_in_the_header_at_80_columns(hub: SimulatedHub) -> None:
    app = make_app(hub)
    notices = Notices()
    async with app.run_test(size=(80, 24), message_hook=notices) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None)
        hub.stop()
        await wait_for(pilot, lambda: "OFFLINE" in header(app), timeout=10)
        assert "retry in" in header(app)
        assert notices.said("Offline: jobtui retries by itself"), "the whole reason, once"
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert "Offline: jobtui retries by itself" in screen_text(app)


async def test_a_refused_token_says_so_with_the_fix_first(hub: SimulatedHub) -> None:
    client = HubClient(hub.url, Token("hf_wrong", "HF_TOKEN"), retries=0)
    app = JobsApp(client, interval=0.5)
    notices = Notices()
    async with app.run_test(size=(80, 24), message_hook=notices) as pilot:
        await wait_for(pilot, lambda: "TOKEN REFUSED" in header(app), timeout=10)
        assert "OFFLINE" not in header(app)
        await wait_for(pilot, lambda: notices.said("Check or unset the HF_TOKEN"))
        first = next(n for n in notices if "HF_TOKEN" in n)
        assert first.startswith("Check or unset the HF_TOKEN environment variable.")
        assert app.poller.polls == 1, "not hammered: the next try is a minute away"


async def test_layout_follows_the_new_size_not_the_old(hub: SimulatedHub) -> None:
    app = make_app(hub)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.main_screen.selected_job_id is not None)
        assert "Owner" not in screen_text(app)
        await pilot.resize_terminal(160, 40)
        await wait_for(pilot, lambda: "Owner" in screen_text(app))
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: "Owner" not in screen_text(app))


async def test_two_namespaces_open_on_a_list_with_owners(hub: SimulatedHub, api: HubClient) -> None:
    account = await api.whoami()
    app = make_app(hub, namespaces=account.namespaces)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None)
        assert "owner" in [column.key for column in app.main_screen.table.columns]


async def marked(pilot: Pilot[Any], app: JobsApp, job_id: str) -> None:
    table = app.main_screen.table
    await wait_for(pilot, lambda: job_id in table.job_ids())
    table.move_cursor(row=table.get_row_index(job_id))
    await wait_for(pilot, lambda: app.main_screen.selected_job_id == job_id)
    await pilot.press("space")


async def test_a_finished_job_cannot_be_marked_and_marks_can_be_cleared(
    hub: SimulatedHub, api: HubClient
) -> None:
    ns = (await api.whoami()).name
    done = await api.run_job(ns, {"dockerImage": "alpine", "command": ["echo", "done"]})
    nap = await api.run_job(ns, {"dockerImage": "alpine", "command": ["sleep", "300"]})
    app = make_app(hub)
    notices = Notices()
    async with app.run_test(size=(80, 24), message_hook=notices) as pilot:
        await marked(pilot, app, done.id)
        assert not app.main_screen.listing.marked
        assert notices.said("Only live jobs can be marked")
        await marked(pilot, app, nap.id)
        assert app.main_screen.listing.marked == {nap.id}
        assert "1 marked" in screen_text(app)
        await pilot.press("M")
        assert not app.main_screen.listing.marked
        assert "marked" not in screen_text(app)


async def test_details_times_move_on_after_a_job_finished(
    hub: SimulatedHub, api: HubClient
) -> None:
    ns = (await api.whoami()).name
    job = await api.run_job(ns, {"dockerImage": "alpine", "command": ["echo", "hi"]})
    clock = [0.0]

    app = make_app(hub, clock=lambda: time.time() + clock[0])
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.main_screen.selected_job_id == job.id)
        await wait_for(pilot, lambda: "Finished" in screen_text(app))
        clock[0] = 600.0  # ten minutes on
        app.main_screen.refresh_times()
        await wait_for(pilot, lambda: "10 minutes ago" in screen_text(app))


async def test_the_log_state_line_does_not_contradict_itself(
    hub: SimulatedHub, api: HubClient
) -> None:
    ns = (await api.whoami()).name
    job = await api.run_job(ns, {"dockerImage": "alpine", "command": ["echo", "one line"]})
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.main_screen.selected_job_id == job.id)
        await wait_for(pilot, lambda: "ended · 1 line " in screen_text(app))
        assert "1 lines" not in screen_text(app)
        assert "waiting for the job to start" not in screen_text(app)


async def test_a_long_finished_log_says_it_shows_only_its_last_lines(
    hub: SimulatedHub, api: HubClient
) -> None:
    ns = (await api.whoami()).name
    job = await api.run_job(ns, {"dockerImage": "alpine", "command": ["seq", "1139"]})
    app = make_app(hub)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.main_screen.selected_job_id == job.id)
        hint = "ended · last 1,000 lines · f loads the whole log"
        await wait_for(pilot, lambda: hint in screen_text(app))


async def test_a_filter_with_no_match_empties_log_and_details_and_escape_comes_back(
    hub: SimulatedHub,
) -> None:
    app = make_app(hub)
    notices = Notices()
    async with app.run_test(size=(120, 36), message_hook=notices) as pilot:
        screen = app.main_screen
        await wait_for(pilot, lambda: screen.table.row_count > 5)
        await pilot.press("down", "down", "down")
        chosen = screen.selected_job_id
        await pilot.press("slash", *"zzz-no-such-job")
        await wait_for(pilot, lambda: screen.table.row_count == 0)
        await wait_for(pilot, lambda: "No job matches the filter" in screen_text(app))
        assert screen.selected_job_id is None and screen.log_pane.job_id is None
        await pilot.press("enter", "c")
        await wait_for(pilot, lambda: notices.said("No job matches the filter"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.selected_job_id == chosen)


async def test_the_cancel_dialog_fits_80_columns(hub: SimulatedHub, api: HubClient) -> None:
    ns = (await api.whoami()).name
    nap = await api.run_job(
        ns, {"dockerImage": "alpine", "command": ["sleep", "300"], "labels": {"name": "nap"}}
    )
    app = make_app(hub)
    async with app.run_test(size=(80, 24)) as pilot:
        await marked(pilot, app, nap.id)  # marks it, which is fine: c cancels marked jobs
        await pilot.press("c")
        await wait_for(pilot, lambda: "Cost so far" in screen_text(app))
        assert nap.id in screen_text(app), "the whole id, not 'Runt…' and a cut id"
        await pilot.press("n")


async def test_rerun_at_80x24_focuses_the_missing_secret_and_asks_before_discarding(
    hub: SimulatedHub, api: HubClient
) -> None:
    ns = (await api.whoami()).name
    source = await api.run_job(
        ns,
        {
            "dockerImage": "alpine",
            "command": ["echo", "hi"],
            "secrets": {"JOBTUI_TEST_NOT_IN_ENV": "v"},
        },
    )
    app = make_app(hub)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.main_screen.selected_job_id == source.id)
        await pilot.press("r", "e")
        await wait_for(pilot, lambda: isinstance(app.screen, RerunScreen))
        await wait_for(pilot, lambda: app.screen.focused is not None)
        focused = app.screen.focused
        assert focused is not None and focused.id == "secret-0", "no three tabs to get there"
        await pilot.press(*"typed")
        await pilot.press("escape")
        await wait_for(pilot, lambda: "escape again to discard" in screen_text(app))
        assert app.screen is not app.main_screen
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen)


async def test_the_filter_line_gives_its_room_back_after_enter(hub: SimulatedHub) -> None:
    app = make_app(hub)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.main_screen
        await wait_for(pilot, lambda: screen.table.row_count > 5)
        rows_before = screen.table.scrollable_content_region.height
        await pilot.press("slash")
        await wait_for(pilot, lambda: "Select first match" in screen_text(app))
        assert "Clear filter" in screen_text(app)
        await pilot.press(*"echo", "enter")
        await wait_for(pilot, lambda: not screen.filter_box.display)
        await pilot.pause(0.1)
        assert screen.table.scrollable_content_region.height == rows_before
        assert "filter “echo”" in screen_text(app)


async def test_i_in_a_wide_terminal_moves_to_details(hub: SimulatedHub) -> None:
    app = make_app(hub)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.main_screen.selected_job_id is not None)
        await pilot.press("i")
        assert app.main_screen.detail.has_focus
        await pilot.press("i")
        assert app.main_screen.table.has_focus


async def test_logging_in_again_in_another_pane_is_picked_up_by_itself(
    hub: SimulatedHub, tmp_path: Path
) -> None:
    path = tmp_path / "token"
    path.write_text("hf_wrong\n")
    client = HubClient(hub.url, Token("hf_wrong", f"the token file {path}"), retries=0)
    app = JobsApp(client, interval=0.5, token_file=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "TOKEN REFUSED" in header(app), timeout=10)
        assert "hf auth login" in (app.main_screen.problem() or "")
        path.write_text(hub.token + "\n")  # `hf auth login` in another pane
        await wait_for(pilot, lambda: app.freshness.last_ok is not None, timeout=10)
        assert "TOKEN REFUSED" not in header(app)
