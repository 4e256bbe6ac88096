"""The head start: a helper process asks the Hub for whoami, the prices and the newest jobs
while the app starts, and the monitor goes on from its answers without asking twice."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hostile_hub import HostileHub, Reply, Request
from hostile_hub import job as hostile_job
from uihelpers import wait_for

from jobtui.hub import HubClient, Token
from jobtui.hub import head_start as head_start_module
from jobtui.hub.head_start import HeadStart
from jobtui.monitor.poller import Freshness, JobsChanged, Poller, PollFinished, Report
from jobtui.monitor.store import JobStore
from jobtui.sim import SimulatedHub


class RecordingClient(HubClient):
    """The real client over loopback, noting every request this process sends."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asked: list[str] = []

    async def _attempt(self, method: str, url: str, params: Any, *rest: Any) -> Any:
        query = "&".join(f"{k}={v}" for k, v in params or ())
        self.asked.append(f"{method} {url}{'?' + query if query else ''}")
        return await super()._attempt(method, url, params, *rest)


def begin(hub: SimulatedHub, token: str | None = None, **order: Any) -> HeadStart:
    head = HeadStart.begin(hub.url, Token(token or hub.token, "--token"), **order)
    assert head is not None
    return head


async def test_the_helper_brings_the_account_prices_and_the_newest_page(
    hub: SimulatedHub, api: HubClient
) -> None:
    head = begin(hub, namespace=None, whoami=True)
    assert hub.token not in repr(head.process.args), "never on a command line"
    answers = await head.answers()
    assert answers is not None
    account = await api.whoami()
    assert answers.account == account
    assert answers.namespace == account.name
    page, rest = await api.first_job_page(account.name)
    assert answers.page is not None
    assert [job.id for job in answers.page] == [job.id for job in page]
    assert answers.page[0].labels == page[0].labels  # read-only mappings cross the pipe
    assert rest is not None and answers.rest == rest
    assert {flavor.name for flavor in answers.hardware or ()} == {
        flavor.name for flavor in await api.list_hardware()
    }
    assert answers.budget.sent == 3
    assert answers.budget.quota == 100_000, "the Hub's rate limit headers come along"


def poller_for(client: HubClient, head: HeadStart | None) -> tuple[Poller, list[Report]]:
    reports: list[Report] = []
    poller = Poller(client, JobStore(), reports.append)
    poller.head_start = head
    if head is not None:
        client.hold()
    return poller, reports


async def test_a_start_from_the_head_start_asks_nothing_twice_and_shows_first(
    hub: SimulatedHub, api: HubClient
) -> None:
    client = RecordingClient(hub.url, Token(hub.token, "--token"))
    poller, reports = poller_for(client, begin(hub, namespace=None, whoami=True))
    asked_when_painted: list[list[str]] = []

    async def painted() -> None:
        asked_when_painted.append(list(client.asked))

    poller.painted = painted
    async with client:
        await poller.poll_once()
    finished = reports[-1]
    assert isinstance(finished, PollFinished) and finished.freshness.error is None
    # The newest jobs were on screen before this process sent a single request.
    assert asked_when_painted == [[]]
    first = next(r for r in reports if isinstance(r, JobsChanged))
    newest, _ = await api.first_job_page("alice")
    assert {job.id for job in first.diff.added} == {job.id for job in newest}
    # Nothing the helper asked was asked again: no whoami, no prices, no first page.
    assert not any("whoami" in url or "hardware" in url for url in client.asked)
    assert "GET /api/jobs/alice" not in client.asked
    assert any(url.startswith("GET http") and "/api/jobs/alice?" in url for url in client.asked)
    everyone = {job.id for ns in ("alice", "acme-ml") for job in await api.list_jobs(ns)}
    assert {job.id for job in poller.store} >= everyone - {job.id for job in newest}
    assert len(poller.store) >= len(everyone) - 2  # jobs the Hub started meanwhile aside
    assert poller.hardware, "the prices came from the helper"
    assert client.budget.sent == len(client.asked) + 3, "the helper's requests are counted"


