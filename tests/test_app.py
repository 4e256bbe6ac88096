"""The monitor, driven with Textual's pilot against the simulated Hub over loopback."""

from __future__ import annotations

import re
import time

from textual.geometry import Region
from uihelpers import make_app, screen_ansi, screen_text, select, wait_for

from jobtui.hub import HubClient
from jobtui.sim import SimulatedHub
from jobtui.ui.widgets.log_view import LogView

HOSTILE = (
    "before"
    "\x1b]52;c;ZWNobyBwd25lZA==\x07"  # clipboard write
    "\x1b]0;pwned title\x1b\\"  # window title
    "\x1b[2J\x1b[H"  # clear screen, cursor home
    "\x9b2J"  # 8-bit CSI
    "\x1bc"  # terminal reset
    " after"
)


async def user_jobs(api: HubClient) -> list[str]:
    ns = (await api.whoami()).name
    return [job.id for job in await api.list_jobs(ns)]


async def test_rows_appear_newest_first_with_details(hub: SimulatedHub, api: HubClient) -> None:
    expected = await user_jobs(api)
    app = make_app(hub)
    async with app.run_test(size=(160, 48)) as pilot:
        # The rows and the end of the poll arrive in either order: wait for both.
        await wait_for(pilot, lambda: app.main_screen.table.job_ids() == expected)
        await wait_for(pilot, lambda: app.freshness.last_ok is not None)
        # The header follows the poll's end by a message: it may come a moment after.
        await wait_for(
            pilot, lambda: all(w in screen_text(app) for w in ("Owner", "running", "updated"))
        )


async def test_new_job_appears_without_moving_the_cursor(hub: SimulatedHub, api: HubClient) -> None:
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.main_screen.table.row_count > 5)
        await pilot.press("down", "down", "down")
        chosen = app.main_screen.table.selected_job_id
        assert chosen is not None
        ns = (await api.whoami()).name
        new = await api.run_job(
            ns,
            {"dockerImage": "alpine", "command": ["sleep", "30"], "labels": {"name": "fresh"}},
        )
        await wait_for(pilot, lambda: new.id in app.main_screen.table.job_ids(), timeout=5)
        assert app.main_screen.table.job_ids()[0] == new.id, "the newest job is on top"
        assert app.main_screen.table.selected_job_id == chosen
        assert app.main_screen.selected_job_id == chosen


async def test_a_finishing_job_updates_its_row_in_place(hub: SimulatedHub, api: HubClient) -> None:
    app = make_app(hub)
    ns = (await api.whoami()).name
    nap = await api.run_job(
        ns, {"dockerImage": "alpine", "command": ["sleep", "1"], "labels": {"name": "short-nap"}}
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None)
        assert nap.id in app.main_screen.table.job_ids()
        rows = app.main_screen.table.row_count
        await wait_for(
            pilot,
            lambda: (job := app.store.get(nap.id)) is not None and job.status.stage == "COMPLETED",
            timeout=8,
        )
        await pilot.pause(0.1)
        assert app.main_screen.table.cells(nap.id)["stage"].plain == "completed"
        assert app.main_screen.table.row_count == rows


async def test_a_change_on_screen_is_drawn_and_the_scrollbar_spans_every_row(
    hub: SimulatedHub, api: HubClient
) -> None:
    """Rows read below the screen do not redraw it (a long first listing drew the same rows
    again for every page); a row on screen that changes is drawn again all the same."""
    ns = (await api.whoami()).name
    nap = await api.run_job(
        ns, {"dockerImage": "alpine", "command": ["sleep", "30"], "labels": {"name": "old-name"}}
    )
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None)
        table = app.main_screen.table
        assert table.row_count > table.size.height, "the list runs past the screen"
        await wait_for(
            pilot, lambda: table.vertical_scrollbar.window_virtual_size == table.row_count + 1
        )

        def row(name: str) -> bool:  # the job's row in the list, not its details
            lines = screen_text(app).splitlines()
            return any(name in line and "alpine" in line and "cpu-basic" in line for line in lines)

        await wait_for(pilot, lambda: row("old-name"))
        await api.relabel_job(ns, nap.id, {"name": "new-name"})
        await wait_for(pilot, lambda: row("new-name"), timeout=5)


async def test_detail_shows_owner_flavor_status_and_price(
    hub: SimulatedHub, api: HubClient
) -> None:
    ns = (await api.whoami()).name
    job = await api.run_job(
        ns,
        {
            "dockerImage": "pytorch/pytorch:2.6.0-cuda12.4-cudnn9-devel",
            "command": ["python", "train.py", "--epochs", "3"],
            "flavor": "a10g-small",
            "environment": {"EPOCHS": "3"},
            "secrets": {"WANDB_API_KEY": "wandb-secret-value"},
            "labels": {"name": "detail-me"},
        },
    )
    app = make_app(hub)
    # Tall enough for every row of Details under the live metrics of a running job.
    async with app.run_test(size=(160, 80)) as pilot:
        await wait_for(pilot, lambda: job.id in app.main_screen.table.job_ids())
        await select(pilot, app, job.id)
        await wait_for(pilot, lambda: "detail-me" in screen_text(app))
        await wait_for(pilot, lambda: "$1.00/hour" in screen_text(app))
        text = screen_text(app)
        for expected in (ns, "(user)", "a10g-small", "Nvidia A10G", "WANDB_API_KEY", "EPOCHS=3"):
            assert expected in text, expected
        assert "SCHEDULING" in text or "RUNNING" in text
        assert "wandb-secret-value" not in text


