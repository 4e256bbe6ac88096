"""User stories that once broke without a test noticing: each drives the monitor the way a
person does, against the simulated Hub over loopback."""

from __future__ import annotations

import time
from typing import Any

import httpx2
import pytest
from textual.pilot import Pilot
from uihelpers import Notices, make_app, screen_text, select, wait_for

from jobtui.hub import HubClient, JobInfo
from jobtui.sim import SimulatedHub
from jobtui.ui.app import JobsApp


async def start(api: HubClient, command: list[str], name: str, **extra: Any) -> JobInfo:
    ns = (await api.whoami()).name
    spec = {"dockerImage": "alpine", "command": command, "labels": {"name": name}, **extra}
    return await api.run_job(ns, spec)


async def open_log(pilot: Pilot[Any], app: JobsApp, job_id: str, *, lines: int) -> None:
    """Select the job and wait until its log has `lines` lines and has ended."""
    screen = app.main_screen
    await wait_for(pilot, lambda: job_id in screen.table.job_ids())
    await select(pilot, app, job_id)
    view = screen.log_pane.view
    await wait_for(pilot, lambda: screen.log_pane.job_id == job_id and view.written >= lines)


async def test_scrolling_the_log_up_pauses_following_and_G_resumes(
    hub: SimulatedHub, api: HubClient
) -> None:
    job = await start(api, ["seq", "400"], "counting")
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_log(pilot, app, job.id, lines=400)
        view = app.main_screen.log_pane.view
        await wait_for(pilot, lambda: "400" in screen_text(app))
        view.focus()
        await pilot.press("k", "k", "k")
        await wait_for(pilot, lambda: "paused, G or end to follow" in screen_text(app))
        assert not view.following
        assert view.scroll_y < view.max_scroll_y, "the last line scrolled away"
        await pilot.press("G")
        await wait_for(pilot, lambda: view.following)
        await wait_for(pilot, lambda: "paused" not in screen_text(app))
        assert view.scroll_y == view.max_scroll_y


async def test_G_in_the_job_list_follows_the_log_and_keeps_the_job(
    hub: SimulatedHub, api: HubClient
) -> None:
    job = await start(api, ["seq", "400"], "counting")
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_log(pilot, app, job.id, lines=400)
        screen = app.main_screen
        screen.log_pane.view.focus()
        await pilot.press("k", "k")
        await wait_for(pilot, lambda: not screen.log_pane.view.following)
        screen.table.focus()
        await pilot.press("G")
        await wait_for(pilot, lambda: screen.log_pane.view.following)
        assert screen.selected_job_id == job.id, "G does not jump to the oldest job"


async def test_log_lines_caps_the_pane_and_says_so(hub: SimulatedHub, api: HubClient) -> None:
    job = await start(api, ["seq", "300"], "counting")
    app = make_app(hub, log_lines=50)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_log(pilot, app, job.id, lines=300)
        view = app.main_screen.log_pane.view
        assert view.line_count == 50
        await wait_for(pilot, lambda: "(last 50 kept)" in screen_text(app))
        assert "300" in screen_text(app)


async def test_a_namespace_the_token_may_not_list_is_named_and_the_others_show(
    hub: SimulatedHub, api: HubClient
) -> None:
    user = (await api.whoami()).name
    mine = {job.id for job in await api.list_jobs(user)}
    app = make_app(hub, namespaces=["someone-else", user])
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None)
        await wait_for(pilot, lambda: "no access to someone-else" in screen_text(app))
        assert "OFFLINE" not in screen_text(app)
        assert {job.id for job in app.store} == mine


async def test_new_jobs_appear_at_the_top_while_the_cursor_is_at_the_top(
    hub: SimulatedHub, api: HubClient
) -> None:
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.main_screen.table
        await wait_for(pilot, lambda: table.row_count > 5)
        assert table.cursor_row == 0
        new = await start(api, ["sleep", "30"], "brand-new-job")
        await wait_for(pilot, lambda: "brand-new-job" in screen_text(app))
        assert table.job_ids()[0] == new.id
        assert table.scroll_y == 0, "the view stays at the top, where the new job is"


