"""`L` (name and labels), the filter language and `b` (labels in use), and the command
palette (`ctrl+p`), from the keyboard against the simulated Hub over loopback."""

from __future__ import annotations

from typing import Any

from textual.command import CommandPalette
from textual.pilot import Pilot
from uihelpers import Notices, make_app, screen_text, wait_for

from jobtui.hub import HubClient, JobInfo
from jobtui.sim import SimulatedHub
from jobtui.ui.app import JobsApp
from jobtui.ui.screens.cancel import CancelScreen
from jobtui.ui.screens.label_picker import LabelPickerScreen
from jobtui.ui.screens.labels import LabelsScreen


def relabels(hub: SimulatedHub) -> int:
    return sum(
        1 for method, path in hub.faults.requests if method == "PUT" and path.endswith("/labels")
    )


async def start(api: HubClient, name: str, **labels: str) -> JobInfo:
    ns = (await api.whoami()).name
    spec = {
        "dockerImage": "python:3.12",
        "command": ["sleep", "300"],
        "labels": {"name": name, **labels},
    }
    return await api.run_job(ns, spec)


async def open_on(pilot: Pilot[Any], app: JobsApp, job_id: str) -> None:
    await wait_for(pilot, lambda: app.freshness.last_ok is not None and job_id in app.store)
    table = app.main_screen.table
    await wait_for(pilot, lambda: job_id in table.job_ids())
    table.move_cursor(row=table.get_row_index(job_id))
    await wait_for(pilot, lambda: app.main_screen.selected_job_id == job_id)


async def edit_labels(pilot: Pilot[Any], app: JobsApp, name: str, labels: str) -> LabelsScreen:
    await pilot.press("L")
    await wait_for(pilot, lambda: isinstance(app.screen, LabelsScreen))
    screen = app.screen
    assert isinstance(screen, LabelsScreen)
    screen.name_input.value = name
    screen.labels_input.value = labels
    await pilot.press("ctrl+s")
    return screen


async def test_label_edit_sends_one_put_and_the_list_shows_it(
    hub: SimulatedHub, api: HubClient
) -> None:
    nap = await start(api, "old-name", team="speech")
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, nap.id)
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(app.screen, LabelsScreen))
        text = screen_text(app)
        assert "old-name" in text and "team=speech" in text  # what the job has now
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, LabelsScreen))
        await edit_labels(pilot, app, "new-name", "team=evals wip")
        await wait_for(pilot, lambda: not isinstance(app.screen, LabelsScreen))
        # At once, from the Hub's answer, not at the next poll.
        assert app.main_screen.table.cells(nap.id)["name"].plain == "new-name"
        job = app.store.get(nap.id)
        assert job is not None and job.labels == {"name": "new-name", "team": "evals", "wip": ""}
    assert relabels(hub) == 1
    ns = (await api.whoami()).name
    assert (await api.inspect_job(ns, nap.id)).labels == {
        "name": "new-name",
        "team": "evals",
        "wip": "",
    }


async def test_a_label_the_hub_would_refuse_is_refused_before_sending(
    hub: SimulatedHub, api: HubClient
) -> None:
    nap = await start(api, "keep-me")
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, nap.id)
        screen = await edit_labels(pilot, app, "keep-me", "model=Qwen3-0.6B")
        await pilot.pause(0.3)
        assert app.screen is screen, "the editor stays open to fix the label"
        text = screen_text(app)
        assert "Not sent" in text and "Qwen3-0.6B" in text and "'.'" in text
    assert relabels(hub) == 0


async def test_a_hub_refusal_is_shown_with_its_reason_and_nothing_changes(
    hub: SimulatedHub, api: HubClient
) -> None:
    nap = await start(api, "theirs", team="speech")
    ns = (await api.whoami()).name
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_on(pilot, app, nap.id)
        hub.faults.fail(
            "PUT", f"/api/jobs/{ns}/{nap.id}/labels", 403, message="You may not relabel this job"
        )
        screen = await edit_labels(pilot, app, "mine", "team=evals")
        await wait_for(pilot, lambda: "You may not relabel this job" in screen_text(app))
        assert app.screen is screen
        assert app.main_screen.table.cells(nap.id)["name"].plain == "theirs"
        job = app.store.get(nap.id)
        assert job is not None and job.labels == {"name": "theirs", "team": "speech"}
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, LabelsScreen))
    assert relabels(hub) == 1
    assert (await api.inspect_job(ns, nap.id)).labels == {"name": "theirs", "team": "speech"}


