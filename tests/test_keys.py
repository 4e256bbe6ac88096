"""The help screen and the README's key table say the same, both read from the bindings."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.binding import Binding
from uihelpers import make_app, screen_text, wait_for

from jobtui.sim import SimulatedHub
from jobtui.ui.keys import help_rows, help_sections, scopes, with_readme_keys
from jobtui.ui.screens.help import HelpScreen
from jobtui.ui.screens.main import MainScreen

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.unit
def test_the_readme_key_tables_are_the_help_screen() -> None:
    text = README.read_text(encoding="utf-8")
    assert with_readme_keys(text, MainScreen) == text, (
        "README's key tables differ from the bindings' help: run scripts/readme_keys.py"
    )


@pytest.mark.unit
def test_help_is_grouped_by_view_and_every_key_is_in_one_group() -> None:
    sections = dict(help_sections(MainScreen))
    assert list(sections)[:2] == ["Main screen and job list", "Log"]
    assert ("s", "stats view: sort by the next column") in sections["Stats view (t)"]
    assert all(what.startswith("log:") for _, what in sections["Log"])
    assert sum(len(rows) for rows in sections.values()) == len(help_rows(MainScreen))


@pytest.mark.unit
def test_every_binding_a_user_can_rebind_has_an_id_of_its_own() -> None:
    seen: dict[str, str] = {}
    for scope in scopes(MainScreen):
        for node in scope:
            for binding in node.BINDINGS:
                assert isinstance(binding, Binding)
                if binding.tooltip:
                    assert binding.id, f"{node.__name__}: {binding.key} has no id"
                if binding.id:
                    assert "." in binding.id, binding.id
                    # One id in two places is one action (e.g. G in the log and on the
                    # screen): a [keys] line moves both, so they must start the same.
                    keys = set(binding.key.split(","))
                    assert set(seen.setdefault(binding.id, binding.key).split(",")) == keys, (
                        binding.id
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
