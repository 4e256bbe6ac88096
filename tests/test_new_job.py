"""`+`: the new-job form, against the simulated Hub over loopback. What the preview shows is
what the Hub receives; "copy as command" gives an `hf jobs run` line that the official CLI
turns into the same job; secret values never reach the screen or a log."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Select, TextArea
from uihelpers import make_app, screen_text, select, wait_for

from jobtui.hub import HubClient, JobInfo
from jobtui.hub.draft import (
    DraftError,
    JobDraft,
    draft_from_job,
    parse_labels,
    parse_ports,
    parse_secret_names,
    parse_timeout,
)
from jobtui.sim import SimulatedHub
from jobtui.ui.app import JobsApp
from jobtui.ui.screens.new_job import NewJobScreen

SECRET_NAME = "JOBTUI_FORM_SECRET"
SECRET_VALUE = "form-secret-value-5d1e"
HF = Path(sys.executable).parent / "hf"

DRAFT = JobDraft(
    image="python:3.12",
    command=("python", "-c", "print('hi there')"),
    flavor="t4-small",
    environment={"MODE": "fast run"},
    secret_names=(SECRET_NAME,),
    timeout_seconds=5400,
    name="form-job",
    labels={"team": "vision", "flag": ""},
    expose=(8000,),
    expose_public=(7860,),
    ssh=True,
)


@pytest.mark.unit
def test_a_draft_is_sent_as_the_official_client_sends_it() -> None:
    spec = DRAFT.spec({SECRET_NAME: "v"})
    assert spec == {
        "dockerImage": "python:3.12",
        "command": ["python", "-c", "print('hi there')"],
        "arguments": [],
        "environment": {"MODE": "fast run"},
        "flavor": "t4-small",
        "secrets": {SECRET_NAME: "v"},
        "timeoutSeconds": 5400,
        "labels": {"team": "vision", "flag": "", "name": "form-job"},
        "expose": {"ports": [8000, 7860], "portsPublic": [7860]},
        "ssh": {"enabled": True},
    }
    assert DRAFT.spec()["secrets"] == [SECRET_NAME], "the preview holds names only"
    space = JobDraft(image="hf.co/spaces/acme/tool", command=("run",)).spec()
    assert space["spaceId"] == "acme/tool" and "dockerImage" not in space


@pytest.mark.unit
def test_the_command_line_carries_secret_names_never_values() -> None:
    line = DRAFT.command_line()
    assert line.startswith("hf jobs run --detach --flavor t4-small --timeout 5400s")
    assert f"--secrets {SECRET_NAME} " in line and "-e 'MODE=fast run'" in line
    assert "--expose 8000 --expose-public 7860 --ssh python:3.12" in line
    assert line.endswith("python -c 'print('\"'\"'hi there'\"'\"')'")


@pytest.mark.unit
def test_bad_fields_say_what_to_fix() -> None:
    assert parse_timeout("30m") == 1800 and parse_timeout("1.5h") == 5400
    assert parse_timeout("") is None
    assert parse_ports("8000, 7860") == (8000, 7860)
    assert parse_labels("a=b c") == {"a": "b", "c": ""}
    for parse, text, message in [
        (parse_timeout, "soon", "not a duration"),
        (parse_ports, "80000", "not a port number"),
        (parse_labels, "model=Qwen3-0.6B", "letters, digits"),
        (parse_secret_names, "HF_TOKEN=hf_abc", "names only"),
        (parse_secret_names, "not-a-name", "not an environment variable name"),
    ]:
        with pytest.raises(DraftError, match=message):
            parse(text)  # type: ignore[operator]


async def open_form(pilot: Pilot[Any], app: JobsApp) -> NewJobScreen:
    await wait_for(pilot, lambda: app.freshness.last_ok is not None and app.poller.hardware)
    await pilot.press("plus")
    await wait_for(pilot, lambda: isinstance(app.screen, NewJobScreen))
    screen = app.screen
    assert isinstance(screen, NewJobScreen)
    return screen


def fill(screen: NewJobScreen, draft: JobDraft) -> None:
    values = {
        "image": draft.image,
        "command": "python -c \"print('hi there')\"",
        "secrets": " ".join(draft.secret_names),
        "timeout": "1.5h",
        "name": draft.name,
        "labels": "team=vision flag",
        "expose": "8000",
        "public": "7860",
    }
    for key, value in values.items():
        screen.query_one(f"#{key}", Input).value = value
    screen.query_one("#flavor", Select).value = draft.flavor
    screen.query_one("#environment", TextArea).text = "MODE=fast run"
    screen.query_one("#ssh", Checkbox).value = draft.ssh


def posts(hub: SimulatedHub) -> int:
    return sum(1 for m, path in hub.faults.requests if m == "POST" and path.count("/") == 3)


async def test_run_sends_what_the_preview_shows_once_and_the_job_appears(
    hub: SimulatedHub,
    api: HubClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv(SECRET_NAME, SECRET_VALUE)
    app = make_app(hub)
    async with app.run_test(size=(120, 50)) as pilot:
        screen = await open_form(pilot, app)
        fill(screen, DRAFT)
        await pilot.pause(0.2)
        assert screen.draft == DRAFT
        previewed = screen.draft.spec()
        shown = screen_text(app)
        for text in ("python:3.12", "print('\"'\"'hi there", "1 hour and 30 minutes"):
            assert text in shown, text
        assert "value from your environment" in shown and SECRET_VALUE not in shown
        await pilot.press("ctrl+s", "ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, NewJobScreen))
        new_id = app.main_screen.selected_job_id
        assert new_id is not None and new_id in app.main_screen.table.job_ids()
        assert SECRET_VALUE not in screen_text(app)
    assert posts(hub) == 1
    received = await api.inspect_job((await api.whoami()).name, new_id)
    assert draft_from_job(received).spec() == previewed
    assert received.secrets == (SECRET_NAME,)
    assert SECRET_VALUE not in caplog.text and SECRET_VALUE not in repr(hub.faults.requests)


async def test_a_refusal_returns_to_the_form_with_the_hubs_reason(
    hub: SimulatedHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_NAME, SECRET_VALUE)
    hub.faults.fail("POST", r"/api/jobs/[^/]+", 403, message="Jobs need a payment method")
    app = make_app(hub)
    async with app.run_test(size=(120, 50)) as pilot:
        screen = await open_form(pilot, app)
        fill(screen, DRAFT)
        await pilot.pause(0.1)
        before = {job.id for job in app.store}
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "refused" in str(screen.query_one("#problem").render()))
        assert "Jobs need a payment method" in str(screen.query_one("#problem").render())
        assert app.screen is screen and screen.draft == DRAFT, "the form is kept"
        assert {job.id for job in app.store} == before
        assert not screen.query_one("#run").disabled, "the user may send it again"
    assert posts(hub) == 1


async def test_a_secret_missing_from_the_environment_blocks_run(
    hub: SimulatedHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_NAME, raising=False)
    app = make_app(hub)
    async with app.run_test(size=(120, 50)) as pilot:
        screen = await open_form(pilot, app)
        fill(screen, DRAFT)
        await pilot.pause(0.1)
        assert "not set in your environment" in str(screen.query_one("#problem").render())
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert app.screen is screen
    assert posts(hub) == 0


async def test_copy_as_command_makes_the_same_job_with_the_official_cli(
    hub: SimulatedHub, api: HubClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The copied line, run by `hf` itself, starts a job equal to the one the form starts."""
    monkeypatch.setenv(SECRET_NAME, SECRET_VALUE)
    app = make_app(hub)
    async with app.run_test(size=(120, 50)) as pilot:
        screen = await open_form(pilot, app)
        fill(screen, DRAFT)
        await pilot.pause(0.1)
        await pilot.click("#copy")
        await pilot.pause(0.1)
        line = app.clipboard
        assert SECRET_VALUE not in line
        assert line.startswith(f"hf jobs run --detach --namespace {hub.world.user} ")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, NewJobScreen))
        from_form = app.main_screen.selected_job_id
    env = {
        **os.environ,
        "HF_ENDPOINT": hub.url,
        "HF_TOKEN": hub.token,
        "HF_HOME": str(tmp_path),
        "HF_HUB_DISABLE_UPDATE_CHECK": "1",
    }
    assert line.startswith("hf ")
    done = subprocess.run(
        f"{HF} {line[3:]}", shell=True, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    ns = (await api.whoami()).name
    jobs = await api.list_jobs(ns)
    by_cli = next(j for j in jobs if j.name == DRAFT.name and j.id != from_form)
    assert from_form is not None
    by_form = await api.inspect_job(ns, from_form)
    assert draft_from_job(by_cli) == draft_from_job(by_form) == DRAFT


async def test_the_form_fills_in_from_the_selected_job(hub: SimulatedHub, api: HubClient) -> None:
    ns = (await api.whoami()).name
    original: JobInfo = await api.run_job(ns, DRAFT.spec({SECRET_NAME: "x"}))
    app = make_app(hub)
    async with app.run_test(size=(120, 50)) as pilot:
        await select(pilot, app, original.id)  # once its row is drawn, not just stored
        screen = await open_form(pilot, app)
        assert screen.query_one("#image", Input).value == "", "empty until asked"
        await pilot.click("#prefill")
        await pilot.pause(0.2)
        assert screen.draft is None, f"{SECRET_NAME} is not in this environment"
        assert screen.read_form() == DRAFT
