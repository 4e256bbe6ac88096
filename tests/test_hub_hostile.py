"""The client against a hostile Hub over real loopback HTTP (issue 8): every failure is a
`HubError` with a clear message, in bounded time and memory, and nothing is lost."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import time
import zlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hostile_hub import HostileHub, Reply, Request, job, log_event

from jobtui.hub import (
    DeadlineExceeded,
    HubClient,
    HubError,
    HubUnreachable,
    InvalidRequest,
    InvalidResponse,
    ListingStopped,
    ResponseTooLarge,
    ServerError,
    Token,
)
from jobtui.hub import logs as hub_logs

SECRET = "hf_never_shown_123"


@contextlib.asynccontextmanager
async def serve(handler: Any, **options: Any) -> AsyncIterator[tuple[HostileHub, HubClient]]:
    with HostileHub(handler) as hub:
        options.setdefault("backoff", 0.01)
        async with HubClient(hub.url, Token(SECRET, "HF_TOKEN"), **options) as client:
            yield hub, client


# ---- #3: ids and namespaces from the Hub never break a request ------------------------

ODD_IDS = {
    "bell": "0000\x07bell",
    "newline and escape": "x\n\x1b]0;X\x07echo PASTED\n",
    "slash and query": "a/b?c=d#e",
    "space and percent": "a b%20c",
    "non-ascii": "café🤗",
}


async def echo_paths(request: Request, reply: Reply) -> None:
    """Answers every job call with a job whose id is the decoded path segment it was asked."""
    parts = request.raw_path.split("/")
    if request.path == "/api/whoami-v2":
        await reply.json({"name": "me", "orgs": [{"name": "org\x1b[31m"}]})
    elif request.path.endswith(("/logs", "/metrics")):
        await reply.sse_head()
        await reply.raw(log_event("hello"))
    elif len(parts) == 4:  # /api/jobs/{ns}: a list, or a run
        await reply.json([job("j1")] if request.method == "GET" else job("new"))
    else:
        from urllib.parse import unquote

        await reply.json(job(unquote(parts[4])))


@pytest.mark.parametrize("job_id", ODD_IDS.values(), ids=ODD_IDS.keys())
async def test_odd_ids_are_percent_encoded_and_reach_the_hub_intact(job_id: str) -> None:
    async with serve(echo_paths) as (hub, client):
        seen = await client.inspect_job("me", job_id)
        await client.cancel_job("me", job_id)
        await client.duplicate_job("me", job_id)
        lines = [line.text async for line in client.stream_logs("me", job_id)]
    assert seen.id == job_id, "the Hub saw exactly the id, one path segment"
    assert lines == ["hello"]
    paths = [r.path for r in hub.requests]
    assert f"/api/jobs/me/{job_id}/cancel" in paths
    assert f"/api/jobs/me/{job_id}/duplicate" in paths
    assert all(r.raw_path.isascii() and r.raw_path.isprintable() for r in hub.requests)


async def test_an_org_with_an_escape_from_whoami_can_be_listed() -> None:
    async with serve(echo_paths) as (hub, client):
        org = (await client.whoami()).orgs[0]
        jobs = await client.list_jobs(org)
    assert [j.id for j in jobs] == ["j1"]
    assert hub.requests[-1].path == f"/api/jobs/{org}"


LONE = "0000\ud800"


def deeply_nested() -> list[object]:
    nested: list[object] = []
    for _ in range(100_000):
        nested = [nested]
    return nested


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.inspect_job("me", LONE),
        lambda c: c.cancel_job("me", LONE),
        lambda c: c.duplicate_job("me", LONE),
        lambda c: c.relabel_job("me", LONE, {"a": "b"}),
        lambda c: c.list_jobs(LONE),
        lambda c: c.list_jobs("me", labels={"k": LONE}),
        lambda c: c.inspect_job("me", ".."),
        lambda c: c.inspect_job("me", ""),
        lambda c: c.run_job("me", {"dockerImage": "x", "timeoutSeconds": float("nan")}),
        lambda c: c.list_scheduled_jobs("\udfff"),
        lambda c: c.run_job("me", {"dockerImage": "x", "labels": deeply_nested()}),
    ],
    ids=[
        "inspect",
        "cancel",
        "duplicate",
        "relabel",
        "list",
        "label filter",
        "dot-dot",
        "empty",
        "nan in body",
        "schedules",
        "nested too deep for JSON",
    ],
)
async def test_a_value_that_cannot_be_sent_is_refused_clearly_and_nothing_is_sent(
    call: Any,
) -> None:
    async with serve(echo_paths) as (hub, client):
        with pytest.raises(InvalidRequest) as caught:
            await call(client)
    assert hub.requests == [], "nothing half-sent"
    message = str(caught.value)
    assert message.isprintable() and "jobtui cannot" in message
    assert SECRET not in message


async def test_a_lone_surrogate_in_a_log_stream_id_is_a_hub_error() -> None:
    async with serve(echo_paths) as (hub, client):
        with pytest.raises(InvalidRequest, match="lone surrogate"):
            async for _ in client.stream_logs("me", LONE):
                pass
        with pytest.raises(InvalidRequest):
            async for _ in client.stream_metrics("me", LONE):
                pass
    assert hub.requests == []


async def test_a_rerun_with_odd_env_values_is_sent_as_they_are() -> None:
    async with serve(echo_paths) as (hub, client):
        env = {"NUL": "\x00", "LONE": "\ud800", "ESC": "\x1b[2J"}
        await client.run_job("me", {"dockerImage": "python:3.12", "environment": env})
    (post,) = [r for r in hub.requests if r.method == "POST"]
    assert post.body.isascii()
    assert post.json()["environment"] == env


async def test_a_token_with_a_newline_is_refused_without_showing_it() -> None:
    with HostileHub(echo_paths) as hub:
        async with HubClient(hub.url, Token("hf_abc\nX-Evil: 1", "HF_TOKEN")) as client:
            with pytest.raises(HubError) as caught:
                await client.whoami()
    assert hub.requests == []
    assert "HF_TOKEN" in str(caught.value) and "hf_abc" not in str(caught.value)


# ---- #5: a trickling Hub fails in bounded time ---------------------------------------


async def trickle(request: Request, reply: Reply) -> None:
    """Sends a byte every 0.1 s, forever: a read timeout never fires."""
    for byte in b'HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n[{"name": "x"' + b" " * 10**5:
        await reply.raw(bytes([byte]))
        await asyncio.sleep(0.1)


@pytest.mark.parametrize("call", ["whoami", "list_hardware"])
async def test_a_trickling_answer_fails_at_the_deadline(call: str) -> None:
    async with serve(trickle, deadline=1.0) as (hub, client):
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded, match=r"about the \w+( list)? within 1 s") as caught:
            await getattr(client, call)()
        elapsed = time.monotonic() - started
    assert 0.9 < elapsed < 2.5, elapsed
    assert len(hub.requests) == 1, "a trickle is not sent again"
    assert isinstance(caught.value, HubUnreachable)


async def test_a_log_stream_that_trickles_its_headers_fails_at_the_deadline() -> None:
    async with serve(trickle, deadline=1.0, retries=0) as (_, client):
        started = time.monotonic()
        with pytest.raises(HubUnreachable):
            async for _ in client.stream_logs("me", "j", follow=False):
                pass
    assert time.monotonic() - started < 3.0


# ---- #10: a decompression bomb -----------------------------------------------------------


@functools.cache
def bomb(megabytes: int) -> bytes:
    """A gzip body of about 0.1 MB that inflates to `megabytes` MB (a JSON list + spaces)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [packer.compress(b"[" + b" " * (2**20 - 1))]
    parts += [packer.compress(b" " * 2**20) for _ in range(megabytes - 1)]
    return b"".join([*parts, packer.compress(b"]"), packer.flush()])


