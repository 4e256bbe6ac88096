"""jobtui's own Hub client against the simulated Hub over loopback: calls, errors, streams."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx2
import pytest

from jobtui.hub import (
    AuthError,
    ForbiddenError,
    HubClient,
    HubUnreachable,
    InvalidResponse,
    ListingStopped,
    NotFoundError,
    RateLimitedError,
    ServerError,
    Token,
)
from jobtui.hub.models import JobStage
from jobtui.sim import SimulatedHub


@pytest.fixture
async def client(hub: SimulatedHub) -> AsyncIterator[HubClient]:
    async with HubClient(hub.url, Token(hub.token, "HF_TOKEN"), backoff=0.05) as client:
        yield client


def count(hub: SimulatedHub, method: str, path_part: str) -> int:
    return sum(1 for m, path in hub.faults.requests if m == method and path_part in path)


async def user(client: HubClient) -> str:
    return (await client.whoami()).name


async def test_whoami_names_the_user_and_orgs_and_is_cached(
    client: HubClient, hub: SimulatedHub
) -> None:
    account = await client.whoami()
    again = await client.whoami()
    assert account is again
    assert account.name and account.orgs
    assert account.namespaces == (account.name, *account.orgs)
    assert count(hub, "GET", "whoami") == 1


async def test_listing_follows_every_page(client: HubClient, hub: SimulatedHub) -> None:
    ns = await user(client)
    pages = [page async for page in client.iter_job_pages(ns)]
    jobs = [job for page in pages for job in page]
    assert len(pages) >= 3
    assert len({job.id for job in jobs}) == len(jobs)
    assert len(jobs) == len(await client.list_jobs(ns))
    created = [job.created_at for job in jobs if job.created_at is not None]
    assert len(created) == len(jobs)
    assert created == sorted(created, reverse=True), "newest first"


async def test_polls_further_apart_than_httpx_keeps_a_connection_share_one(
    client: HubClient, hub: SimulatedHub
) -> None:
    """A poll every 5-7 s on httpx's 5 s keep-alive opened a new connection each time (on
    the real Hub: a TLS handshake per poll)."""
    ns = await user(client)
    await client.list_jobs(ns, max_pages=1)
    before = set(hub.faults.connections)
    await asyncio.sleep(6)
    await client.list_jobs(ns, max_pages=1)
    assert hub.faults.connections == before, "the second poll came on a new connection"


async def test_stage_filter_returns_only_those_stages(client: HubClient) -> None:
    ns = await user(client)
    live = await client.list_jobs(ns, stages=[JobStage.RUNNING, JobStage.SCHEDULING])
    everything = await client.list_jobs(ns)
    assert live
    assert {job.status.stage for job in live} <= {"RUNNING", "SCHEDULING"}
    assert len(live) == sum(1 for job in everything if job.is_live)


async def test_first_page_alone(client: HubClient, hub: SimulatedHub) -> None:
    ns = await user(client)
    before = count(hub, "GET", f"/api/jobs/{ns}")
    first = await client.list_jobs(ns, max_pages=1)
    assert 0 < len(first) <= 25
    assert count(hub, "GET", f"/api/jobs/{ns}") == before + 1


async def test_run_inspect_relabel_and_cancel(client: HubClient) -> None:
    ns = await user(client)
    job = await client.run_job(
        ns,
        {
            "dockerImage": "python:3.12",
            "command": ["sleep", "30"],
            "arguments": [],
            "environment": {"A": "1"},
            "flavor": "cpu-basic",
            "labels": {"name": "nap"},
        },
    )
    assert job.is_live and job.display_name == "nap"
    seen = await client.inspect_job(ns, job.id)
    assert seen.id == job.id and seen.environment == {"A": "1"}
    relabeled = await client.relabel_job(ns, job.id, {"name": "nap-2", "team": "x"})
    assert relabeled.labels == {"name": "nap-2", "team": "x"}
    await client.cancel_job(ns, job.id)
    assert (await client.inspect_job(ns, job.id)).status.stage == JobStage.CANCELED


async def test_space_job(client: HubClient) -> None:
    ns = await user(client)
    job = await client.run_job(
        ns, {"spaceId": "lhoestq/duckdb", "command": ["echo", "hi"], "flavor": "cpu-basic"}
    )
    assert job.space_id == "lhoestq/duckdb" and job.docker_image is None
    assert job.image == "hf.co/spaces/lhoestq/duckdb"


async def test_hardware_has_prices(client: HubClient) -> None:
    flavors = {flavor.name: flavor for flavor in await client.list_hardware()}
    assert flavors["a10g-small"].price_per_hour == pytest.approx(1.00, abs=0.01)
    assert flavors["h200x8"].price_per_hour == pytest.approx(40.00, abs=0.01)
    assert flavors["cpu-basic"].accelerator is None
    assert flavors["t4-small"].accelerator is not None


async def test_scheduled_jobs(client: HubClient) -> None:
    scheduled = await client.list_scheduled_jobs(await user(client))
    assert scheduled and all(item.schedule for item in scheduled)


async def test_a_refused_token_says_where_it_came_from_and_not_what_it_is(
    hub: SimulatedHub,
) -> None:
    secret = "hf_wrong_value_123"
    async with HubClient(hub.url, Token(secret, "HF_TOKEN")) as client:
        with pytest.raises(AuthError) as caught:
            await client.whoami()
        assert secret not in repr(client)
    message = str(caught.value)
    assert "HF_TOKEN" in message and "401" in message
    assert secret not in message and secret not in repr(caught.value)


async def test_unknown_job_and_foreign_namespace(client: HubClient) -> None:
    ns = await user(client)
    with pytest.raises(NotFoundError, match="0123456789abcdef01234567"):
        await client.inspect_job(ns, "0123456789abcdef01234567")
    with pytest.raises(ForbiddenError, match="someone-else"):
        await client.list_jobs("someone-else")


async def test_rate_limit_is_waited_out_as_the_hub_asks(
    client: HubClient, hub: SimulatedHub
) -> None:
    ns = await user(client)
    hub.faults.fail("GET", f"/api/jobs/{ns}$", 429, times=1, retry_after=1)
    started = time.monotonic()
    jobs = await client.list_jobs(ns)
    assert jobs
    assert time.monotonic() - started >= 0.9, "Retry-After was honoured"


async def test_rate_limit_that_lasts_is_reported_with_the_wait(
    client: HubClient, hub: SimulatedHub
) -> None:
    ns = await user(client)
    client.max_retry_after = 0.01
    hub.faults.fail("GET", f"/api/jobs/{ns}$", 429, times=10, retry_after=30)
    with pytest.raises(RateLimitedError) as caught:
        await client.list_jobs(ns)
    assert caught.value.retry_after == 30
    assert "30 s" in str(caught.value)


async def test_server_error_then_success_is_retried(client: HubClient, hub: SimulatedHub) -> None:
    ns = await user(client)
    hub.faults.fail("GET", f"/api/jobs/{ns}$", 500, times=2)
    assert await client.list_jobs(ns)


async def test_server_errors_that_persist_give_up(client: HubClient, hub: SimulatedHub) -> None:
    ns = await user(client)
    hub.faults.fail("GET", f"/api/jobs/{ns}$", 503, times=20, message="maintenance")
    with pytest.raises(ServerError, match="maintenance"):
        await client.list_jobs(ns)
    assert count(hub, "GET", f"/api/jobs/{ns}") == 1 + client.retries


async def test_creating_a_job_is_never_sent_twice(client: HubClient, hub: SimulatedHub) -> None:
    ns = await user(client)
    hub.faults.fail("POST", f"/api/jobs/{ns}$", 500, times=1, message="boom")
    with pytest.raises(ServerError, match="boom"):
        await client.run_job(ns, {"dockerImage": "python:3.12", "command": ["echo", "x"]})
    assert count(hub, "POST", f"/api/jobs/{ns}") == 1


async def test_other_client_errors_are_not_retried(client: HubClient, hub: SimulatedHub) -> None:
    ns = await user(client)
    with pytest.raises(Exception, match="400"):
        await client.run_job(ns, {"command": ["echo", "no image"]})
    assert count(hub, "POST", f"/api/jobs/{ns}") == 1


async def test_no_server_says_unreachable() -> None:
    async with HubClient(
        "http://127.0.0.1:9", Token("x", "--token"), retries=1, backoff=0.01
    ) as client:
        with pytest.raises(HubUnreachable, match="cannot connect"):
            await client.whoami()


async def test_a_non_json_answer_is_an_invalid_response() -> None:
    # A Hub that sends HTML where JSON belongs cannot be had from the simulator.
    transport = httpx2.MockTransport(lambda request: httpx2.Response(200, text="<html>oops"))
    async with HubClient("http://hub.test", Token("x", "--token"), transport=transport) as client:
        with pytest.raises(InvalidResponse, match="not JSON"):
            await client.whoami()


async def test_malformed_jobs_in_a_list_are_skipped_not_fatal() -> None:
    good = {"id": "a" * 24, "status": {"stage": "RUNNING"}, "owner": {"name": "me"}}
    transport = httpx2.MockTransport(
        lambda request: httpx2.Response(200, json=[good, {"no": "id"}, "junk"])
    )
    async with HubClient("http://hub.test", Token("x", "--token"), transport=transport) as client:
        jobs = await client.list_jobs("me")
    assert [job.id for job in jobs] == ["a" * 24]


# ---- log streams --------------------------------------------------------------------------


async def echo_job(client: HubClient, text: str) -> str:
    job = await client.run_job(
        await user(client), {"dockerImage": "alpine", "command": ["echo", text]}
    )
    return job.id


async def lines_of(client: HubClient, job_id: str, **kwargs: object) -> list[str]:
    ns = await user(client)
    return [line.text async for line in client.stream_logs(ns, job_id, **kwargs)]  # type: ignore[arg-type]


async def test_echo_job_log(client: HubClient) -> None:
    job_id = await echo_job(client, "hello\nfrom the sim")
    assert await lines_of(client, job_id) == ["hello", "from the sim"]
    assert await lines_of(client, job_id, follow=False) == ["hello", "from the sim"]


async def test_tail_gives_the_last_lines(client: HubClient) -> None:
    ns = await user(client)
    job = await client.run_job(ns, {"dockerImage": "alpine", "command": ["seq", "500"]})
    assert await lines_of(client, job.id, tail=10) == [str(n) for n in range(491, 501)]


async def test_a_cut_stream_resumes_with_no_line_lost_or_doubled(
    client: HubClient, hub: SimulatedHub
) -> None:
    ns = await user(client)
    job = await client.run_job(ns, {"dockerImage": "alpine", "command": ["seq", "500"]})
    hub.faults.cut_streams(after_events=120, times=2)
    states: list[str] = []
    lines = await lines_of(client, job.id, on_status=lambda state, detail: states.append(state))
    assert lines == [str(n) for n in range(1, 501)]
    assert "reconnecting" in states and states[-1] == "ended"


async def test_a_cut_tail_stream_resumes_after_the_tail(
    client: HubClient, hub: SimulatedHub
) -> None:
    ns = await user(client)
    job = await client.run_job(ns, {"dockerImage": "alpine", "command": ["seq", "300"]})
    hub.faults.cut_streams(after_events=50, times=1)
    lines = await lines_of(client, job.id, tail=100)
    assert lines == [str(n) for n in range(201, 301)]


async def test_running_job_streams_lines_and_closing_is_instant(client: HubClient) -> None:
    ns = await user(client)
    running = await client.list_jobs(ns, stages=["RUNNING"])
    assert running
    stream = client.stream_logs(ns, running[0].id)
    first = await asyncio.wait_for(anext(stream), timeout=10)
    assert isinstance(first.text, str)
    started = time.monotonic()
    await stream.aclose()
    assert time.monotonic() - started < 0.5


async def test_cancelling_a_stream_task_stops_it_at_once(client: HubClient) -> None:
    ns = await user(client)
    nap = await client.run_job(ns, {"dockerImage": "alpine", "command": ["sleep", "60"]})

    async def consume() -> None:
        async for _ in client.stream_logs(ns, nap.id):
            pass

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.5)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 0.5


async def test_metrics_of_a_running_job(client: HubClient) -> None:
    ns = await user(client)
    running = await client.list_jobs(ns, stages=["RUNNING"])
    stream = client.stream_metrics(ns, running[0].id)
    sample = await asyncio.wait_for(anext(stream), timeout=10)
    await stream.aclose()
    assert {"cpu_usage_pct", "memory_used_bytes", "memory_total_bytes"} <= set(sample)


async def test_metrics_of_a_finished_job_just_end(client: HubClient) -> None:
    job_id = await echo_job(client, "done")
    samples = [s async for s in client.stream_metrics(await user(client), job_id)]
    assert samples == []


async def test_a_next_link_to_another_host_is_not_followed_with_the_token() -> None:
    seen: list[str] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen.append(f"{request.url.host} {request.headers.get('authorization')}")
        link = '<https://evil.test/api/jobs/me?cursor=2>; rel="next"'
        return httpx2.Response(200, json=[], headers={"Link": link})

    transport = httpx2.MockTransport(answer)
    async with HubClient("http://hub.test", Token("sekrit", "--token"), transport=transport) as c:
        assert await c.list_jobs("me") == []
    assert seen == ["hub.test Bearer sekrit"]


async def test_a_next_link_that_loops_ends() -> None:
    calls = 0

    def answer(request: httpx2.Request) -> httpx2.Response:
        nonlocal calls
        calls += 1
        link = '<http://hub.test/api/jobs/me?cursor=same>; rel="next"'
        return httpx2.Response(200, json=[], headers={"Link": link})

    transport = httpx2.MockTransport(answer)
    async with HubClient("http://hub.test", Token("x", "--token"), transport=transport) as c:
        with pytest.raises(ListingStopped, match="led back to a page already read"):
            await c.list_jobs("me")
    assert calls == 2


async def test_invalid_utf8_in_a_log_stream_becomes_replacement_characters() -> None:
    # Bytes that are not UTF-8 cannot be had from the simulator, which speaks JSON.
    body = (
        b": keep-alive\n\n"
        b'data: {"data": "ok \xff\xfe bad", "timestamp": "2026-05-12T14:00:00.000Z"}\n\n'
        b'data: {"data": "caf\xc3\xa9 \xf0\x9f\xa4\x97", "timestamp": "2026-05-12T14:00:01Z"}\n\n'
    )

    def answer(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/logs"):
            return httpx2.Response(200, content=body, headers={"content-type": "text/event-stream"})
        return httpx2.Response(200, json={"id": "j", "status": {"stage": "COMPLETED"}})

    transport = httpx2.MockTransport(answer)
    async with HubClient("http://hub.test", Token("x", "--token"), transport=transport) as c:
        lines = [line.text async for line in c.stream_logs("me", "j")]
    assert lines == ["ok \ufffd\ufffd bad", "café 🤗"]


async def test_the_budget_matches_what_the_hub_counted(
    client: HubClient, hub: SimulatedHub
) -> None:
    ns = await user(client)
    await client.list_jobs(ns)
    job_id = await echo_job(client, "counted")
    _ = await lines_of(client, job_id)
    budget = client.budget
    assert budget.sent == hub.requests() > 5
    assert budget.quota is not None and budget.window == 300
    assert budget.remaining == budget.quota - hub.requests()
    assert budget.reset_in is not None and 0 < budget.reset_in <= 300
