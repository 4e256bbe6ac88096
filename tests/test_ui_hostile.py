"""The monitor against a Hub that sends what no real Hub should: every key still answers,
nothing reaches the terminal or the clipboard raw, and the app stays up."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from hostile_hub import HostileHub, Reply, Request, job
from uihelpers import screen_text, wait_for

from jobtui.hub import HubClient, Token
from jobtui.ui.app import JobsApp

SURROGATE_ID = "0" * 23 + "\ud800"
INJECTED_ID = "1" * 12 + "\n\x1b]0;X\x07echo PASTED\n"
BIG = "x" * 100_000


def jobs() -> list[dict[str, Any]]:
    return [
        job(SURROGATE_ID, "RUNNING", createdAt="2026-05-12T14:00:03Z"),
        job(INJECTED_ID, "RUNNING", createdAt="2026-05-12T14:00:02Z"),
        job(
            "2" * 24,
            "RUNNING",
            createdAt="2026-05-12T14:00:01Z",
            environment={"HUGE": BIG},
            command=["python", BIG],
        ),
    ]


async def handler(request: Request, reply: Reply) -> None:
    if request.path == "/api/jobs/me":
        await reply.json(jobs())
    elif request.path == "/api/jobs/hardware":
        await reply.json([])
    elif request.path.endswith("/logs"):
        await reply.sse_head()
        await asyncio.sleep(30)
    elif request.path.startswith("/api/jobs/me/"):
        await reply.send(404)
    else:
        await reply.send(404)


@pytest.fixture
def hostile() -> Iterator[HostileHub]:
    with HostileHub(handler) as hub:
        yield hub


def app_on(hub: HostileHub) -> JobsApp:
    client = HubClient(hub.url, Token("hf_x", "--token"), retries=0)
    return JobsApp(client, namespaces=["me"], interval=60)


def printable(text: str) -> bool:
    return text.isprintable() and "\n" not in text


async def select(app: JobsApp, pilot: Any, row: int) -> None:
    await wait_for(pilot, lambda: app.main_screen.table.row_count == 3)
    app.main_screen.table.move_cursor(row=row)
    await pilot.pause(0.1)


@pytest.mark.parametrize("row", [0, 1])
async def test_copying_a_hostile_id_copies_only_what_is_shown(
    hostile: HostileHub, row: int
) -> None:
    app = app_on(hostile)
    async with app.run_test(size=(120, 36)) as pilot:
        await select(app, pilot, row)
        await pilot.press("y")
        await pilot.pause(0.1)
        assert app.clipboard and printable(app.clipboard)
        assert "\x1b" not in app.clipboard and "\ud800" not in app.clipboard
        await pilot.press("Y")
        await pilot.pause(0.1)
        assert app.clipboard.startswith("http") and printable(app.clipboard)
        assert app.is_running, "nothing from the Hub ends the app"


async def test_a_100_kB_field_is_cut_in_details_with_a_note(hostile: HostileHub) -> None:
    app = app_on(hostile)
    async with app.run_test(size=(160, 48)) as pilot:
        await select(app, pilot, 2)
        detail = app.main_screen.detail
        await wait_for(pilot, lambda: "python" in screen_text(app))
        assert detail.virtual_size.height < 200, "not 100 kB of wrapped lines"
        detail.scroll_end(animate=False)
        await wait_for(pilot, lambda: "more not shown" in screen_text(app))


async def test_the_filter_finds_a_name_by_what_is_shown(hostile: HostileHub) -> None:
    """`nul\\x00name` is drawn as `nulname`; typing what is on screen must find it."""

    async def named(request: Request, reply: Reply) -> None:
        if request.path == "/api/jobs/me":
            await reply.json(
                [
                    job("3" * 24, "RUNNING", labels={"name": "nul\x00name"}),
                    job("4" * 24, "RUNNING", labels={"name": "other"}),
                ]
            )
        else:
            await handler(request, reply)

    with HostileHub(named) as hub:
        app = app_on(hub)
        async with app.run_test(size=(120, 36)) as pilot:
            table = app.main_screen.table
            await wait_for(pilot, lambda: table.row_count == 2)
            await pilot.press("slash", *"nulname", "enter")
            await wait_for(pilot, lambda: table.job_ids() == ["3" * 24])
