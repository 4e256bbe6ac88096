"""The rerun preview survives what a Hub may send: markup in names, a secret named twice."""

from __future__ import annotations

from typing import Any

from textual.app import App

from jobtui.hub.models import JobHardwareInfo, JobInfo
from jobtui.ui.screens.rerun import RerunScreen


def hostile_job() -> JobInfo:
    return JobInfo.from_api(
        {
            "id": "d" * 24,
            "dockerImage": "python:3.12 [bold]",
            "command": ["echo", "[/bold]"],
            "flavor": "[/]weird",
            "secrets": ["TWICE", "TWICE"],
            "environment": {"MULTI": "line one\nline two\ttab"},
            "labels": {"name": "[@click=app.quit]x[/]"},
            "status": {"stage": "ERROR"},
            "owner": {"name": "me"},
        }
    )


HARDWARE = {
    "cpu-basic": JobHardwareInfo.from_api(
        {
            "name": "cpu-basic",
            "prettyName": "[/bold] CPU \x1b]0;title\x07",
            "unitCostMicroUSD": 167,
            "unitLabel": "minute",
        }
    )
}


async def test_hostile_strings_and_duplicate_secrets_do_not_break_the_preview() -> None:
    answers: list[dict[str, Any] | None] = []

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(RerunScreen(hostile_job(), HARDWARE, {}), answers.append)

    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        screen = app.screen
        assert isinstance(screen, RerunScreen)
        assert screen.missing == ["TWICE"]
        screen.query_one("#drop-0").value = True  # type: ignore[attr-defined]
        await pilot.pause(0.1)
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
    assert len(answers) == 1 and answers[0] is not None
    spec = answers[0]
    assert spec["environment"] == {"MULTI": "line one\nline two\ttab"}, "sent as the Hub had it"
    assert "secrets" not in spec
