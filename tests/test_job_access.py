"""Getting into a job: ssh (`x`, with a fake `ssh` on PATH), its exposed URLs (`p`) and
changing its exposed ports (`P`), against the simulated Hub over loopback."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from uihelpers import Notices, make_app, screen_text, wait_for

import jobtui.ui.app
from jobtui.hub import HubClient, JobInfo
from jobtui.hub.access import NoWayIn, openable_url, ssh_command
from jobtui.sim import SimulatedHub
from jobtui.ui.app import JobsApp
from jobtui.ui.screens.ports import ConfirmPortsScreen, ExposeScreen, PortsScreen


@pytest.mark.unit
def test_ssh_command_is_built_as_hf_jobs_ssh_builds_it() -> None:
    assert ssh_command("ssh://abc123@ssh.hf.jobs") == ["ssh", "abc123@ssh.hf.jobs"]
    assert ssh_command("ssh://abc@host.example:2222") == ["ssh", "-p", "2222", "abc@host.example"]


@pytest.mark.unit
@pytest.mark.parametrize(
    "url",
    [
        "https://abc@host",  # not ssh
        "ssh://host-only",  # no user
        "ssh://-oProxyCommand=touch%20x@host",  # an option in disguise
        "ssh://abc@-oProxyCommand=x",
        "ssh://abc@host:notaport",
    ],
)
def test_an_ssh_url_that_could_smuggle_options_is_refused(url: str) -> None:
    with pytest.raises(NoWayIn):
        ssh_command(url)


@pytest.mark.unit
def test_only_web_urls_are_opened() -> None:
    assert openable_url("https://abc--8000.hf.jobs")
    assert not openable_url("file:///etc/passwd")
    assert not openable_url("javascript:alert(1)")
    assert not openable_url("https://x\x1b]52;c;eA==\x07.hf.jobs")


@pytest.fixture
def fake_ssh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An `ssh` first on PATH that writes its arguments to a file and exits with 3."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "argv.json"
    script = bin_dir / "ssh"
    script.write_text(
        "#!/usr/bin/env python3\nimport json, sys\n"
        f"open({str(record)!r}, 'w').write(json.dumps(sys.argv[1:]))\nsys.exit(3)\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    return record


class SuspendingApp(JobsApp):
    """The headless test driver cannot hand the terminal over (`App.suspend` raises
    SuspendNotSupported there); this app stands in for a real terminal that can, so that the
    real ssh path runs: only the handing over is replaced, never the command or the process."""

    CSS_PATH = str(Path(jobtui.ui.app.__file__).parent / "app.tcss")  # the real app's styles

    @contextlib.contextmanager
    def suspend(self) -> Iterator[None]:
        yield


async def start(api: HubClient, name: str, **extra: Any) -> JobInfo:
    ns = (await api.whoami()).name
    spec = {"dockerImage": "python:3.12", "command": ["sleep", "300"], "labels": {"name": name}}
    return await api.run_job(ns, {**spec, **extra})


async def select(pilot: Pilot[Any], app: JobsApp, job_id: str, stage: str = "") -> None:
    await wait_for(pilot, lambda: app.freshness.last_ok is not None and job_id in app.store)
    if stage:
        await wait_for(pilot, lambda: str(stored(app, job_id).status.stage) == stage)
    table = app.main_screen.table
    await wait_for(pilot, lambda: job_id in table.job_ids())  # rows follow the store
    table.move_cursor(row=table.get_row_index(job_id))
    await wait_for(pilot, lambda: app.main_screen.selected_job_id == job_id)


def stored(app: JobsApp, job_id: str) -> JobInfo:
    job = app.store.get(job_id)
    assert job is not None
    return job


def sent(hub: SimulatedHub, method: str, suffix: str) -> int:
    return sum(1 for m, path in hub.faults.requests if m == method and path.endswith(suffix))


async def test_x_runs_ssh_to_the_jobs_url_and_says_its_exit_status(
    hub: SimulatedHub, api: HubClient, fake_ssh: Path
) -> None:
    job = await start(api, "with-ssh", ssh={"enabled": True})
    notices = Notices()
    app = SuspendingApp(make_app(hub).client, interval=0.5)
    async with app.run_test(size=(120, 36), message_hook=notices) as pilot:
        await select(pilot, app, job.id, "RUNNING")
        await pilot.press("x")
        await wait_for(pilot, lambda: notices.said("exit status 3"))
    assert json.loads(fake_ssh.read_text()) == [f"{job.id}@ssh.hf.jobs"]


async def test_headless_x_explains_and_shows_the_command(
    hub: SimulatedHub, api: HubClient, fake_ssh: Path
) -> None:
    job = await start(api, "with-ssh", ssh={"enabled": True})
    notices = Notices()
    app = make_app(hub)
    async with app.run_test(size=(120, 36), message_hook=notices) as pilot:
        await select(pilot, app, job.id, "RUNNING")
        await pilot.press("x")
        await wait_for(pilot, lambda: notices.said("cannot be handed over", f"ssh {job.id}@"))
    assert not fake_ssh.exists(), "ssh did not run"


async def test_x_explains_no_ssh_not_running_and_ssh_missing(
    hub: SimulatedHub, api: HubClient, fake_ssh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = await start(api, "no-ssh")
    done = await start(api, "done-ssh", ssh={"enabled": True})
    await api.cancel_job(done.owner.name, done.id)
    ssh_job = await start(api, "with-ssh", ssh={"enabled": True})
    notices = Notices()
    app = SuspendingApp(make_app(hub).client, interval=0.5)
    async with app.run_test(size=(120, 36), message_hook=notices) as pilot:
        await select(pilot, app, plain.id, "RUNNING")
        await pilot.press("x")
        await wait_for(pilot, lambda: notices.said("SSH is not enabled on no-ssh"))
        await select(pilot, app, done.id, "CANCELED")
        await pilot.press("x")
        await wait_for(pilot, lambda: notices.said("done-ssh has finished (canceled)"))
        await select(pilot, app, ssh_job.id, "RUNNING")
        monkeypatch.setenv("PATH", "/nonexistent")
        await pilot.press("x")
        await wait_for(pilot, lambda: notices.said("ssh is not installed here"))
    assert not fake_ssh.exists()


async def test_p_picks_an_exposed_url_to_copy_or_open(hub: SimulatedHub, api: HubClient) -> None:
    job = await start(api, "web", expose={"ports": [8000, 7860], "portsPublic": [7860]})
    notices = Notices()
    app = make_app(hub)
    async with app.run_test(size=(120, 36), message_hook=notices) as pilot:
        await select(pilot, app, job.id, "RUNNING")
        urls = stored(app, job.id).status.expose_urls or ()
        assert len(urls) == 2
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PortsScreen))
        assert all(url in screen_text(app) for url in urls)
        await pilot.press("down", "y")
        await wait_for(pilot, lambda: not isinstance(app.screen, PortsScreen))
        assert app.clipboard == urls[1]
        # No browser in a test run (no display): opening shows the URL, as `o` does over ssh.
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PortsScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: notices.said(f"Exposed URL: {urls[0]}"))


async def test_p_on_a_job_with_no_port_says_so(hub: SimulatedHub, api: HubClient) -> None:
    job = await start(api, "quiet")
    notices = Notices()
    app = make_app(hub)
    async with app.run_test(size=(120, 36), message_hook=notices) as pilot:
        await select(pilot, app, job.id)
        await pilot.press("p")
        await wait_for(pilot, lambda: notices.said("quiet exposes no port (P exposes some)"))
        assert not isinstance(app.screen, PortsScreen)


async def open_expose(pilot: Pilot[Any], app: JobsApp, ports: str, public: str) -> None:
    await pilot.press("P")
    await wait_for(pilot, lambda: isinstance(app.screen, ExposeScreen))
    app.screen.query_one("#ports").value = ports  # type: ignore[attr-defined]
    app.screen.query_one("#public").value = public  # type: ignore[attr-defined]
    await pilot.click("#change")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPortsScreen))


async def test_P_changes_ports_after_showing_old_and_new(hub: SimulatedHub, api: HubClient) -> None:
    job = await start(api, "web", expose={"ports": [8000], "portsPublic": []})
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await select(pilot, app, job.id)
        await open_expose(pilot, app, "8000 9000", "7860")
        text = screen_text(app)
        assert "Old: 8000" in text and "New: 8000, 9000, 7860 (public)" in text
        await pilot.press("y")
        await wait_for(pilot, lambda: stored(app, job.id).expose == (8000, 9000, 7860))
        assert stored(app, job.id).expose_public == (7860,)
    assert sent(hub, "PUT", f"/{job.id}/expose") == 1
    on_hub = await api.inspect_job(job.owner.name, job.id)
    assert on_hub.expose == (8000, 9000, 7860) and on_hub.expose_public == (7860,)


@pytest.mark.parametrize("key", ["enter", "escape", "n"])
async def test_P_confirmation_keeps_the_ports_by_default(
    hub: SimulatedHub, api: HubClient, key: str
) -> None:
    job = await start(api, "web", expose={"ports": [8000], "portsPublic": []})
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await select(pilot, app, job.id)
        await open_expose(pilot, app, "9000", "")
        await pilot.press(key)  # enter presses the focused button: "Keep them"
        await wait_for(pilot, lambda: isinstance(app.screen, ExposeScreen))
        await pilot.pause(0.3)
    assert sent(hub, "PUT", "/expose") == 0
    assert (await api.inspect_job(job.owner.name, job.id)).expose == (8000,)


async def test_P_refused_shows_the_hubs_reason_and_changes_nothing(
    hub: SimulatedHub, api: HubClient
) -> None:
    job = await start(api, "web", expose={"ports": [8000], "portsPublic": []})
    hub.faults.fail("PUT", rf".*/{job.id}/expose", 403, message="You cannot expose ports here")
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await select(pilot, app, job.id)
        await open_expose(pilot, app, "9000", "")
        await pilot.press("y")
        await wait_for(pilot, lambda: "Not changed:" in screen_text(app))
        reason = str(app.screen.query_one("#problem").render())
        assert "403 Forbidden): You cannot expose ports here" in reason
        assert isinstance(app.screen, ExposeScreen)
        assert stored(app, job.id).expose == (8000,)
    assert sent(hub, "PUT", "/expose") == 1
    assert (await api.inspect_job(job.owner.name, job.id)).expose == (8000,)
