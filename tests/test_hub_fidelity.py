"""The client speaks today's Hub (issue 10): rerun by duplicate, the API budget from the
RateLimit headers, exact 429 waits, metrics of a finished job; over real loopback HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hostile_hub import HostileHub, Reply, Request, job, log_event

from jobtui.hub import (
    DeadlineExceeded,
    HubClient,
    HubError,
    HubUnreachable,
    NotFoundError,
    RateLimitedError,
    ServerError,
    Token,
)


@contextlib.asynccontextmanager
async def serve(handler: Any, **options: Any) -> AsyncIterator[tuple[HostileHub, HubClient]]:
    with HostileHub(handler) as hub:
        options.setdefault("backoff", 0.01)
        async with HubClient(hub.url, Token("hf_x", "HF_TOKEN"), **options) as client:
            yield hub, client


def arrivals(hub: HostileHub, path_part: str) -> list[float]:
    return [r.arrived for r in hub.requests if path_part in r.path]


# ---- rerun as the Hub does it ------------------------------------------------------------


async def test_duplicate_posts_to_the_hub_and_returns_the_new_job() -> None:
    async def handler(request: Request, reply: Reply) -> None:
        await reply.json(
            job(
                "new1",
                "SCHEDULING",
                initiator={"type": "duplicated-job", "id": "old1"},
                retry=2,
                network={"group": "train", "aliases": ["master"]},
            )
        )

    async with serve(handler) as (hub, client):
        new = await client.duplicate_job("me", "old1")
    (post,) = hub.requests
    assert (post.method, post.path, post.body) == ("POST", "/api/jobs/me/old1/duplicate", b"")
    assert new.id == "new1" and new.is_live
    assert new.initiator is not None and new.initiator.type == "duplicated-job"
    assert new.retry == 2 and new.network is not None and new.network.aliases == ("master",)


def answering(how: str) -> Any:
    async def handler(request: Request, reply: Reply) -> None:
        if how == "500":
            await reply.json({"error": "boom"}, status=500)
        elif how == "429":
            await reply.json({"error": "slow down"}, status=429, headers={"Retry-After": "0"})
        elif how == "drop":
            reply.writer.transport.abort()  # read the request, then hang up: no answer
        elif how == "stall":
            await asyncio.sleep(5)

    return handler


@pytest.mark.parametrize("how", ["500", "429", "drop", "stall"])
@pytest.mark.parametrize("call", ["run", "duplicate"])
async def test_a_job_creating_post_that_reached_the_hub_is_never_sent_again(
    call: str, how: str
) -> None:
    async with serve(answering(how), deadline=1.0) as (hub, client):
        with pytest.raises(HubError) as caught:
            if call == "run":
                await client.run_job("me", {"dockerImage": "python:3.12", "command": ["ls"]})
            else:
                await client.duplicate_job("me", "old1")
    assert len(hub.requests) == 1, "sent once"
    kinds: dict[str, type[HubError]] = {
        "500": ServerError,
        "429": RateLimitedError,
        "drop": HubUnreachable,
        "stall": DeadlineExceeded,
    }
    assert isinstance(caught.value, kinds[how])
    if how == "500":
        assert "boom" in str(caught.value)


# ---- the budget --------------------------------------------------------------------------


def budgeted(quota: int = 1000) -> Any:
    left = {"r": quota}

    async def handler(request: Request, reply: Reply) -> None:
        left["r"] -= 1
        headers = {
            "RateLimit": f'"api";r={left["r"]};t=217',
            "RateLimit-Policy": f'"fixed window";"api";q={quota};w=300',
        }
        if request.path.endswith("/logs"):
            await reply.head(200, {"Content-Type": "text/event-stream", **headers})
            await reply.raw(log_event("hi"))
        else:
            await reply.json(job("j"), headers=headers)

    return handler


async def test_the_budget_follows_the_rate_limit_headers_of_every_answer() -> None:
    async with serve(budgeted()) as (hub, client):
        assert client.budget.remaining is None and client.budget.sent == 0
        await client.inspect_job("me", "j")
        await client.inspect_job("me", "j")
        _ = [line async for line in client.stream_logs("me", "j")]
        budget = client.budget
    assert budget.sent == len(hub.requests) == 4  # two inspects, the log, its end check
    assert budget.remaining == 1000 - 4 and budget.quota == 1000 and budget.window == 300
    assert budget.reset_in is not None and 216 <= budget.reset_in <= 217
    assert budget.reset_at is not None and budget.used_fraction == pytest.approx(0.004)
    assert budget.limited == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"RateLimit": '"api";r=0;t=1', "RateLimit-Policy": '"fixed window";"api";q=5;w=300'},
        {"Retry-After": "1"},
    ],
    ids=["RateLimit reset", "Retry-After"],
)
async def test_a_429_waits_exactly_what_the_hub_says(headers: dict[str, str]) -> None:
    calls = {"n": 0}

    async def handler(request: Request, reply: Reply) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            await reply.json({"error": "too many"}, status=429, headers=headers)
        else:
            await reply.json([job("j")])

    # A backoff of 5 s would show: only the Hub's 1 s may be waited.
    async with serve(handler, backoff=5.0) as (hub, client):
        jobs = await client.list_jobs("me")
        limited = client.budget.limited
    first, second = arrivals(hub, "/api/jobs/me")
    assert [j.id for j in jobs] == ["j"] and limited == 1
    assert 1.0 <= second - first < 2.0, second - first


async def test_a_429_asking_for_longer_than_we_wait_is_reported_at_once() -> None:
    async def handler(request: Request, reply: Reply) -> None:
        await reply.json({}, status=429, headers={"RateLimit": '"api";r=0;t=240'})

    async with serve(handler) as (hub, client):
        started = time.monotonic()
        with pytest.raises(RateLimitedError, match="try again in 240 s") as caught:
            await client.whoami()
    assert time.monotonic() - started < 0.5 and len(hub.requests) == 1
    assert caught.value.retry_after == 240


async def test_a_rate_limited_log_stream_waits_what_the_hub_says_then_resumes() -> None:
    calls = {"n": 0}

    async def handler(request: Request, reply: Reply) -> None:
        if not request.path.endswith("/logs"):
            await reply.json(job("j", "COMPLETED"))
            return
        calls["n"] += 1
        if calls["n"] == 1:
            await reply.json({}, status=429, headers={"Retry-After": "1"})
            return
        await reply.sse_head()
        await reply.raw(log_event("one") + log_event("two"))

    async with serve(handler, backoff=5.0) as (hub, client):
        lines = [line.text async for line in client.stream_logs("me", "j")]
    first, second = arrivals(hub, "/logs")
    assert lines == ["one", "two"]
    assert 1.0 <= second - first < 2.0, "the Hub's 1 s, not the 5 s backoff"


# ---- metrics of a finished job -----------------------------------------------------------


@pytest.mark.parametrize("status", [406, 500])
async def test_metrics_of_a_finished_job_end_quietly(status: int) -> None:
    async def handler(request: Request, reply: Reply) -> None:
        await reply.json({"error": "Job is not running"}, status=status)

    async with serve(handler) as (hub, client):
        samples = [sample async for sample in client.stream_metrics("me", "j")]
    assert samples == [] and len(hub.requests) == 1


async def test_metrics_of_an_unknown_job_are_an_error() -> None:
    async def handler(request: Request, reply: Reply) -> None:
        await reply.json({"error": "no such job"}, status=404)

    async with serve(handler) as (_, client):
        with pytest.raises(NotFoundError, match="no such job"):
            async for _ in client.stream_metrics("me", "j"):
                pass


async def test_metrics_samples_are_read_and_odd_ones_skipped() -> None:
    async def handler(request: Request, reply: Reply) -> None:
        await reply.sse_head()
        await reply.raw(b'event: metric\ndata: {"cpu_usage_pct": 12}\n\n')
        await reply.raw(b"event: metric\ndata: not json\n\n")
        await reply.raw(b"event: metric\ndata: [1, 2]\n\n")
        await reply.raw(b'event: metric\ndata: {"cpu_usage_pct": 13}\n\n')

    async with serve(handler) as (_, client):
        samples = [sample async for sample in client.stream_metrics("me", "j")]
    assert samples == [{"cpu_usage_pct": 12}, {"cpu_usage_pct": 13}]


# ---- the edit-and-run spec carries today's fields ----------------------------------------


def test_a_rerun_spec_keeps_retries_network_ports_and_resources() -> None:
    from jobtui.hub.models import JobInfo
    from jobtui.hub.spec import rerun_spec

    payload = job(
        "j",
        dockerImage="python:3.12",
        command=["python", "train.py"],
        retry=2,
        network={"group": "train", "aliases": ["master"]},
        expose={"ports": [8000, 7860], "portsPublic": [7860]},
        resourceGroupId="rg1",
        timeoutSeconds=900,
    )
    spec = rerun_spec(JobInfo.from_api(payload))
    assert spec["attempts"] == 3, "the Hub reports attempts back as retry = attempts - 1"
    assert spec["network"] == {"group": "train", "aliases": ["master"]}
    assert spec["expose"] == {"ports": [8000, 7860], "portsPublic": [7860]}
    assert (spec["resourceGroupId"], spec["timeoutSeconds"]) == ("rg1", 900)


# ---- an error's parts, for a place too narrow for the whole message ----------------------


async def test_a_refused_token_gives_its_status_reason_and_fix_apart() -> None:
    async def handler(request: Request, reply: Reply) -> None:
        await reply.json({"error": "Invalid credentials in Authorization header"}, status=401)

    async with serve(handler) as (_, client):
        with pytest.raises(HubError) as caught:
            await client.whoami()
    error = caught.value
    assert error.status == 401
    assert error.reason == "Invalid credentials in Authorization header"
    assert error.fix == "Check or unset the HF_TOKEN environment variable."
    assert error.fix in str(error) and "hf_x" not in str(error)


@pytest.mark.parametrize("value", ["inf", "nan", "Fri, 31 Dec 9999 23:59:59 GMT", "soon"])
async def test_a_nonsense_retry_after_is_not_believed(value: str) -> None:
    calls = {"n": 0}

    async def handler(request: Request, reply: Reply) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            await reply.json({}, status=429, headers={"Retry-After": value})
        else:
            await reply.json({"name": "me"})

    async with serve(handler) as (hub, client):
        started = time.monotonic()
        account = await client.whoami()
    assert account.name == "me" and len(hub.requests) == 2
    assert time.monotonic() - started < 1.0, "the backoff, not years"