async def test_bell_rings_when_a_job_fails(
    hub: SimulatedHub, api: HubClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(hub, bell=True)
    rings: list[None] = []
    # A headless terminal has no bell to hear: count the calls instead.
    monkeypatch.setattr(app, "bell", lambda: rings.append(None))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None)
        assert not rings
        await start(api, ["sleep", "60"], "doomed", timeoutSeconds=1)
        await wait_for(pilot, lambda: bool(rings), timeout=15)


async def test_no_bell_without_the_flag(hub: SimulatedHub, api: HubClient) -> None:
    app = make_app(hub)
    rings: list[None] = []
    app.bell = lambda: rings.append(None)  # type: ignore[method-assign]
    notices = Notices()
    async with app.run_test(size=(120, 36), message_hook=notices) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None)
        await start(api, ["sleep", "60"], "doomed", timeoutSeconds=1)
        await wait_for(pilot, lambda: notices.said("doomed", "error"), timeout=15)
        assert not rings


async def test_i_swaps_the_details_in_on_a_narrow_terminal(hub: SimulatedHub) -> None:
    app = make_app(hub)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.main_screen
        await wait_for(pilot, lambda: screen.selected_job_id is not None)
        await pilot.pause(0.2)
        assert not screen.detail.display or screen.detail.region.width == 0
        assert "Owner" not in screen_text(app)
        await pilot.press("i")
        await wait_for(pilot, lambda: "Owner" in screen_text(app))
        assert screen.log_pane.region.width == 0, "the log makes room"
        await pilot.press("i")
        await wait_for(pilot, lambda: "Owner" not in screen_text(app))