async def bombs(request: Request, reply: Reply) -> None:
    body = bomb(128)
    await reply.send(200, body, {"Content-Type": "application/json", "Content-Encoding": "gzip"})


async def test_a_gzip_bomb_is_refused_at_64_mb_without_holding_it() -> None:
    import tracemalloc

    assert len(bomb(128)) < 200_000
    async with serve(bombs) as (hub, client):
        tracemalloc.start()
        try:
            with pytest.raises(ResponseTooLarge, match="over 64 MB") as caught:
                await client.list_jobs("me")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 100 * 2**20, f"held {peak / 2**20:.0f} MB"
    assert len(hub.requests) == 1, "an oversize answer is not fetched again"
    assert "the job list of me" in str(caught.value)


# ---- #12: a listing that never ends ------------------------------------------------------


def endless(fresh_jobs: bool, delay: float = 0.0) -> Any:
    async def handler(request: Request, reply: Reply) -> None:
        page = int(dict(request.query).get("page", "0"))
        await asyncio.sleep(delay)
        jobs = [job(f"{page if fresh_jobs else 0}-{n}", "RUNNING") for n in range(2)]
        link = f'</api/jobs/me?page={page + 1}>; rel="next"'
        await reply.json(jobs, headers={"Link": link})

    return handler


async def test_fresh_next_links_forever_stop_at_the_expected_page_count() -> None:
    async with serve(endless(fresh_jobs=True)) as (hub, client):
        with pytest.raises(ListingStopped, match="more pages than the 20 expected") as caught:
            await client.list_jobs("me", expected_jobs=10)
    assert caught.value.pages == 20 == len(hub.requests)
    assert len(caught.value.jobs) == 40, "the jobs read are kept"


