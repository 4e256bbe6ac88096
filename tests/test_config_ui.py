"""The settings as a user meets them in the app: rebound keys, a remembered theme, NO_COLOR,
and the mouse (click a row, click a dialog button, wheel over a pane)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from textual import events
from textual.command import CommandPalette
from uihelpers import Notices, listed, make_app, screen_text, wait_for

from jobtui.settings import Settings, StateFile
from jobtui.sim import SimulatedHub
from jobtui.ui.app import JobsApp
from jobtui.ui.screens.cancel import CancelScreen
from jobtui.ui.screens.help import HelpScreen
from jobtui.ui.widgets.log_view import LogView

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from screenshots import SEED, demo_app, frozen, loaded, select  # noqa: E402


async def test_a_rebound_key_works_and_the_help_and_footer_say_so(hub: SimulatedHub) -> None:
    app = make_app(hub, settings=Settings(keys={"app.help": "f1", "jobs.toggle_live": "L"}))
    async with app.run_test(size=(100, 30)) as pilot:
        await listed(pilot, app)
        await pilot.press("question_mark")  # the old key does nothing now
        await pilot.pause(0.2)
        assert not isinstance(app.screen, HelpScreen)
        footer = screen_text(app).splitlines()[-1]
        assert "f1 Help" in footer.replace("F1", "f1") and "L All/live" in footer
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_text = screen_text(app)
        assert re.search(r"f1\s+this help", help_text)
        assert re.search(r"L\s+all jobs / only live ones", help_text)
        assert not re.search(r"\?\s+this help", help_text)


async def test_a_theme_chosen_in_the_app_is_there_after_a_restart(
    hub: SimulatedHub, tmp_path: Path
) -> None:
    state = StateFile(tmp_path / "state" / "state.json")
    first = make_app(hub, state=state)
    async with first.run_test(size=(80, 24)) as pilot:
        await listed(pilot, first)
        assert first.theme == "textual-dark"
        first.theme = "textual-light"  # what the command palette's theme picker does
        await pilot.pause(0.1)
    assert state.theme() is not None and state.theme()[0] == "textual-light"  # type: ignore[index]

    from jobtui.cli import build_parser
    from jobtui.settings import unset_flag_defaults
    from jobtui.ui.setup import load_settings

    parser = build_parser()
    unset_flag_defaults(parser)
    args = parser.parse_args(["--config", str(tmp_path / "none.toml")])
    (tmp_path / "none.toml").write_text("")
    settings = load_settings(args, {}, state)
    assert isinstance(settings, Settings)
    second = make_app(hub, settings=settings, state=state)
    async with second.run_test(size=(80, 24)) as pilot:
        await listed(pilot, second)
        assert second.theme == "textual-light"
        assert second.current_theme.dark is False


async def test_stage_colours_follow_the_theme(hub: SimulatedHub) -> None:
    app = make_app(hub)
    async with app.run_test(size=(100, 30)) as pilot:
        await listed(pilot, app)
        dark = app.export_screenshot()
        app.theme = "textual-light"
        await pilot.pause(0.3)
        light = app.export_screenshot()
    # The theme's readable success green: light on dark, dark on light.
    assert "#8ad4a1" in dark.lower() and "#8ad4a1" not in light.lower()
    assert "#337e4a" in light.lower()


async def test_no_color_draws_in_greys(hub: SimulatedHub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(hub)
    async with app.run_test(size=(80, 24)) as pilot:
        await listed(pilot, app)
        svg = app.export_screenshot()
    # The colours the app drew (text classes and cell backgrounds), not the SVG's window frame.
    colours = set(re.findall(r"\.terminal-r\d+ \{ fill: #([0-9a-f]{6})", svg.lower()))
    colours |= set(re.findall(r'<rect fill="#([0-9a-f]{6})"', svg.lower()))
    assert colours
    coloured = {c for c in colours if len({c[0:2], c[2:4], c[4:6]}) > 1}
    assert not coloured, f"colours drawn despite NO_COLOR: {sorted(coloured)}"


async def test_clicking_a_row_selects_that_job(hub: SimulatedHub) -> None:
    app = make_app(hub)
    async with app.run_test(size=(100, 30)) as pilot:
        await listed(pilot, app)
        table = app.main_screen.table
        assert table.cursor_row == 0
        third = table.job_ids()[3]
        # The header is the table's first line: the fourth job is on its fifth.
        await pilot.click(table, offset=(10, 4))
        await wait_for(pilot, lambda: app.main_screen.selected_job_id == third)


async def test_the_cancel_dialog_buttons_answer_clicks(hub: SimulatedHub) -> None:
    app = make_app(hub)
    async with app.run_test(size=(100, 30)) as pilot:
        await listed(pilot, app)
        running = next(
            job_id
            for job_id in app.main_screen.table.job_ids()
            if (job := app.store.get(job_id)) is not None and job.is_live
        )
        app.main_screen.table.move_cursor(row=app.main_screen.table.get_row_index(running))
        await wait_for(pilot, lambda: app.main_screen.selected_job_id == running)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CancelScreen))
        assert await pilot.click("#keep")
        await wait_for(pilot, lambda: not isinstance(app.screen, CancelScreen))
        assert not [p for m, p in hub.faults.requests if m == "POST" and p.endswith("/cancel")]
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CancelScreen))
        assert await pilot.click("#cancel")
        await wait_for(
            pilot,
            lambda: any(
                m == "POST" and p.endswith(f"{running}/cancel") for m, p in hub.faults.requests
            ),
        )


def wheel(app: JobsApp, x: float, y: float, *, down: bool) -> None:
    """A wheel turn where the terminal says the pointer is, through the app's own routing."""
    kind = events.MouseScrollDown if down else events.MouseScrollUp
    app.post_message(kind(None, x, y, 0, 0, 0, False, False, False, screen_x=x, screen_y=y))