async def test_typed_filter_terms_combine(hub: SimulatedHub, api: HubClient) -> None:
    tagged = await start(api, "tagged-run", team="zeta-team")
    await start(api, "other-run", team="other")
    app = make_app(hub)
    notices = Notices()
    async with app.run_test(size=(120, 36), message_hook=notices) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None and tagged.id in app.store)
        await pilot.press("slash", *"label:team=zeta-team stage:live")
        await wait_for(pilot, lambda: app.main_screen.table.job_ids() == [tagged.id])
        await pilot.press("enter")
        assert app.main_screen.selected_job_id == tagged.id
        assert "label:team=zeta-team" in screen_text(app)  # the list's title names it
        await pilot.press("slash", *" stage:")
        await wait_for(pilot, lambda: "needs a value" in screen_text(app))
        await pilot.press("enter")  # a filter that does not read is not taken
        await wait_for(pilot, lambda: notices.said("stage: needs a value"))
        assert app.main_screen.filter_box.has_focus


async def test_the_labels_picker_counts_labels_and_filters_by_the_one_picked(
    hub: SimulatedHub, api: HubClient
) -> None:
    first = await start(api, "picked-1", batch="b7")
    second = await start(api, "picked-2", batch="b7")
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None and second.id in app.store)
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, LabelPickerScreen))
        picker = app.screen
        assert isinstance(picker, LabelPickerScreen)
        assert ("batch", "b7", 2) in picker.labels
        lines = [line for line in screen_text(app).splitlines() if "label:batch=b7" in line]
        assert lines and "2 jobs" in lines[0]
        options = picker.query_one("#labels")
        index = [key for key, *_ in picker.labels].index("batch")
        options.highlighted = index  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, LabelPickerScreen))
        assert app.main_screen.filter_text == "label:batch=b7"
        await wait_for(
            pilot, lambda: sorted(app.main_screen.table.job_ids()) == sorted([first.id, second.id])
        )


async def test_palette_finds_a_job_by_name_and_selects_it(
    hub: SimulatedHub, api: HubClient
) -> None:
    wanted = await start(api, "needle-in-haystack")
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None and wanted.id in app.store)
        # Hidden by a filter first: the palette shows it anyway.
        app.main_screen.set_filter("stage:completed")
        assert wanted.id not in app.main_screen.table.job_ids()
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"needle-in-hay")
        await wait_for(pilot, lambda: "Job: needle-in-haystack" in screen_text(app))
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: app.main_screen.selected_job_id == wanted.id)


async def test_palette_runs_an_action_of_the_selected_job(
    hub: SimulatedHub, api: HubClient
) -> None:
    nap = await start(api, "cancel-me")
    app = make_app(hub)
    notices = Notices()
    async with app.run_test(size=(120, 36), message_hook=notices) as pilot:
        await open_on(pilot, app, nap.id)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"cancel job")
        await wait_for(pilot, lambda: "Cancel job" in screen_text(app))
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CancelScreen))
        assert "cancel-me" in screen_text(app)
        await pilot.press("n")
    assert not any(path.endswith("/cancel") for _, path in hub.faults.requests)


async def test_palette_keeps_textual_theme_commands_and_offers_views(
    hub: SimulatedHub, api: HubClient
) -> None:
    app = make_app(hub)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"theme")
        await wait_for(pilot, lambda: "Change the current theme" in screen_text(app))
        await pilot.press(*["backspace"] * 5, *"live jobs")
        await wait_for(pilot, lambda: "View: live jobs" in screen_text(app))
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: app.main_screen.listing.live_only)
        assert "View: schedules" not in screen_text(app)  # no schedules view on this branch


async def test_started_with_a_filter_the_hub_lists_only_its_matches(
    hub: SimulatedHub, api: HubClient
) -> None:
    ns = (await api.whoami()).name
    wanted = await start(api, "the-one", batch="b9")
    finished = [job for job in await api.list_jobs(ns) if not job.is_live]
    app = make_app(hub, filter_text="label:batch=b9")
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.freshness.last_ok is not None)
        await wait_for(pilot, lambda: app.main_screen.table.job_ids() == [wanted.id])
        assert "label:batch=b9" in screen_text(app)
        # The history was not read: no finished job is held (only the match, and the live
        # jobs each poll asks for); the request counts are in test_filtering.py.
        assert finished and not any(job.id in app.store for job in finished)
