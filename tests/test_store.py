"""The store's diffs, and JobSync keeping it in step with the simulated Hub."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from jobtui.hub import HubClient, HubError, Token
from jobtui.hub.models import JobInfo
from jobtui.monitor.store import JobStore, StoreDiff
from jobtui.monitor.sync import JobSync
from jobtui.sim import SimulatedHub


def job(job_id: str, stage: str = "RUNNING", owner: str = "alice", **extra: Any) -> JobInfo:
    payload = {
        "id": job_id,
        "createdAt": "2026-01-01T00:00:00Z",
        "status": {"stage": stage},
        "owner": {"id": "1", "name": owner, "type": "user"},
        **extra,
    }
    return JobInfo.from_api(payload)


@pytest.mark.unit
def test_update_reports_added_changed_and_stage_changes() -> None:
    store = JobStore()
    first = store.update([job("a"), job("b")])
    assert [j.id for j in first.added] == ["a", "b"] and not first.changed
    second = store.update([job("a"), job("b", "ERROR", labels={"name": "x"})])
    assert not second.added
    assert [j.id for j in second.changed] == ["b"]
    assert [(c.job.id, c.before, c.after) for c in second.stage_changes] == [
        ("b", "RUNNING", "ERROR")
    ]
    assert not store.update([job("a")]), "nothing changed, empty diff"


@pytest.mark.unit
def test_replace_removes_only_within_its_namespaces() -> None:
    store = JobStore()
    store.update([job("a"), job("b"), job("o", owner="acme")])
    diff = store.replace([job("a")], ["alice"])
    assert diff.removed == ("b",)
    assert "o" in store and "b" not in store


@pytest.mark.unit
def test_stage_counts() -> None:
    store = JobStore()
    store.update([job("a"), job("b", "ERROR"), job("c", "ERROR"), job("d", "UPDATING")])
    assert store.stage_counts() == {"RUNNING": 1, "ERROR": 2, "UPDATING": 1}


@pytest.fixture
async def client(hub: SimulatedHub) -> AsyncIterator[HubClient]:
    async with HubClient(hub.url, Token(hub.token, "--token"), backoff=0.05) as client:
        yield client


async def test_first_load_shows_each_page_as_it_arrives(
    client: HubClient, hub: SimulatedHub
) -> None:
    ns = (await client.whoami()).name
    store = JobStore()
    sync = JobSync(client, store, [ns])
    early = await poll(sync)
    total = len(await client.list_jobs(ns))
    pages = -(-total // 25)
    assert len(early) == pages, "one diff per page; the final listing only confirms them"
    assert all(0 < len(page.added) <= 25 for page in early)
    assert len(store) == total
    assert sum(len(page.added) for page in early) == total
    later = await poll(sync)
    assert not any(diff.added for diff in later)
    assert len(later) <= 1, "later polls report one diff each"


async def test_quick_polls_see_new_and_finished_jobs(client: HubClient, hub: SimulatedHub) -> None:
    ns = (await client.whoami()).name
    store = JobStore()
    sync = JobSync(client, store, [ns], newest_every=1)
    await poll(sync)
    nap = await client.run_job(ns, {"dockerImage": "alpine", "command": ["sleep", "60"]})
    echo = await client.run_job(ns, {"dockerImage": "alpine", "command": ["echo", "hi"]})
    diff = sum(await poll(sync), StoreDiff())
    assert {nap.id, echo.id} <= {j.id for j in diff.added}
    await client.cancel_job(ns, nap.id)
    requests_before = len(hub.faults.requests)
    diff = sum(await poll(sync), StoreDiff())
    assert store.get(nap.id).status.stage == "CANCELED"  # type: ignore[union-attr]
    assert any(c.job.id == nap.id and c.after == "CANCELED" for c in diff.stage_changes)
    # A quick poll reads the newest page, the live jobs and the one that left: not everything.
    assert len(hub.faults.requests) - requests_before < 10


async def test_one_broken_namespace_does_not_hold_back_the_others(
    client: HubClient, hub: SimulatedHub
) -> None:
    account = await client.whoami()
    org = account.orgs[0]
    store = JobStore()
    sync = JobSync(client, store, [org, account.name])  # the broken one first
    hub.faults.fail("GET", f"/api/jobs/{org}", 503, times=50)
    told = await poll(sync)
    mine = {job.id for diff in told for job in diff.added}
    assert mine and mine == {job.id for job in store}, "the user's jobs reached the screen"
    assert org in sync.failing and account.name not in sync.failing
    hub.faults.clear()
    await poll(sync)
    assert any(job.owner.name == org for job in store), "retried as a full listing"
    assert not sync.failing


async def test_a_poll_raises_only_when_no_namespace_answers(
    client: HubClient, hub: SimulatedHub
) -> None:
    account = await client.whoami()
    sync = JobSync(client, JobStore(), account.namespaces)
    for namespace in account.namespaces:
        hub.faults.fail("GET", f"/api/jobs/{namespace}", 503, times=50)
    with pytest.raises(HubError):
        await poll(sync)


async def poll(sync: JobSync) -> list[StoreDiff]:
    """One poll, every piece it yields."""
    return [diff async for diff in sync.poll()]


async def test_a_steady_poll_is_one_request_per_namespace(
    client: HubClient, hub: SimulatedHub
) -> None:
    account = await client.whoami()
    sync = JobSync(client, JobStore(), account.namespaces, newest_every=3)
    await poll(sync)  # the first listing: every page
    for _ in range(2):
        before = len(hub.faults.requests)
        await poll(sync)
        assert len(hub.faults.requests) - before == len(account.namespaces), "live jobs only"
    before = len(hub.faults.requests)
    await poll(sync)  # the third poll of each: the newest page too
    assert len(hub.faults.requests) - before == 2 * len(account.namespaces)


async def test_a_namespace_off_screen_is_polled_less_and_at_once_when_shown(
    client: HubClient, hub: SimulatedHub
) -> None:
    account = await client.whoami()
    org = account.orgs[0]
    sync = JobSync(client, JobStore(), [account.name, org], background_every=6)
    sync.show([account.name])
    await poll(sync)

    def asked(namespace: str, since: int) -> int:
        return sum(1 for _, path in hub.faults.requests[since:] if path == f"/api/jobs/{namespace}")

    start = len(hub.faults.requests)
    for _ in range(6):
        await poll(sync)
    assert asked(account.name, start) == 6 and asked(org, start) == 1
    sync.show([org])
    start = len(hub.faults.requests)
    await poll(sync)
    assert asked(org, start) == 1, "switching to it polls it at once"
