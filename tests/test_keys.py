"""The help screen and the README's key table say the same, both read from the bindings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from uihelpers import make_app, screen_text, wait_for

from jobtui.sim import SimulatedHub
from jobtui.ui.keys import help_rows
from jobtui.ui.screens.help import HelpScreen
from jobtui.ui.screens.main import MainScreen

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_keys() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Keys") :]
    section = section[: section.index("\n\n", section.index("|---|"))]
    return re.findall(r"^\| `([^`]+)` \| (.+?) \|$", section, flags=re.MULTILINE)


@pytest.mark.unit
def test_the_readme_key_table_is_the_help_screen() -> None:
    assert readme_keys() == help_rows(MainScreen), (
        "README's Keys table differs from the bindings' help: update one to match"
    )


@pytest.mark.unit
def test_every_main_screen_action_has_a_help_line() -> None:
    described = {binding.action for binding in MainScreen.BINDINGS if binding.tooltip}  # type: ignore[union-attr]
    assert described == {binding.action for binding in MainScreen.BINDINGS}  # type: ignore[union-attr]


async def test_help_lists_the_keys_and_scrolls_with_j(hub: SimulatedHub) -> None:
    app = make_app(hub)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert "this help" in screen_text(app)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        await pilot.press("j", "j", "j")
        await wait_for(pilot, lambda: help_screen.body.scroll_y > 0)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen))