async def test_log_tail_shows_an_echo_jobs_text(hub: SimulatedHub, api: HubClient) -> None:
    ns = (await api.whoami()).name
    job = await api.run_job(
        ns,
        {"dockerImage": "alpine", "command": ["echo", "hello from the log pane"]},
    )
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.main_screen.table.selected_job_id == job.id)
        await wait_for(pilot, lambda: "hello from the log pane" in screen_text(app))
        await wait_for(pilot, lambda: "ended" in screen_text(app))


async def test_running_job_streams_and_switching_closes_the_old_stream(
    hub: SimulatedHub, api: HubClient
) -> None:
    ns = (await api.whoami()).name
    running = [j for j in await api.list_jobs(ns, stages=["RUNNING"])]
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: running[0].id in app.main_screen.table.job_ids())
        await select(pilot, app, running[0].id)
        view = app.query_one(LogView)
        await wait_for(pilot, lambda: view.line_count > 0)
        await wait_for(pilot, lambda: "streaming" in screen_text(app))
        log_workers = lambda: [  # noqa: E731
            w for w in app.workers if w.group == "logs" and not w.is_finished
        ]
        assert len(log_workers()) == 1
        await select(pilot, app, running[1].id)
        await wait_for(pilot, lambda: app.main_screen.log_pane.job_id == running[1].id)
        await wait_for(pilot, lambda: len(log_workers()) == 1)
        assert log_workers()[0].is_running


async def test_filter_narrows_and_selects_the_first_match(hub: SimulatedHub) -> None:
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None)
        everything = app.main_screen.table.row_count
        await pilot.press("slash")
        await pilot.press(*"h200")
        await wait_for(pilot, lambda: app.main_screen.table.row_count < everything)
        for job_id in app.main_screen.table.job_ids():
            job = app.store.get(job_id)
            assert job is not None and "h200" in (job.flavor or "")
        await pilot.press("end")  # move the input cursor; the table keeps its rows
        await pilot.press("enter")
        assert app.main_screen.table.has_focus
        assert app.main_screen.table.cursor_row == 0
        assert app.main_screen.selected_job_id == app.main_screen.table.job_ids()[0]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.main_screen.table.row_count == everything)


async def test_live_only_toggle(hub: SimulatedHub) -> None:
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None)
        await pilot.press("a")
        await wait_for(
            pilot,
            lambda: all(app.store.get(j).is_live for j in app.main_screen.table.job_ids()),  # type: ignore[union-attr]
        )
        assert app.main_screen.table.row_count > 0
        await pilot.press("a")
        mine = [
            job for job in app.store if job.owner.name == app.main_screen.listing.shown_namespace
        ]
        await wait_for(pilot, lambda: app.main_screen.table.row_count == len(mine))


async def test_offline_then_back_by_itself(hub: SimulatedHub) -> None:
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None)
        rows = app.main_screen.table.row_count
        hub.stop()
        await wait_for(pilot, lambda: "OFFLINE" in screen_text(app), timeout=10)
        assert app.main_screen.table.row_count == rows, "the last good data stays on screen"
        assert "retry in" in screen_text(app)
        hub.start()
        await wait_for(pilot, lambda: "OFFLINE" not in screen_text(app), timeout=15)
        assert "updated" in screen_text(app)


async def test_hostile_log_line_renders_as_harmless_text(hub: SimulatedHub, api: HubClient) -> None:
    ns = (await api.whoami()).name
    job = await api.run_job(
        ns,
        {"dockerImage": "alpine", "command": ["echo", HOSTILE], "labels": {"name": "evil"}},
    )
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.main_screen.table.selected_job_id == job.id)
        await wait_for(pilot, lambda: "before" in screen_text(app))
        assert "after" in screen_text(app)
        raw = screen_ansi(app)
        for dangerous in ("\x1b]", "\x9b", "\x1bc", "\x1b[2J", "\x1b[H", "ZWNobyBwd25lZA"):
            assert dangerous not in raw, repr(dangerous)
        svg = app.export_screenshot()
        assert "]52;" not in svg and "pwned title" not in svg