async def test_the_wheel_scrolls_the_pane_under_the_pointer() -> None:
    # The demo's world (a running job with a log longer than its pane), on a port of its own.
    with SimulatedHub(scenario="demo", jobs=25, seed=SEED, clock=frozen) as hub:
        app = demo_app(hub)
        async with app.run_test(size=(80, 24)) as pilot:
            await loaded(pilot, app)
            await select(pilot, app, "RUNNING")
            table, log = app.main_screen.table, app.query_one(LogView)
            assert log.line_count > log.size.height + 2
            table.focus()
            await pilot.pause()
            over_log = log.region.center
            log_y = log.scroll_y
            for _ in range(3):
                wheel(app, *over_log, down=False)
            await wait_for(pilot, lambda: log.scroll_y < log_y)
            assert table.scroll_y == 0 and table.has_focus  # the focused list did not move
            over_table = table.region.center
            for _ in range(3):
                wheel(app, *over_table, down=True)
            await wait_for(pilot, lambda: table.scroll_y > 0)


async def test_a_config_warning_is_shown_once_at_start(hub: SimulatedHub) -> None:
    warning = "config.toml, line 2: unknown setting 'intreval', ignored (did you mean 'interval'?)"
    app = make_app(hub, settings=Settings(warnings=(warning,)))
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices) as pilot:
        await listed(pilot, app)
        await pilot.pause(1.2)  # a few polls and clock ticks later
    assert notices.count(warning) == 1


async def test_a_dialog_says_and_takes_the_users_key(hub: SimulatedHub) -> None:
    app = make_app(hub, settings=Settings(keys={"cancel.confirm": "Y"}))
    async with app.run_test(size=(100, 30)) as pilot:
        await listed(pilot, app)
        running = next(
            job_id
            for job_id in app.main_screen.table.job_ids()
            if (job := app.store.get(job_id)) is not None and job.is_live
        )
        app.main_screen.table.move_cursor(row=app.main_screen.table.get_row_index(running))
        await wait_for(pilot, lambda: app.main_screen.selected_job_id == running)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CancelScreen))
        assert "Y cancels · n or escape keeps it running" in screen_text(app)
        await pilot.press("y")  # the shipped key no longer cancels
        await pilot.pause(0.2)
        assert isinstance(app.screen, CancelScreen)
        await pilot.press("Y")
        await wait_for(
            pilot,
            lambda: any(
                m == "POST" and p.endswith(f"{running}/cancel") for m, p in hub.faults.requests
            ),
        )


async def test_the_palette_names_the_users_key_for_an_action(hub: SimulatedHub) -> None:
    app = make_app(hub, settings=Settings(keys={"jobs.stats": "f7"}))
    async with app.run_test(size=(120, 36)) as pilot:
        await listed(pilot, app)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"stats")
        await wait_for(pilot, lambda: "(key: f7)" in screen_text(app))
        assert "(key: t)" not in screen_text(app)