async def test_a_refused_token_is_said_as_without_a_head_start(hub: SimulatedHub) -> None:
    client = HubClient(hub.url, Token("hf_not_this_one", "--token"))
    poller, reports = poller_for(client, begin(hub, "hf_not_this_one", namespace=None, whoami=True))
    async with client:
        await poller.poll_once()
    freshness: Freshness = reports[-1].freshness  # type: ignore[union-attr]
    assert freshness.token_refused and freshness.error is not None
    assert "token" in freshness.error.lower()


async def test_a_helper_that_fails_leaves_the_client_to_ask_everything(
    hub: SimulatedHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(head_start_module, "HELPER", (sys.executable, "-c", "print('oops')"))
    client = RecordingClient(hub.url, Token(hub.token, "--token"))
    poller, reports = poller_for(client, begin(hub, namespace="alice", whoami=True))
    async with client:
        await poller.poll_once()
    assert reports[-1].freshness.error is None  # type: ignore[union-attr]
    assert "GET /api/whoami-v2" in client.asked and "GET /api/jobs/alice" in client.asked
    assert len(poller.store) >= 100


def test_a_helper_that_cannot_start_is_no_head_start(
    hub: SimulatedHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(head_start_module, "HELPER", ("/nonexistent/python",))
    token = Token(hub.token, "--token")
    assert HeadStart.begin(hub.url, token, namespace=None, whoami=True) is None


async def test_a_head_start_page_the_hub_refused_leaves_the_listing_to_the_client(
    hub: SimulatedHub,
) -> None:
    """The cache was another account's (the token is alice's now): the Hub refuses the
    helper that account's page, and alice's jobs are listed as usual."""
    client = RecordingClient(hub.url, Token(hub.token, "--token"))
    poller, _ = poller_for(client, begin(hub, namespace="nobody", whoami=True))
    async with client:
        await poller.poll_once()
    assert {job.owner.name for job in poller.store} <= {"alice", "acme-ml"}
    assert "GET /api/jobs/alice" in client.asked


async def test_quitting_while_the_helper_still_waits_on_the_hub_stops_it_at_once(
    hub: SimulatedHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = (sys.executable, "-c", "import sys, time; sys.stdin.read(); time.sleep(30)")
    monkeypatch.setattr(head_start_module, "HELPER", slow)
    head = begin(hub, namespace=None, whoami=True)
    client = HubClient(hub.url, Token(hub.token, "--token"))
    poller, _ = poller_for(client, head)
    polling = asyncio.create_task(poller.poll_once())
    await asyncio.sleep(0.3)
    started = time.monotonic()
    polling.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await polling
    await asyncio.to_thread(head.process.wait, 5.0)
    assert time.monotonic() - started < 2.0, "the quit waited for the helper"
    assert head.process.returncode is not None
    await client.aclose()


def test_the_helper_starts_before_textual_or_httpx_is_imported(tmp_path: Path) -> None:
    """What makes the head start pay: the helper asks while the monitor imports Textual, so it
    must be started before that import (and before httpx's, which the monitor defers)."""
    probe = """
import sys
from jobtui.hub import head_start
def begin(*args, **kwargs):
    print("textual" in sys.modules, "httpx2._client" in sys.modules)
    raise SystemExit(0)
head_start.HeadStart.begin = begin
from jobtui.cli import main
main([])
"""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "HF_ENDPOINT": "http://127.0.0.1:9",
        "HF_TOKEN": "hf_probe_token",
    }
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.split() == ["False", "False"], done.stdout + done.stderr


def test_with_a_proxy_set_there_is_no_head_start(
    hub: SimulatedHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The helper's plain connection would go past the proxy httpx goes through: with one
    set, the monitor asks everything itself, through it."""
    for name in ("HTTPS_PROXY", "https_proxy", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.test:3128")
    token = Token(hub.token, "--token")
    assert HeadStart.begin(hub.url, token, namespace=None, whoami=True) is None
    monkeypatch.delenv("HTTP_PROXY")
    head = HeadStart.begin(hub.url, token, namespace=None, whoami=True)
    assert head is not None
    head.close()


def linked_to(link: str, status: int = 200) -> Any:
    async def handler(request: Request, reply: Reply) -> None:
        if request.path == "/api/whoami-v2":
            await reply.json({"name": "me", "orgs": []})
        elif request.path == "/api/jobs/hardware":
            await reply.json([], status=status)
        else:
            await reply.json([hostile_job("j1"), hostile_job("j2")], headers={"Link": link})

    return handler


async def test_the_helper_follows_no_next_page_link_to_another_host() -> None:
    """The token goes with the next page's request: a link to another host is not where the
    listing goes on (the monitor's client says the same, see test_client)."""
    with HostileHub(linked_to('<http://evil.test/api/jobs/me?cursor=2>; rel="next"')) as hub:
        head = begin_at(hub.url)
        answers = await head.answers()
    assert answers is not None and answers.page is not None
    assert [job.id for job in answers.page] == ["j1", "j2"]
    assert answers.rest is None
    assert all("evil" not in request.path for request in hub.requests)


async def test_the_helper_goes_on_from_a_relative_next_link_and_skips_what_it_cannot_read() -> None:
    with HostileHub(
        linked_to('<?cursor=2>; rel="prev", </api/jobs/me?cursor=3>; rel="next"', 500)
    ) as hub:
        head = begin_at(hub.url)
        answers = await head.answers()
    assert answers is not None and answers.rest is not None
    assert answers.rest.next_page == f"{hub.url}/api/jobs/me?cursor=3"
    assert answers.rest.ids == {"j1", "j2"}
    assert answers.hardware is None, "a 500 is left to the monitor's client, which says why"
    assert answers.budget.sent == 3


def begin_at(url: str) -> HeadStart:
    head = HeadStart.begin(url, Token("hf_probe_token", "--token"), namespace=None, whoami=True)
    assert head is not None
    return head


async def test_an_answer_there_before_the_screen_is_in_its_first_frame_then_the_rest_comes(
    hub: SimulatedHub,
) -> None:
    """The helper usually answers before the screen mounts: its page is in the first frame
    (not cached rows, then a frame later these), and the listing goes on from it."""
    head = begin(hub, namespace=None, whoami=True)
    await asyncio.to_thread(head.process.wait, 10)
    client = RecordingClient(hub.url, Token(hub.token, "--token"), retries=0)
    app = make_app_with(client, head)
    first_frame: list[tuple[int, int]] = []
    async with app.run_test(size=(120, 36)) as pilot:
        app.call_after_refresh(
            lambda: first_frame.append((app.main_screen.table.row_count, len(client.asked)))
        )
        await wait_for(pilot, lambda: first_frame)
        answers = head.answered_now()
        assert answers is not None and answers.page is not None
        # The helper's page, whole, in the first frame, before this process sent a request.
        assert first_frame == [(len(answers.page), 0)]
        await wait_for(pilot, lambda: app.freshness.last_ok is not None, timeout=30)
        assert app.main_screen.table.row_count > 100, "the rest of the listing came"
        assert "GET /api/whoami-v2" not in client.asked
        assert not any(ask.endswith("/api/jobs/alice") for ask in client.asked), "not asked twice"


def make_app_with(client: HubClient, head: HeadStart) -> Any:
    from jobtui.ui.app import JobsApp

    app = JobsApp(client, interval=0.5)
    app.poller.head_start = head
    client.hold()
    return app


async def test_the_garbage_collector_the_command_turns_off_is_on_from_the_first_frame(
    hub: SimulatedHub,
) -> None:
    """`jobtui` starts with the cyclic collector off (jobtui.start): a session that runs for
    days must have it back once the first frame is on screen."""
    import gc

    from uihelpers import make_app

    app = make_app(hub)
    gc.disable()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: gc.isenabled())
            assert app.main_screen.is_mounted
    finally:
        gc.enable()


@pytest.mark.parametrize(("set_by_user", "drawn"), [(None, 120), ("30", 30)])
def test_the_command_draws_up_to_120_frames_a_second_unless_the_user_said(
    set_by_user: str | None, drawn: int
) -> None:
    """A key's frame waits for the next frame of Textual's grid: up to 8 ms at 120 a second,
    17 at Textual's 60 (jobtui.start). A TEXTUAL_FPS the user set is theirs."""
    env = {key: value for key, value in os.environ.items() if key != "TEXTUAL_FPS"}
    if set_by_user is not None:
        env["TEXTUAL_FPS"] = set_by_user
    code = (
        "import sys; sys.argv = ['jobtui', '--version']\n"
        "from jobtui.start import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "import textual.constants\nprint(textual.constants.MAX_FPS)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.stdout.split()[-1] == str(drawn), done.stderr