async def test_fresh_links_to_the_same_jobs_stop_after_three_pages() -> None:
    async with serve(endless(fresh_jobs=False)) as (hub, client):
        pages = []
        with pytest.raises(ListingStopped, match="brought no new job"):
            async for page in client.iter_job_pages("me"):
                pages.append(page)
    assert len(pages) == len(hub.requests) == 4


async def test_a_slow_endless_listing_stops_in_time() -> None:
    async with serve(endless(fresh_jobs=True, delay=0.05)) as (_, client):
        started = time.monotonic()
        with pytest.raises(ListingStopped, match="over 1 s"):
            async for _ in client.iter_job_pages("me", max_seconds=1.0):
                pass
    assert time.monotonic() - started < 2.0


def three_pages(request: Request, reply: Reply) -> Any:
    page = int(dict(request.query).get("page", "0"))
    link = {"Link": f'</api/jobs/me?page={page + 1}>; rel="next"'} if page < 2 else {}
    return reply.json([job(f"{page}-{n}", "RUNNING") for n in range(2)], headers=link)


async def test_the_next_page_is_on_its_way_while_a_page_is_read_and_none_more() -> None:
    async with serve(three_pages) as (hub, client):
        read = 0
        async for _ in client.iter_job_pages("me"):
            read += 1
            for _ in range(100):  # the next page is asked for before this one is done with
                if len(hub.requests) > read or read == 3:
                    break
                await asyncio.sleep(0.01)
            assert len(hub.requests) == min(read + 1, 3)
        assert read == 3 == len(hub.requests)
        hub.requests.clear()
        assert len(await client.list_jobs("me", max_pages=1)) == 2
        await asyncio.sleep(0.1)
        assert len(hub.requests) == 1, "the newest page alone costs one request"


# ---- #14: a slow first byte is an error, never an empty log ---------------------------


def slow_then_fine(stalls: int, stage: str = "COMPLETED") -> Any:
    calls = {"logs": 0}

    async def handler(request: Request, reply: Reply) -> None:
        if not request.path.endswith("/logs"):
            await reply.json(job("j", stage))
            return
        calls["logs"] += 1
        if calls["logs"] <= stalls:
            await asyncio.sleep(3)  # longer than the no-follow read timeout
        await reply.sse_head()
        for n in range(5):
            await reply.raw(log_event(f"line {n}", f"2026-05-12T14:00:0{n}Z"))

    return handler


@pytest.fixture
def quick_no_follow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hub_logs, "NO_FOLLOW_READ_TIMEOUT", 0.3)


@pytest.mark.usefixtures("quick_no_follow")
async def test_no_follow_log_that_starts_late_is_retried_not_empty() -> None:
    states: list[str] = []
    async with serve(slow_then_fine(stalls=1)) as (_, client):
        lines = [
            line.text
            async for line in client.stream_logs(
                "me", "j", follow=False, on_status=lambda s, d: states.append(s)
            )
        ]
    assert lines == [f"line {n}" for n in range(5)]
    assert "reconnecting" in states and states[-1] == "ended"


@pytest.mark.usefixtures("quick_no_follow")
async def test_no_follow_log_that_never_starts_is_an_error() -> None:
    states: list[str] = []
    async with serve(slow_then_fine(stalls=99), retries=1) as (_, client):
        with pytest.raises(HubUnreachable, match="in time"):
            async for _ in client.stream_logs(
                "me", "j", follow=False, on_status=lambda s, d: states.append(s)
            ):
                pass
    assert "ended" not in states