async def test_o_shows_the_url_when_there_is_no_display(
    hub: SimulatedHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5555 10.0.0.2 22")
    app = make_app(hub)
    opened: list[str] = []
    app.open_url = lambda url, **_: opened.append(url)  # type: ignore[method-assign]
    notices = Notices()
    async with app.run_test(size=(120, 36), message_hook=notices) as pilot:
        await wait_for(pilot, lambda: app.main_screen.selected_job() is not None)
        job = app.main_screen.selected_job()
        assert job is not None
        await pilot.press("o")
        await wait_for(pilot, lambda: notices.said("Job page:", job.url))
        assert not opened, "no browser is started far from the user"


async def test_k_while_lines_keep_coming_is_never_lost(hub: SimulatedHub, api: HubClient) -> None:
    job = await start(api, ["seq", "400"], "counting")
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_log(pilot, app, job.id, lines=400)
        view = app.main_screen.log_pane.view
        view.focus()
        await pilot.press("end")  # at the end, following, whatever the layout did meanwhile
        await wait_for(pilot, lambda: view.scroll_y == view.max_scroll_y > 0)
        bottom = view.scroll_y
        for presses in range(1, 4):
            await pilot.press("k")
            view.write_lines([f"more {presses}"])  # a flush lands right after the key
            await pilot.pause(0.05)
            assert view.scroll_y == bottom - presses, "each k moved the view up by one"


async def test_a_restarted_job_shows_a_separator_in_its_log(
    hub: SimulatedHub, api: HubClient
) -> None:
    """A job re-queued after a lost node logs a second start: users debugging a stuck job
    must see that, not have it skipped."""
    ns = (await api.whoami()).name
    candidates = []
    for job in await api.list_jobs(ns):
        lines = [line for _, line in hub.world.logs(ns, job.id).lines][-900:]
        if any(line.startswith("===== Job started at") for line in lines):
            candidates.append(job.id)
    assert candidates, "the seeded history has re-queued jobs"
    app = make_app(hub)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = app.main_screen
        await wait_for(pilot, lambda: candidates[0] in screen.table.job_ids())
        await select(pilot, app, candidates[0])
        view = screen.log_pane.view
        await wait_for(pilot, lambda: screen.log_pane.job_id == candidates[0] and view.written)
        await wait_for(pilot, lambda: view.find("restarted at") is not None)
        index = view.find("restarted at")
        assert index is not None
        view.focus()
        view.scroll_to(y=index, animate=False, immediate=True)
        await wait_for(pilot, lambda: "(re-queued: started again)" in screen_text(app))


async def test_a_scheduled_job_produces_runs_that_appear_while_jobtui_watches() -> None:
    now = [time.time()]
    with SimulatedHub(seed=2, jobs=5, keepalive=1.0, clock=lambda: now[0]) as hub:
        app = make_app(hub)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for(pilot, lambda: app.freshness.last_ok is not None)
            user = app.main_screen.listing.shown_namespace
            async with httpx2.AsyncClient(
                base_url=hub.url, headers={"Authorization": f"Bearer {hub.token}"}
            ) as http:
                answer = await http.post(
                    f"/api/scheduled-jobs/{user}",
                    json={
                        "jobSpec": {"dockerImage": "alpine", "command": ["sleep", "600"]},
                        "schedule": "* * * * *",
                    },
                )
                assert answer.status_code == 200, answer.text
            before = set(app.main_screen.table.job_ids())
            now[0] += 61  # the next minute comes
            await wait_for(pilot, lambda: set(app.main_screen.table.job_ids()) - before)
            new = (set(app.main_screen.table.job_ids()) - before).pop()
            job = app.store.get(new)
            assert job is not None and job.initiator is not None
            assert job.initiator.type == "scheduled-job"


async def test_e_jumps_to_the_first_failure_of_a_failed_job(
    hub: SimulatedHub, api: HubClient
) -> None:
    ns = (await api.whoami()).name
    failed = [job for job in await api.list_jobs(ns) if job.status.stage == "ERROR"]
    with_traceback = [
        job
        for job in failed
        if any(
            line.startswith("Traceback (most recent call last):")
            for _, line in hub.world.logs(ns, job.id).lines[-900:]
        )
    ]
    assert with_traceback, "the seeded history has failed jobs with tracebacks"
    job = with_traceback[0]
    app = make_app(hub)
    notices = Notices()
    async with app.run_test(size=(160, 40), message_hook=notices) as pilot:
        screen = app.main_screen
        await wait_for(pilot, lambda: job.id in screen.table.job_ids())
        await select(pilot, app, job.id)
        view = screen.log_pane.view
        await wait_for(pilot, lambda: screen.log_pane.job_id == job.id and view.written > 0)
        await wait_for(pilot, lambda: "ended" in screen_text(app))
        await pilot.press("e")
        await wait_for(pilot, lambda: notices.said("Line", "e again for the next"))
        assert not view.following, "the jump holds still while lines come"
        index = view.find("Traceback (most recent call last):")
        assert index is not None
        first = view.next_match(lambda text: "Traceback" in text or "Error" in text, None)
        assert first is not None and first <= index
        assert view.scroll_y <= first <= view.scroll_y + view.size.height


async def test_slash_in_the_log_searches_the_whole_buffer_and_n_steps_through_matches(
    hub: SimulatedHub, api: HubClient
) -> None:
    job = await start(api, ["seq", "900"], "counting")
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_log(pilot, app, job.id, lines=900)
        screen = app.main_screen
        view = screen.log_pane.view
        view.focus()
        await pilot.press("slash", *"77")
        # Matches far above the drawn window count too.
        count = sum("77" in str(n) for n in range(1, 901))
        await wait_for(pilot, lambda: f"search: {count} matches" in screen_text(app))
        assert screen.list_pane.border_title is not None
        assert "filter" not in str(screen.list_pane.border_title), "not the job filter"
        await pilot.press("enter")
        await wait_for(pilot, lambda: f"match 1 of {count}" in screen_text(app))
        assert not view.following
        assert view.scroll_y <= view.find("77") <= view.scroll_y + view.size.height  # type: ignore[operator]
        await pilot.press("n", "n")
        await wait_for(pilot, lambda: f"match 3 of {count}" in screen_text(app))
        await pilot.press("N")
        await wait_for(pilot, lambda: f"match 2 of {count}" in screen_text(app))
        await pilot.press("slash", "escape")
        await wait_for(pilot, lambda: "search:" not in screen_text(app))


def test_a_query_with_a_capital_is_case_sensitive_and_re_is_a_regex() -> None:
    from jobtui.ui.widgets.log_search import Search, compile_query

    lines = ["Error one", "error two", "ERROR three", "fine"]
    for query, expected in (("error", [0, 1, 2]), ("Error", [0]), ("re:^e.*two$", [1])):
        pattern = compile_query(query)
        assert not isinstance(pattern, str)
        search = Search(pattern)
        search.run(lines)
        assert search.matches == expected, query
    assert isinstance(compile_query("re:("), str), "a broken regex says so, no traceback"