async def test_a_marked_row_colours_only_its_mark(hub: SimulatedHub) -> None:
    app = make_app(hub)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None)
        job_id = app.main_screen.table.job_ids()[3]
        app.main_screen.table.set_flags({job_id}, ())
        name = app.main_screen.table.cells(job_id)["name"].plain
        segments = list(app.main_screen.table.render_line(1 + 3))  # the header is line 0
        mark = next(seg for seg in segments if seg.text.strip())
        assert mark.text.strip() == "●" and mark.style is not None and mark.style.color
        name_segment = next(seg for seg in segments if name in seg.text)
        assert name_segment.style is None or name_segment.style.color != mark.style.color


async def test_the_cursor_leaves_no_trace_on_the_rows_it_left(hub: SimulatedHub) -> None:
    """A key redraws only the two rows the cursor moved between: the rest of the table
    is drawn from what was painted before, and still only one row is highlighted."""
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None)
        table = app.main_screen.table
        table.focus()
        for key in ("j", "j", "j", "k"):
            await pilot.press(key)
        await wait_for(pilot, lambda: table.cursor_row == 2)
        await pilot.pause()
        cursor = table.get_component_rich_style("job-table--cursor").bgcolor
        painted = table.render_lines(Region(0, 0, table.size.width, 6))  # as last drawn

        def highlighted(line: int) -> bool:
            return any(
                seg.style is not None and seg.style.bgcolor == cursor for seg in painted[line]
            )

        assert [line for line in range(1, 6) if highlighted(line)] == [1 + 2]


async def test_end_in_the_list_follows_the_log_and_leaves_the_list_be(
    hub: SimulatedHub,
) -> None:
    """End (like G) resumes following the log from the list, as the help says; it used to
    scroll the list to its oldest job, away from the cursor."""
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None)
        table, view = app.main_screen.table, app.main_screen.log_pane.view
        table.focus()
        view.following = False
        await pilot.press("end")
        assert view.following
        assert table.scroll_y == 0 and table.cursor_row == 0, "the list stays where it was"


async def test_tab_cycles_the_panes(hub: SimulatedHub) -> None:
    app = make_app(hub)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None)
        order = []
        for _ in range(3):
            order.append(type(app.focused).__name__)
            await pilot.press("tab")
        assert order == ["JobTable", "LogView", "JobDetail"]
        assert type(app.focused).__name__ == "JobTable", "and round again"


async def test_a_clock_tick_while_quitting_does_not_crash(hub: SimulatedHub) -> None:
    """Quitting empties the panes before the last timers stop; a tick may land in between."""
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        live = lambda: [job for job in app.store if job.is_live]  # noqa: E731
        await wait_for(pilot, lambda: bool(live()))
        job_id = live()[0].id
        await select(pilot, app, job_id)
        await wait_for(pilot, lambda: app.main_screen.selected_job_id == job_id)
        await app.main_screen.detail.remove_children()
        await app.main_screen.log_pane.remove_children()
        app.main_screen.refresh_headers()
        app.main_screen.show_detail()
        app.main_screen.log_pane.set_state("ended", "")
        app.main_screen.log_pane.add("one more line")
        app.main_screen.log_pane.flush()
    assert app.return_code in (0, None)


async def test_details_of_a_running_job_follow_the_clock(hub: SimulatedHub) -> None:
    """A clock tick redraws only the clock rows of Details; they must still move, and the
    rest must stay on screen. A live job's seconds tick for its first ten minutes; after that
    its runtime reads in whole minutes, in Details and in the list, so an idle screen is
    redrawn once a minute, not every second."""
    later = [0.0]
    app = make_app(hub, clock=lambda: time.time() + later[0])
    async with app.run_test(size=(160, 70)) as pilot:
        running = lambda: [j for j in app.store if j.is_live and j.started_at]  # noqa: E731
        await wait_for(pilot, lambda: bool(running()))
        job = running()[0]
        await select(pilot, app, job.id)
        await wait_for(pilot, lambda: "so far" in screen_text(app))
        # Young (under ten minutes): the seconds move on screen in Details.
        seconds = lambda: re.findall(r"(\d+) seconds?\W+so\b", screen_text(app))  # noqa: E731
        screen = app.main_screen
        row = lambda: screen.table.cells(job.id)["runtime"].plain  # noqa: E731
        await wait_for(pilot, lambda: bool(seconds()))
        shown = seconds()
        await wait_for(pilot, lambda: seconds() != shown)
        # Two hours on: the rows keep their places, and the runtime is in whole minutes.
        assert not re.search(r"Started +2 hours ago", screen_text(app))
        later[0] = 2 * 3600.0
        await wait_for(pilot, lambda: bool(re.search(r"Started +2 hours ago", screen_text(app))))
        text = screen_text(app)
        assert job.id in text and "Command" in text
        # Details, read on their own: the right-hand pane's lines, wraps joined.
        details = " ".join(
            line.rsplit("││", 1)[1].strip(" │") for line in text.splitlines() if "││" in line
        )
        assert re.search(r"running 2 hours?( and \d+ minutes?)? so far", details), details
        assert not seconds()
        assert re.fullmatch(r"2h \d\dm", row()), row()
