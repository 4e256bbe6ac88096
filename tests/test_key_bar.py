"""The key bar at the bottom, as a user meets it: the focused pane's keys, the palette's key
on the right at any width, a hovered key's tooltip, and a click that presses the key."""

from __future__ import annotations

from textual.command import CommandPalette
from uihelpers import listed, make_app, screen_text, wait_for

from jobtui.sim import SimulatedHub
from jobtui.ui.app import JobsApp
from jobtui.ui.screens.help import HelpScreen
from jobtui.ui.widgets.key_bar import KeyBar


def bar_line(app: JobsApp) -> str:
    return screen_text(app).splitlines()[-1]


def offset_of(app: JobsApp, text: str) -> int:
    line = bar_line(app)
    assert text in line, line
    return line.index(text)


async def test_the_bar_shows_the_keys_of_the_focused_pane(hub: SimulatedHub) -> None:
    app = make_app(hub)
    async with app.run_test(size=(120, 30)) as pilot:
        await listed(pilot, app)
        line = bar_line(app)
        assert line.startswith(" q Quit  ? Help  / Filter")
        assert line.rstrip().endswith("▏^p palette")
        assert len(line.rstrip()) == 119  # docked right, with the Footer's one cell of padding
        app.main_screen.log_pane.view.focus()
        await wait_for(pilot, lambda: "Follow" in bar_line(app))
        assert bar_line(app).index("Follow") < bar_line(app).index("Quit")
        app.main_screen.table.focus()
        await pilot.press("slash")
        await wait_for(pilot, lambda: "Select first match" in bar_line(app))
        assert "Cancel job" not in bar_line(app)


async def test_at_80_columns_the_palette_key_stays_over_the_keys_that_do_not_fit(
    hub: SimulatedHub,
) -> None:
    app = make_app(hub)
    async with app.run_test(size=(80, 24)) as pilot:
        await listed(pilot, app)
        line = bar_line(app)
        assert len(line) == 80 and line.endswith("▏^p palette ")
        assert "Schedules" not in line  # under the palette's key, as in Textual's Footer
        assert " r Re▏" in line


async def test_clicking_a_key_presses_it_and_hovering_shows_its_tooltip(
    hub: SimulatedHub,
) -> None:
    app = make_app(hub)
    async with app.run_test(size=(120, 30)) as pilot:
        await listed(pilot, app)
        bar = app.main_screen.query_one(KeyBar)
        await pilot.hover(KeyBar, offset=(offset_of(app, "Help"), 0))
        assert bar.tooltip == "this help"
        await pilot.hover(KeyBar, offset=(offset_of(app, "All/live"), 0))
        assert bar.tooltip == "all jobs / only live ones"
        await pilot.click(KeyBar, offset=(offset_of(app, "Help"), 0))
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen))
        await pilot.click(KeyBar, offset=(offset_of(app, "palette"), 0))
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
