"""Cancel and rerun from the keyboard, against the simulated Hub over loopback."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from textual.pilot import Pilot
from uihelpers import Notices, make_app, screen_ansi, screen_text, select, wait_for

from jobtui.hub import HubClient, JobInfo
from jobtui.sim import SimulatedHub
from jobtui.ui.app import JobsApp
from jobtui.ui.screens.cancel import CancelScreen
from jobtui.ui.screens.rerun import RerunScreen
from jobtui.ui.screens.rerun_confirm import RerunConfirmScreen

LOCAL_SECRET = "local-secret-value-7f3a"
TYPED_SECRET = "typed-secret-value-91c2"
SENT_SECRETS = {"SIM_TEST_TOKEN": "original-a", "SIM_OTHER_KEY": "original-b"}


def posts(hub: SimulatedHub, suffix: str) -> int:
    return sum(
        1 for method, path in hub.faults.requests if method == "POST" and path.endswith(suffix)
    )


async def start(api: HubClient, command: list[str], name: str, **extra: Any) -> JobInfo:
    ns = (await api.whoami()).name
    spec = {"dockerImage": "python:3.12", "command": command, "labels": {"name": name}, **extra}
    return await api.run_job(ns, spec)


async def open_on(pilot: Pilot[Any], app: JobsApp, job_id: str) -> None:
    """Wait for the list, then put the cursor on `job_id`."""
    await wait_for(pilot, lambda: app.freshness.last_ok is not None and job_id in app.store)
    await select(pilot, app, job_id)
    await wait_for(pilot, lambda: app.main_screen.selected_job_id == job_id)


def stage_of(app: JobsApp, job_id: str) -> str:
    job = app.store.get(job_id)
    return "" if job is None else str(job.status.stage)


async def test_cancel_confirmed_cancels_the_job(hub: SimulatedHub, api: HubClient) -> None:
    nap = await start(api, ["sleep", "120"], "long-nap")
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, nap.id)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CancelScreen))
        text = screen_text(app)
        assert "long-nap" in text and nap.id in text and "cpu-basic" in text
        assert app.screen.focused is not None and app.screen.focused.id == "keep"
        await pilot.press("y")
        await wait_for(pilot, lambda: stage_of(app, nap.id) == "CANCELED")
        assert app.main_screen.table.cells(nap.id)["stage"].plain == "canceled"
    assert posts(hub, f"/{nap.id}/cancel") == 1
    assert (await api.inspect_job((await api.whoami()).name, nap.id)).status.stage == "CANCELED"


@pytest.mark.parametrize("key", ["n", "escape", "enter"])
async def test_cancel_dismissed_sends_nothing(hub: SimulatedHub, api: HubClient, key: str) -> None:
    nap = await start(api, ["sleep", "120"], "keep-me")
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, nap.id)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CancelScreen))
        await pilot.press(key)  # enter presses the focused button: "Keep it running"
        await wait_for(pilot, lambda: not isinstance(app.screen, CancelScreen))
        await pilot.pause(0.6)
        assert stage_of(app, nap.id) in ("SCHEDULING", "RUNNING")
    assert posts(hub, "/cancel") == 0


async def test_cancel_of_a_finished_job_explains_and_sends_nothing(
    hub: SimulatedHub, api: HubClient
) -> None:
    done = await start(api, ["echo", "hi"], "already-done")
    app = make_app(hub)
    notices = Notices()
    async with app.run_test(size=(120, 36), message_hook=notices) as pilot:
        await open_on(pilot, app, done.id)
        await pilot.press("c")
        await wait_for(
            pilot, lambda: notices.said("Nothing to cancel", "already-done", "completed")
        )
        assert not isinstance(app.screen, CancelScreen)
    assert posts(hub, "/cancel") == 0


async def test_pressing_c_twice_sends_one_request(hub: SimulatedHub, api: HubClient) -> None:
    nap = await start(api, ["sleep", "120"], "twice")
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, nap.id)
        await pilot.press("c", "y", "c")
        await wait_for(pilot, lambda: stage_of(app, nap.id) == "CANCELED")
        await pilot.press("c")  # now finished: explained, not sent
        await pilot.pause(0.3)
    assert posts(hub, f"/{nap.id}/cancel") == 1


async def test_marked_jobs_are_canceled_after_one_confirmation(
    hub: SimulatedHub, api: HubClient
) -> None:
    naps = [await start(api, ["sleep", "120"], f"marked-{n}") for n in range(3)]
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        for nap in naps:
            await open_on(pilot, app, nap.id)
            await pilot.press("space")
        assert app.main_screen.table.marked == {nap.id for nap in naps}
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CancelScreen))
        text = screen_text(app)
        assert "Cancel these 3 jobs?" in text
        assert all(f"marked-{n}" in text for n in range(3))
        await pilot.press("y")
        await wait_for(pilot, lambda: all(stage_of(app, nap.id) == "CANCELED" for nap in naps))
        assert not app.main_screen.table.marked
    assert posts(hub, "/cancel") == 3


async def test_a_failed_cancel_shows_the_reason_and_the_job_stays(
    hub: SimulatedHub, api: HubClient
) -> None:
    nap = await start(api, ["sleep", "120"], "sturdy")
    app = make_app(hub)
    notices = Notices()
    async with app.run_test(size=(120, 36), message_hook=notices) as pilot:
        await open_on(pilot, app, nap.id)
        hub.faults.fail("POST", f"/api/jobs/.*/{nap.id}/cancel", 500, times=9, message="sched down")
        await pilot.press("c", "y")
        await wait_for(pilot, lambda: notices.said("Could not cancel sturdy", "sched down"))
        await wait_for(pilot, lambda: nap.id not in app.main_screen.table.canceling)
        assert stage_of(app, nap.id) in ("SCHEDULING", "RUNNING")
        assert app.main_screen.table.cells(nap.id)["stage"].plain != "canceling…"
        before = app.freshness.last_ok
        await wait_for(pilot, lambda: app.freshness.last_ok != before)  # still polling


# ---- rerun ---------------------------------------------------------------------------------


async def rerun_source(api: HubClient) -> JobInfo:
    return await start(
        api,
        ["python", "train.py", "--epochs", "3"],
        "to-rerun",
        flavor="a10g-small",
        environment={"EPOCHS": "3", "LR": "3e-5"},
        secrets=SENT_SECRETS,
        timeoutSeconds=1800,
        attempts=2,
        network={"group": "trainers", "aliases": ["head"]},
    )


def all_text(app: JobsApp) -> str:
    return screen_text(app) + screen_ansi(app) + app.export_screenshot()


async def test_rerun_fills_secrets_from_env_and_typing(
    hub: SimulatedHub,
    api: HubClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("SIM_TEST_TOKEN", LOCAL_SECRET)
    monkeypatch.delenv("SIM_OTHER_KEY", raising=False)
    source = await rerun_source(api)
    app = make_app(hub)
    seen: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await open_on(pilot, app, source.id)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RerunConfirmScreen))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RerunScreen))
        await pilot.pause(0.2)
        seen.append(all_text(app))
        text = screen_text(app)
        assert "python:3.12" in text and "train.py --epochs 3" in text
        assert "from your environment" in text and "SIM_OTHER_KEY" in text
        run_button = app.screen.query_one("#run")
        assert run_button.disabled, "a missing secret blocks submit"
        app.screen.query_one("#secret-0").focus()
        await pilot.press(*TYPED_SECRET)
        await pilot.pause(0.1)
        seen.append(all_text(app))
        assert not run_button.disabled
        await pilot.press("ctrl+s", "ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, RerunScreen))
        await wait_for(
            pilot,
            lambda: app.main_screen.selected_job_id not in (None, source.id),
            timeout=10,
        )
        new_id = app.main_screen.selected_job_id
        await wait_for(pilot, lambda: app.main_screen.log_pane.job_id == new_id)
        seen.append(all_text(app))
    ns = (await api.whoami()).name
    assert posts(hub, f"/api/jobs/{ns}") == 2, "the original and exactly one rerun"
    new = await api.inspect_job(ns, new_id or "")
    assert new.docker_image == source.docker_image
    assert new.command == source.command
    assert new.flavor == "a10g-small"
    assert new.environment == {"EPOCHS": "3", "LR": "3e-5"}
    assert new.labels == {"name": "to-rerun"}
    assert set(new.secrets or ()) == set(SENT_SECRETS)
    assert new.timeout_seconds == 1800
    assert new.retry == 1, "attempts 2 sent back as they were"
    assert new.network is not None and new.network.group == "trainers"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for output in (*seen, logged):
        for secret in (LOCAL_SECRET, TYPED_SECRET, *SENT_SECRETS.values(), hub.token):
            assert secret not in output


async def test_rerun_can_drop_a_missing_secret_and_change_flavor_and_env(
    hub: SimulatedHub, api: HubClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SIM_TEST_TOKEN", raising=False)
    monkeypatch.delenv("SIM_OTHER_KEY", raising=False)
    source = await rerun_source(api)
    app = make_app(hub)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_on(pilot, app, source.id)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RerunConfirmScreen))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RerunScreen))
        screen = app.screen
        screen.query_one("#drop-0").value = True  # type: ignore[attr-defined]
        screen.query_one("#drop-1").value = True  # type: ignore[attr-defined]
        screen.query_one("#flavor").value = "t4-small"  # type: ignore[attr-defined]
        screen.query_one("#environment").text = "EPOCHS=5"  # type: ignore[attr-defined]
        await pilot.pause(0.1)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.main_screen.selected_job_id not in (None, source.id))
        new_id = app.main_screen.selected_job_id
    new = await api.inspect_job((await api.whoami()).name, new_id or "")
    assert new.flavor == "t4-small"
    assert new.environment == {"EPOCHS": "5"}
    assert not new.secrets


async def test_a_failed_rerun_shows_the_reason_and_creates_nothing(
    hub: SimulatedHub, api: HubClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIM_TEST_TOKEN", LOCAL_SECRET)
    monkeypatch.setenv("SIM_OTHER_KEY", LOCAL_SECRET)
    source = await rerun_source(api)
    ns = (await api.whoami()).name
    before = len(await api.list_jobs(ns))
    app = make_app(hub)
    notices = Notices()
    async with app.run_test(size=(120, 40), message_hook=notices) as pilot:
        await open_on(pilot, app, source.id)
        hub.faults.fail("POST", f"/api/jobs/{ns}", 500, times=5, message="no capacity")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RerunConfirmScreen))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RerunScreen))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Rerun failed" in screen_text(app))
        assert "no capacity" in screen_text(app), "the Hub's reason, in the dialog"
        assert isinstance(app.screen, RerunScreen), "the edits are still there"
        assert app.main_screen.selected_job_id == source.id
        assert LOCAL_SECRET not in all_text(app)
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen)
        await pilot.press("j")  # the app keeps working
        await wait_for(pilot, lambda: app.main_screen.selected_job_id != source.id)
    assert len(await api.list_jobs(ns)) == before
    assert posts(hub, f"/api/jobs/{ns}") == 2, "the source job, then one failed rerun"


async def test_stage_changes_are_announced(hub: SimulatedHub, api: HubClient) -> None:
    nap = await start(api, ["sleep", "1"], "quick-nap")
    app = make_app(hub)
    notices = Notices()
    async with app.run_test(size=(120, 36), message_hook=notices) as pilot:
        await wait_for(pilot, lambda: nap.id in app.store)
        await wait_for(pilot, lambda: notices.said("quick-nap:", "→ completed"), timeout=10)


async def test_n_switches_namespace_then_shows_all_with_owners(hub: SimulatedHub) -> None:
    app = make_app(hub)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None)
        user, org = app.main_screen.listing.namespaces
        owners = lambda: {app.store.get(j).owner.name for j in app.main_screen.table.job_ids()}  # type: ignore[union-attr]  # noqa: E731
        assert owners() == {user}
        await pilot.press("n")
        await wait_for(pilot, lambda: owners() == {org})
        await pilot.press("n")
        await wait_for(pilot, lambda: owners() == {user, org})
        assert "owner" in [column.key for column in app.main_screen.table.columns]
        await pilot.press("n")
        await wait_for(pilot, lambda: owners() == {user})


async def test_y_and_shift_y_copy_the_id_and_url(hub: SimulatedHub) -> None:
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.main_screen.selected_job_id is not None)
        job = app.main_screen.selected_job()
        assert job is not None
        await pilot.press("y")
        assert app.clipboard == job.id
        await pilot.press("Y")
        assert app.clipboard == job.url


async def test_r_reruns_as_is_through_the_hub_keeping_secrets_retries_network_and_timeout(
    hub: SimulatedHub, api: HubClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    source = await start(
        api,
        ["python", "train.py"],
        "as-it-was",
        secrets=SENT_SECRETS,
        attempts=3,
        network={"group": "trainers", "aliases": ["head"]},
        timeoutSeconds=5400,
    )
    ns = (await api.whoami()).name
    app = make_app(hub)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_on(pilot, app, source.id)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RerunConfirmScreen))
        text = screen_text(app)
        assert "kept by the Hub" in text and "SIM_TEST_TOKEN" in text
        assert "Retries" in text
        seen = all_text(app)
        await pilot.press("enter", "enter", "y")
        await wait_for(pilot, lambda: app.main_screen.selected_job_id not in (None, source.id))
        new_id = app.main_screen.selected_job_id or ""
        await wait_for(pilot, lambda: app.main_screen.log_pane.job_id == new_id)
    assert posts(hub, f"/{source.id}/duplicate") == 1, "sent once, however often pressed"
    assert posts(hub, f"/api/jobs/{ns}") == 1, "only the source was created with a spec"
    new = await api.inspect_job(ns, new_id)
    assert set(new.secrets or ()) == set(SENT_SECRETS)
    assert new.retry == 2
    assert new.network is not None and new.network.group == "trainers"
    assert new.timeout_seconds == 5400
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in SENT_SECRETS.values():
        assert secret not in seen and secret not in logged


async def test_a_refused_rerun_comes_back_to_its_dialog(hub: SimulatedHub, api: HubClient) -> None:
    source = await start(api, ["echo", "hi"], "refused")
    ns = (await api.whoami()).name
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, source.id)
        hub.faults.fail("POST", f"/api/jobs/{ns}/{source.id}/duplicate", 429, times=5)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RerunConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: "Rerun failed" in screen_text(app))
        assert isinstance(app.screen, RerunConfirmScreen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen)
    assert posts(hub, "/duplicate") == 1