@pytest.mark.usefixtures("quick_no_follow")
async def test_no_follow_log_of_a_live_job_ends_when_the_replay_is_drained() -> None:
    async def handler(request: Request, reply: Reply) -> None:
        if not request.path.endswith("/logs"):
            await reply.json(job("j", "RUNNING"))
            return
        await reply.sse_head()
        await reply.raw(log_event("so far", None))
        await asyncio.sleep(5)  # a live job: the Hub waits for more

    async with serve(handler) as (hub, client):
        started = time.monotonic()
        lines = [line.text async for line in client.stream_logs("me", "j", follow=False)]
    assert lines == ["so far"]
    assert time.monotonic() - started < 2
    assert hub.count("GET", "/logs") == 1


# ---- #6: a log event over the size cap in a finished job ------------------------------


async def huge_line(request: Request, reply: Reply) -> None:
    if not request.path.endswith("/logs"):
        await reply.json(job("j", "COMPLETED"))
        return
    await reply.sse_head()
    await reply.raw(log_event("===== Job started at 2026-05-12 14:00:00 =====", None))
    await reply.raw(log_event("before", "2026-05-12T14:00:01Z"))
    await reply.raw(b'data: {"data": "')
    for _ in range(20):  # 20 MB of text, over the 16 MB event cap
        await reply.raw(b"x" * 2**20)
    await reply.raw(b'", "timestamp": "2026-05-12T14:00:02Z"}\n\n')
    await reply.raw(log_event("after", "2026-05-12T14:00:03Z"))


async def test_an_oversized_log_line_is_cut_with_a_note_and_the_log_ends() -> None:
    async with serve(huge_line) as (hub, client):
        states: list[str] = []
        lines = [
            line
            async for line in client.stream_logs("me", "j", on_status=lambda s, d: states.append(s))
        ]
    assert [line.text[:6] for line in lines] == ["before", "xxxxxx", "after"]
    cut = lines[1]
    assert cut.text.endswith("… [line cut at 1 MB]")
    assert 0.99 * 2**20 < len(cut.text) < 2**20 + 100
    assert cut.timestamp is not None and cut.timestamp.second == 2, "the stamp survives"
    assert hub.count("GET", "/logs") == 1, "read once, not retried forever"
    assert states[-1] == "ended"


async def test_an_oversized_line_that_is_not_json_is_cut_too() -> None:
    async def handler(request: Request, reply: Reply) -> None:
        if not request.path.endswith("/logs"):
            await reply.json(job("j", "COMPLETED"))
            return
        await reply.sse_head()
        await reply.raw(b"data: " + b"\xe2\x82\xac" * (2**20) + b"\n\n" + log_event("next"))

    async with serve(handler) as (_, client):
        lines = [line.text async for line in client.stream_logs("me", "j")]
    assert len(lines) == 2 and lines[1] == "next"
    assert lines[0].startswith("€€€") and lines[0].endswith("[line cut at 1 MB]")


async def test_an_escape_cut_in_half_at_the_cap_still_reads() -> None:
    pad = 2**20 - len('data: {"data": "') - 3

    async def handler(request: Request, reply: Reply) -> None:
        if not request.path.endswith("/logs"):
            await reply.json(job("j", "COMPLETED"))
            return
        await reply.sse_head()
        text = json.dumps({"data": "y" * pad + "é" * 1000, "timestamp": "2026-05-12T14:00:02Z"})
        await reply.raw(b"data: " + text.encode() + b"\n\n")

    async with serve(handler) as (_, client):
        (line,) = [line async for line in client.stream_logs("me", "j")]
    assert line.text.startswith("y" * pad) and line.text.endswith("[line cut at 1 MB]")
    assert line.timestamp is not None


# ---- JSON nested deeper than Python's recursion limit -------------------------------------

DEEP = b"[" * 100_000 + b"]" * 100_000


async def deep_json(request: Request, reply: Reply) -> None:
    if request.path.endswith("/logs"):
        await reply.sse_head()
        await reply.raw(b"data: " + DEEP + b"\n\n" + log_event("after"))
    elif request.path.endswith("/metrics"):
        await reply.sse_head()
        await reply.raw(b"event: metric\ndata: " + DEEP + b'\n\nevent: metric\ndata: {"a": 1}\n\n')
    elif request.path.endswith("/cancel"):
        await reply.send(500, DEEP, {"Content-Type": "application/json"})
    elif request.path.endswith("/j"):
        await reply.json(job("j", "COMPLETED"))
    else:
        await reply.send(200, DEEP, {"Content-Type": "application/json"})


