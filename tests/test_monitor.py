"""The monitor layer on its own: the poller's timing and backoff, and what the list shows.

No app and no network: a small in-memory Hub stands in for the client, since what is under
test is when the poller asks and what it reports, not HTTP (the stories cover that)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence
from typing import Any

import pytest

from jobtui.hub.errors import AuthError, HubUnreachable
from jobtui.hub.models import Account, JobHardwareInfo, JobInfo
from jobtui.monitor.listing import Listing, count_line
from jobtui.monitor.pacing import MAX_OFFLINE_BACKOFF, budget_delay, offline_delay
from jobtui.monitor.poller import (
    Connected,
    HardwareLoaded,
    JobsChanged,
    Poller,
    PollFinished,
    Report,
)
from jobtui.monitor.store import JobStore, StoreDiff

pytestmark = pytest.mark.unit


def job(job_id: str, stage: str = "RUNNING", owner: str = "alice", name: str = "") -> JobInfo:
    return JobInfo.from_api(
        {
            "id": job_id,
            "createdAt": f"2026-01-01T00:00:{int(job_id, 16) % 60:02d}Z",
            "status": {"stage": stage},
            "owner": {"id": "1", "name": owner, "type": "user"},
            "labels": {"name": name} if name else {},
        }
    )


class MemoryHub:
    """Answers like the Hub from a dict of jobs; `down` makes every call fail."""

    def __init__(self, jobs: Sequence[JobInfo], *, hardware_delay: float = 0.0) -> None:
        self.jobs = list(jobs)
        self.down: Exception | None = None
        self.hardware_delay = hardware_delay
        self.calls = 0

    def _ask(self) -> None:
        self.calls += 1
        if self.down is not None:
            raise self.down

    async def whoami(self) -> Account:
        self._ask()
        return Account("alice", "user", ("acme",))

    async def list_hardware(self) -> list[JobHardwareInfo]:
        await asyncio.sleep(self.hardware_delay)
        return []

    async def iter_job_pages(self, namespace: str, **_: Any) -> AsyncGenerator[list[JobInfo]]:
        self._ask()
        yield [j for j in self.jobs if j.owner.name == namespace]

    async def list_jobs(self, namespace: str, **_: Any) -> list[JobInfo]:
        self._ask()
        return [j for j in self.jobs if j.owner.name == namespace]

    async def inspect_job(self, namespace: str, job_id: str) -> JobInfo:
        self._ask()
        return next(j for j in self.jobs if j.id == job_id)


def poller_on(hub: MemoryHub, **kwargs: Any) -> tuple[Poller, list[Report]]:
    reports: list[Report] = []
    clock = iter(range(1_000_000))
    poller = Poller(
        hub, JobStore(), reports.append, interval=5.0, clock=lambda: float(next(clock)), **kwargs
    )
    return poller, reports


async def test_a_first_poll_reports_namespaces_then_jobs_then_done() -> None:
    hub = MemoryHub([job("a1"), job("b2", owner="acme")])
    poller, reports = poller_on(hub)
    delay = await poller.poll_once()
    assert delay == 5.0
    assert isinstance(reports[0], Connected) and reports[0].namespaces == ("alice", "acme")
    added = {j.id for r in reports if isinstance(r, JobsChanged) for j in r.diff.added}
    assert added == {"a1", "b2"}
    assert isinstance(reports[-1], PollFinished) and reports[-1].freshness.error is None


async def test_offline_backs_off_and_recovers_by_itself() -> None:
    hub = MemoryHub([job("a1")])
    poller, reports = poller_on(hub, namespaces=["alice"])
    await poller.poll_once()
    hub.down = HubUnreachable("connection refused")
    delays = [await poller.poll_once() for _ in range(4)]
    assert delays == [5.0, 10.0, 20.0, 40.0]
    finished = [r for r in reports if isinstance(r, PollFinished)]
    assert finished[-1].freshness.error == "connection refused"
    assert finished[-1].freshness.last_ok is not None, "the last good data is kept"
    hub.down = None
    assert await poller.poll_once() == 5.0
    assert poller.freshness.error is None


async def test_a_manual_refresh_while_offline_does_not_stretch_the_wait() -> None:
    hub = MemoryHub([job("a1")])
    poller, _ = poller_on(hub, namespaces=["alice"])
    hub.down = HubUnreachable("connection refused")
    assert await poller.poll_once() == 5.0
    assert await poller.poll_once() == 10.0
    assert await poller.poll_once(manual=True) == 10.0
    assert await poller.poll_once(manual=True) == 10.0


async def test_a_refused_token_says_so_and_is_not_hammered() -> None:
    hub = MemoryHub([job("a1")])
    poller, _ = poller_on(hub, namespaces=["alice"])
    hub.down = AuthError("401: token refused")
    assert await poller.poll_once() >= MAX_OFFLINE_BACKOFF
    assert poller.freshness.token_refused


def test_backoff_never_waits_less_than_the_interval() -> None:
    assert offline_delay(300.0, 1) == 300.0
    assert offline_delay(300.0, 5) == 300.0
    assert offline_delay(1.0, 20) == MAX_OFFLINE_BACKOFF


async def test_prices_never_hold_back_the_list() -> None:
    hub = MemoryHub([job("a1")], hardware_delay=0.5)
    poller, reports = poller_on(hub, namespaces=["alice"])
    await asyncio.wait_for(poller.poll_once(), timeout=0.3)
    assert any(isinstance(r, JobsChanged) for r in reports)
    assert not any(isinstance(r, HardwareLoaded) for r in reports)
    await asyncio.sleep(0.6)
    assert any(isinstance(r, HardwareLoaded) for r in reports)


async def test_poll_now_during_a_poll_polls_again_right_after() -> None:
    hub = MemoryHub([job("a1")])
    poller = Poller(hub, JobStore(), lambda _: None, ["alice"], interval=60.0)
    task = asyncio.create_task(poller.run())
    await asyncio.sleep(0.05)
    assert poller.polls == 1
    poller.poll_now()
    await asyncio.sleep(0.05)
    assert poller.polls == 2, "woken at once, not after the 60 s interval"
    task.cancel()


def test_listing_filters_live_namespace_and_text() -> None:
    jobs = [
        job("a1", name="train-llama"),
        job("b2", "COMPLETED", name="eval"),
        job("c3", owner="acme", name="train-org"),
    ]
    listing = Listing(namespaces=("alice", "acme"))
    assert [j.id for j in jobs if listing.visible(j)] == ["a1", "b2", "c3"]
    assert listing.show_owner
    listing.filter_text = "TRAIN"
    assert [j.id for j in jobs if listing.visible(j)] == ["a1", "c3"]
    listing.next_namespace()
    assert listing.shown_namespace == "alice" and not listing.show_owner
    assert [j.id for j in jobs if listing.visible(j)] == ["a1"]
    listing.filter_text, listing.live_only = "", True
    assert [j.id for j in jobs if listing.visible(j)] == ["a1"]
    assert listing.title() == "Jobs · alice (n: next namespace) · live only"
    listing.next_namespace()
    listing.next_namespace()
    assert listing.shown_namespace is None


def test_a_cancel_settles_when_the_job_ends_or_goes() -> None:
    listing = Listing(canceling={"a1", "b2"})
    settled = listing.settle(StoreDiff(changed=(job("a1", "CANCELED"),), removed=("b2",)))
    assert settled == {"a1", "b2"} and not listing.canceling


def test_count_line() -> None:
    assert count_line(3, 3) == "3 jobs"
    assert count_line(2, 1_500) == "2 of 1,500 jobs"


async def test_a_job_listed_under_a_namespace_counts_there_whatever_owner_it_names() -> None:
    hub = MemoryHub([job("a1"), job("b2", owner="someone-else")])
    hub.list_jobs = lambda namespace, **_: _all(hub)  # type: ignore[method-assign]
    hub.iter_job_pages = lambda namespace, **_: _pages([hub.jobs])  # type: ignore[method-assign]
    poller, _ = poller_on(hub, namespaces=["alice"])
    await poller.poll_once()
    assert {j.owner.name for j in poller.store} == {"alice"}
    assert poller.store.stage_counts(["alice"])["RUNNING"] == 2


async def test_a_listing_that_would_not_end_keeps_what_it_read_and_says_why() -> None:
    from jobtui.hub.errors import ListingStopped

    hub = MemoryHub([job("a1"), job("c3", owner="acme")])

    async def endless(namespace: str, **_: Any) -> AsyncGenerator[list[JobInfo]]:
        yield [j for j in hub.jobs if j.owner.name == namespace]
        if namespace == "alice":
            raise ListingStopped("the job list of alice kept sending new pages", pages=2001)

    hub.iter_job_pages = endless  # type: ignore[method-assign]
    poller, _ = poller_on(hub, namespaces=["alice", "acme"])
    await poller.poll_once()
    assert {j.id for j in poller.store} == {"a1", "c3"}
    assert poller.freshness.error is None, "acme answered: not offline"
    assert dict(poller.freshness.failing)["alice"].startswith("the job list of alice")


async def _all(hub: MemoryHub) -> list[JobInfo]:
    return list(hub.jobs)


async def _pages(pages: list[list[JobInfo]]) -> AsyncGenerator[list[JobInfo]]:
    for page in pages:
        yield page


class FakeBudget:
    """What the client's Budget says, set by hand."""

    def __init__(self, remaining: int | None = None, reset_in: float | None = None) -> None:
        self.quota, self.window = 1000, 300
        self.remaining, self.reset_in = remaining, reset_in
        self.sent = 0


