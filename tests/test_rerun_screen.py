"""The rerun preview survives what a Hub may send: markup in names, a secret named twice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.app import App
from uihelpers import screen_text

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


def sent(specs: list[dict[str, Any] | None]) -> Callable[[dict[str, Any]], Awaitable[JobInfo]]:
    """A stand-in for the Hub: this screen is tested alone; the stories send for real."""

    async def send(spec: dict[str, Any]) -> JobInfo:
        specs.append(spec)
        return rich_job()

    return send


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
            self.push_screen(RerunScreen(hostile_job(), HARDWARE, {}, send=sent(answers)))

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


def rich_job() -> JobInfo:
    return JobInfo.from_api(
        {
            "id": "e" * 24,
            "dockerImage": "pytorch/pytorch:2.5",
            "command": ["python", "train.py"],
            "arguments": ["--epochs", "3"],
            "flavor": "cpu-basic",
            "timeoutSeconds": 5400,
            "labels": {"team": "vision", "run": "r7"},
            "volumes": [
                {"type": "dataset", "source": "acme/corpus", "mountPath": "/data", "readOnly": True}
            ],
            "resourceGroupId": "rg-123",
            "status": {"stage": "ERROR"},
            "owner": {"name": "me"},
        }
    )


async def test_the_preview_shows_every_field_that_is_sent() -> None:
    """The fixed part of the preview is drawn from the dict that is POSTed, so each sent
    value (other than the edited flavor, environment and secrets) is on screen."""
    answers: list[dict[str, Any] | None] = []

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(RerunScreen(rich_job(), HARDWARE, {}, send=sent(answers)))

    app = Host()
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause(0.2)
        shown = screen_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
    spec = answers[0]
    assert spec is not None
    for value in ("pytorch/pytorch:2.5", "python train.py", "--epochs 3", "1 hour and 30 minutes"):
        assert value in shown
    for key, value in spec["labels"].items():
        assert f"{key}={value}" in shown
    assert "dataset acme/corpus → /data (read-only)" in shown
    assert spec["resourceGroupId"] in shown