async def test_json_nested_too_deep_is_an_invalid_answer_not_a_crash() -> None:
    async with serve(deep_json, retries=0) as (_, client):
        with pytest.raises(InvalidResponse, match="not JSON"):
            await client.list_jobs("me")
        with pytest.raises(ServerError, match=r"internal error \(500\)$"):
            await client.cancel_job("me", "j")
        lines = [line.text async for line in client.stream_logs("me", "j")]
        samples = [sample async for sample in client.stream_metrics("me", "j")]
    assert len(lines) == 2 and lines[0].startswith("[[[[") and lines[1] == "after"
    assert samples == [{"a": 1}]


LOOSE_JSON = {
    # What the standard library reads and stricter decoders refuse: jobtui reads it still.
    "NaN and a huge number": b'[{"id": "j1", "retry": NaN, "timeoutSeconds": 1e400,'
    b' "status": {"stage": "RUNNING"}}]',
    "a lone surrogate": b'[{"id": "j1", "labels": {"name": "x\\ud800"},'
    b' "status": {"stage": "RUNNING"}}]',
    "a byte-order mark": b'\xef\xbb\xbf[{"id": "j1", "status": {"stage": "RUNNING"}}]',
    "an integer past 64 bits": b'[{"id": "j1", "retry": 18446744073709551616,'
    b' "status": {"stage": "RUNNING"}}]',
}


@pytest.mark.parametrize("body", LOOSE_JSON.values(), ids=LOOSE_JSON.keys())
async def test_json_read_loosely_is_still_read(body: bytes) -> None:
    async def handler(request: Request, reply: Reply) -> None:
        await reply.send(200, body, {"Content-Type": "application/json"})

    async with serve(handler) as (_, client):
        (listed,) = await client.list_jobs("me")
    assert listed.id == "j1" and listed.status.stage == "RUNNING"
    assert listed.retry is None, "a number that is no count of retries is none"


async def test_a_body_that_is_not_utf8_is_an_invalid_answer() -> None:
    async def handler(request: Request, reply: Reply) -> None:
        await reply.send(200, b'[{"id": "\xff"}]', {"Content-Type": "application/json"})

    async with serve(handler, retries=0) as (_, client):
        with pytest.raises(InvalidResponse, match="not JSON"):
            await client.list_jobs("me")


# ---- a re-queued job's log ---------------------------------------------------------------


async def test_a_restart_marker_past_the_first_line_is_yielded_once_even_across_a_cut() -> None:
    events = [
        log_event("===== Job started at 2026-05-12 14:00:00 =====", "2026-05-12T14:00:00Z"),
        log_event("first run", "2026-05-12T14:00:01Z"),
        log_event("===== Job started at 2026-05-12 14:05:00 =====", "2026-05-12T14:05:00Z"),
        log_event("second run", "2026-05-12T14:05:01Z"),
    ]
    calls = {"logs": 0}

    async def handler(request: Request, reply: Reply) -> None:
        if not request.path.endswith("/logs"):  # live after the first stream, then done
            await reply.json(job("j", "RUNNING" if calls["logs"] == 1 else "COMPLETED"))
            return
        calls["logs"] += 1
        await reply.sse_head()
        # The first stream stops right after the restart marker.
        await reply.raw(b"".join(events[:3] if calls["logs"] == 1 else events))

    async with serve(handler) as (_, client):
        lines = [line async for line in client.stream_logs("me", "j")]
    assert [line.text[:15] for line in lines] == ["first run", "===== Job start", "second run"]
    assert [line.is_restart for line in lines] == [False, True, False]
    assert calls["logs"] == 2


async def test_the_token_is_never_logged_or_shown_whatever_fails(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("DEBUG")
    messages = []
    for handler in (echo_paths, deep_json, bombs, huge_line, endless(fresh_jobs=False)):
        async with serve(handler, retries=1, deadline=2.0) as (_, client):
            for call in (
                client.whoami(),
                client.list_jobs("me"),
                client.cancel_job("me", "j"),
                client.inspect_job("me", LONE),
            ):
                try:
                    await call
                except HubError as exc:
                    messages.append(f"{exc!s} {exc!r}")
            messages.append(repr(client))
    assert messages and caplog.records
    assert not [m for m in messages if SECRET in m]
    assert SECRET not in caplog.text