def test_the_budget_stretches_polls_that_cost_many_requests() -> None:
    # A tenth of 1,000 per 300 s, aimed a tenth under: 90 requests, one every 3.3 s.
    assert budget_delay(1, FakeBudget())[0] == pytest.approx(300 / 90)
    delay, why = budget_delay(14, FakeBudget(remaining=900, reset_in=120))
    assert delay == pytest.approx(14 * 300 / 90) and why is None, "700 live jobs: 14 pages"


def test_a_low_budget_slows_down_and_says_so() -> None:
    delay, why = budget_delay(1, FakeBudget(remaining=80, reset_in=120))
    assert delay >= 30 and why == "Hub API budget 8% left, resets in 2 min"
    delay, why = budget_delay(1, FakeBudget(remaining=10, reset_in=200))
    assert delay >= 200, "nearly spent: wait for the reset"


async def test_the_poller_paces_by_what_its_polls_cost_and_says_why() -> None:
    hub = MemoryHub([job("a1")])
    hub.budget = FakeBudget(remaining=900, reset_in=100)  # type: ignore[attr-defined]
    real_list = hub.list_jobs

    async def costly(namespace: str, **kwargs: Any) -> list[JobInfo]:
        hub.budget.sent += 14  # type: ignore[attr-defined]
        return await real_list(namespace, **kwargs)

    hub.list_jobs = costly  # type: ignore[method-assign]
    poller, _ = poller_on(hub, namespaces=["alice"])
    assert await poller.poll_once() == 5.0, "the first listing is paid once, not paced"
    assert await poller.poll_once() == pytest.approx(14 * 300 / 90)
    assert poller.freshness.slowed is not None and "every 47 s" in poller.freshness.slowed


async def test_an_unfocused_terminal_polls_less() -> None:
    poller, _ = poller_on(MemoryHub([job("a1")]), namespaces=["alice"])
    await poller.poll_once()
    poller.set_focus(False)
    assert await poller.poll_once() == 15.0
    poller.set_focus(True)
    assert await poller.poll_once() == 5.0


def test_failure_patterns() -> None:
    from jobtui.monitor.logs import failure_kind

    assert failure_kind("Traceback (most recent call last):") == "a Python traceback"
    assert failure_kind("torch.OutOfMemoryError: CUDA out of memory.") == "CUDA out of memory"
    assert failure_kind("Killed") == "killed"
    assert failure_kind("ValueError: bad shape") == "an error"
    assert failure_kind("process exited with code 137") == "a non-zero exit"
    assert failure_kind("epoch 3 loss 1.2 (no errors)") is None
    assert failure_kind("exited with code 0") is None


class ListingFirstHub(MemoryHub):
    """whoami answers only once a job listing was asked for: a poller that waited for whoami
    before listing would wait for ever."""

    def __init__(self, jobs: Sequence[JobInfo]) -> None:
        super().__init__(jobs)
        self.listed: list[str] = []
        self._asked = asyncio.Event()

    async def whoami(self) -> Account:
        await asyncio.wait_for(self._asked.wait(), timeout=5)
        return await super().whoami()

    async def iter_job_pages(self, namespace: str, **_: Any) -> AsyncGenerator[list[JobInfo]]:
        self.listed.append(namespace)
        self._asked.set()
        async for page in super().iter_job_pages(namespace):
            yield page


async def test_with_a_cache_the_first_page_is_asked_for_beside_whoami_and_once() -> None:
    hub = ListingFirstHub([job("a1"), job("b2", owner="acme")])
    poller, reports = poller_on(hub)
    poller.from_cache(saved_at=0.0, user="alice")  # the cache was alice's
    await poller.poll_once()
    assert reports[-1].freshness.error is None  # type: ignore[union-attr]
    added = {j.id for r in reports if isinstance(r, JobsChanged) for j in r.diff.added}
    assert added == {"a1", "b2"}
    assert hub.listed == ["alice", "acme"], "alice's first page was not asked for twice"


async def test_a_cache_of_another_account_is_not_listed_as_this_one() -> None:
    hub = MemoryHub([job("a1"), job("c3", owner="carol")])
    poller, reports = poller_on(hub)
    poller.from_cache(saved_at=0.0, user="carol")  # the token is alice's now
    await poller.poll_once()
    added = {j.id for r in reports if isinstance(r, JobsChanged) for j in r.diff.added}
    assert added == {"a1"}, "carol's jobs, read beside whoami, are dropped"
