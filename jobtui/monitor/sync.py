"""JobSync: one poll of the Hub into the store, yielded piece by piece as diffs."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from msgspec.structs import replace

from jobtui.hub.errors import ForbiddenError, HubError, ListingStopped, NotFoundError
from jobtui.hub.head_start import PageMark
from jobtui.hub.models import JobInfo, JobStage
from jobtui.monitor.filtering import HubQuery
from jobtui.monitor.store import JobStore, StoreDiff

LIVE_QUERY = (JobStage.SCHEDULING, JobStage.RUNNING)


Known = Callable[[str], JobInfo | None]
"""Finds a job read before (the store's `get`): a listing hands back that same JobInfo for a
job whose Hub object shows no change, rather than reading it again (`hub.job.unchanged`)."""


class JobSource(Protocol):
    """What a sync reads: the part of the Hub client that lists and inspects jobs."""

    def iter_job_pages(
        self,
        namespace: str,
        *,
        stages: Sequence[str] = ...,
        labels: Mapping[str, str] | None = ...,
        after: PageMark | None = ...,
        known: Known | None = ...,
    ) -> AsyncGenerator[list[JobInfo]]: ...

    async def list_jobs(
        self,
        namespace: str,
        *,
        stages: Sequence[str] = ...,
        max_pages: int | None = ...,
        known: Known | None = ...,
    ) -> list[JobInfo]: ...

    async def inspect_job(self, namespace: str, job_id: str) -> JobInfo: ...


class PrimedSource:
    """A JobSource whose first plain listing of `namespace` has its first page asked for
    already, or answered: at start, that page is asked for beside whoami (`asking`), or it
    came from the head start (`answered`), so the newest jobs arrive sooner. The listing
    then goes on from the page after (no page is asked for twice); everything else goes to
    `source`."""

    def __init__(
        self,
        source: JobSource,
        namespace: str,
        first: asyncio.Future[list[JobInfo] | None],
        pages: AsyncIterator[list[JobInfo]] | None,
    ) -> None:
        self.source, self.namespace = source, namespace
        self._first: asyncio.Future[list[JobInfo] | None] | None = first
        self._pages = pages

    @classmethod
    def asking(cls, source: JobSource, namespace: str) -> PrimedSource:
        pages = source.iter_job_pages(namespace)
        return cls(source, namespace, asyncio.ensure_future(cls._first_page(pages)), pages)

    @classmethod
    def answered(
        cls, source: JobSource, namespace: str, page: list[JobInfo], rest: PageMark | None
    ) -> PrimedSource:
        first: asyncio.Future[list[JobInfo] | None] = asyncio.get_running_loop().create_future()
        first.set_result(page)
        pages = None if rest is None else source.iter_job_pages(namespace, after=rest)
        return cls(source, namespace, first, pages)

    @staticmethod
    async def _first_page(pages: AsyncIterator[list[JobInfo]]) -> list[JobInfo] | None:
        try:
            return await anext(pages)
        except StopAsyncIteration:
            return None

    def iter_job_pages(
        self,
        namespace: str,
        *,
        stages: Sequence[str] = (),
        labels: Mapping[str, str] | None = None,
        after: PageMark | None = None,
        known: Known | None = None,
    ) -> AsyncGenerator[list[JobInfo]]:
        first, pages = self._first, self._pages
        if after is not None:
            return self.source.iter_job_pages(namespace, after=after, known=known)
        if namespace != self.namespace or stages or labels or first is None:
            return self.source.iter_job_pages(namespace, stages=stages, labels=labels, known=known)
        self._first = self._pages = None
        return self._go_on(first, pages)

    @staticmethod
    async def _go_on(
        first: asyncio.Future[list[JobInfo] | None], pages: AsyncIterator[list[JobInfo]] | None
    ) -> AsyncGenerator[list[JobInfo]]:
        page = await first
        if page is None:
            return
        yield page
        if pages is not None:
            async for page in pages:
                yield page

    async def list_jobs(
        self,
        namespace: str,
        *,
        stages: Sequence[str] = (),
        max_pages: int | None = None,
        known: Known | None = None,
    ) -> list[JobInfo]:
        return await self.source.list_jobs(
            namespace, stages=stages, max_pages=max_pages, known=known
        )

    async def inspect_job(self, namespace: str, job_id: str) -> JobInfo:
        return await self.source.inspect_job(namespace, job_id)

    async def close(self) -> None:
        """Drop the listing started (whoami failed, or the guess was wrong)."""
        first, pages = self._first, self._pages
        self._first = self._pages = None
        if first is not None:
            first.cancel()
            with contextlib.suppress(BaseException):
                await first
        aclose = getattr(pages, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()


@dataclass
class JobSync:
    """Polls the Hub into a store on the API budget a user shares with their own jobs.

    Each namespace's whole history is listed once. After that a poll of a namespace is one
    request: its live jobs (scheduling or running). Every `newest_every` of its polls the
    first page of its newest jobs comes too (jobs that started and ended between polls),
    and every job that left the live set is inspected once. Namespaces not on screen
    (`shown`) are polled once in `background_every` polls; `full_every` polls of a
    namespace list its history again (deletions).

    `poll()` yields each piece as soon as the store has it: a page of the first listing,
    then each namespace. A poll that fails half-way loses nothing already yielded.

    While a filter the Hub can apply itself is set (`narrow`), a namespace whose history
    was not listed yet is listed with that query instead (stage=, label=): a 10,000-job
    history is not read to find 12 jobs. Its whole history is listed once the filter goes.
    """

    source: JobSource
    store: JobStore
    namespaces: Sequence[str]
    newest_every: int = 12
    background_every: int = 6
    full_every: int = 360
    shown: set[str] | None = None
    """The namespaces on screen; None: all of them."""
    refused: dict[str, str] = field(default_factory=dict, init=False)
    """Namespaces the token may not list (403, 404), with the Hub's reason."""
    failing: dict[str, str] = field(default_factory=dict, init=False)
    """Namespaces whose last poll failed for another reason, while others answered."""
    query: HubQuery = field(default_factory=HubQuery, init=False)
    """The Hub-side part of the filter on screen; empty: none."""
    _narrowed: set[str] = field(default_factory=set, init=False)
    """Namespaces listed with `query` (and not in full)."""
    _polls: int = field(default=0, init=False)
    _listed: set[str] = field(default_factory=set, init=False)
    _quick_polls: dict[str, int] = field(default_factory=dict, init=False)
    _due: set[str] = field(default_factory=set, init=False)
    listed_last_poll: bool = field(default=False, init=False)
    """Whether the last poll listed a namespace's whole history (a one-off cost)."""
    _inspecting: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(8), init=False)

    async def poll(self) -> AsyncGenerator[StoreDiff]:
        """One poll of every namespace, yielding diffs as they come.

        One broken namespace does not hold back the others: its error is kept in `failing`.
        Raises HubError only when no namespace could be read at all.
        """
        self._polls += 1
        self.listed_last_poll = False
        first_error: HubError | None = None
        answered = 0
        for namespace in self.namespaces:
            if not self._wanted(namespace):
                continue
            try:
                if namespace not in self._listed and namespace not in self._narrowed:
                    self.listed_last_poll = True
                    if not self.query:
                        async for part in self._full(namespace):
                            if part:
                                yield part
                    if namespace not in self._listed and self.query:
                        async for part in self._narrowed_listing(namespace):
                            if part:
                                yield part
                else:
                    part = await self._quick(namespace)
                    if part:
                        yield part
            except (ForbiddenError, NotFoundError) as exc:
                self.refused[namespace] = str(exc)
                self.failing.pop(namespace, None)
                answered += 1  # the Hub answered: it is not down
                continue
            except HubError as exc:
                self.failing[namespace] = str(exc)
                first_error = first_error or exc
                continue
            answered += 1
            self.refused.pop(namespace, None)
            self.failing.pop(namespace, None)
        if answered == 0 and first_error is not None:
            raise first_error

    def show(self, namespaces: Sequence[str]) -> None:
        """These namespaces are on screen now: poll them every time, starting with the next."""
        self.shown = set(namespaces)
        self._due |= self.shown

    def narrow(self, query: HubQuery) -> None:
        """The filter on screen changed: what the Hub can do of it is `query`. Namespaces
        listed in full need nothing; the others are listed again with it at the next poll."""
        if query != self.query:
            self.query = query
            self._narrowed.clear()

    def _wanted(self, namespace: str) -> bool:
        if namespace in self._due or (
            namespace not in self._listed and namespace not in self._narrowed
        ):
            self._due.discard(namespace)
            return True
        on_screen = self.shown is None or namespace in self.shown
        return on_screen or self._polls % self.background_every == 0

    async def _full(self, namespace: str) -> AsyncGenerator[StoreDiff]:
        jobs: list[JobInfo] = []
        pages = self.source.iter_job_pages(namespace, known=self.store.get)
        try:
            # Closed at once when left early: the next page, asked for ahead, is not sent.
            async with contextlib.aclosing(pages):
                async for page in pages:
                    page = as_listed(page, namespace)
                    jobs.extend(page)
                    if namespace not in self._listed:
                        # The first load: show each page as it arrives.
                        yield self.store.update(page)
                        if self.query:
                            return  # a filter came meanwhile: the Hub finds its jobs faster
        except ListingStopped:
            # A listing that would not end was cut short: keep what it read, remove nothing
            # (the rest may still exist), and let the poll say why.
            yield self.store.update(jobs)
            raise
        yield self.store.replace(jobs, [namespace])
        self._listed.add(namespace)

    async def _narrowed_listing(self, namespace: str) -> AsyncGenerator[StoreDiff]:
        """The jobs the Hub finds for the query, added to the store (nothing is removed:
        the jobs it does not return may well exist)."""
        query = self.query
        async for page in self.source.iter_job_pages(
            namespace, stages=query.stages, labels=query.label_map, known=self.store.get
        ):
            yield self.store.update(as_listed(page, namespace))
        if query == self.query:
            self._narrowed.add(namespace)

    async def _quick(self, namespace: str) -> StoreDiff:
        count = self._quick_polls[namespace] = self._quick_polls.get(namespace, 0) + 1
        if count % self.full_every == 0:
            self._listed.discard(namespace)  # the next poll lists its history again
        was_live = self.store.live_ids([namespace])
        known = self.store.get
        live = await self.source.list_jobs(namespace, stages=LIVE_QUERY, known=known)
        live = as_listed(live, namespace)
        newest: list[JobInfo] = []
        if count % self.newest_every == 0:
            newest = await self.source.list_jobs(namespace, max_pages=1, known=known)
            newest = as_listed(newest, namespace)
        seen = {job.id for job in live} | {job.id for job in newest}
        left = sorted(was_live - seen)
        finished = await asyncio.gather(*(self._inspect(namespace, job_id) for job_id in left))
        diff = self.store.update([*newest, *live, *(job for job in finished if job is not None)])
        gone = [job_id for job_id, job in zip(left, finished, strict=True) if job is None]
        return diff + StoreDiff(removed=tuple(j for j in gone if self.store.remove(j)))

    async def _inspect(self, namespace: str, job_id: str) -> JobInfo | None:
        # After an outage hundreds of jobs may have ended: ask a few at a time, so the
        # connection pool is not drained and every poll does not time out.
        async with self._inspecting:
            try:
                return as_listed([await self.source.inspect_job(namespace, job_id)], namespace)[0]
            except NotFoundError:
                return None


def as_listed(jobs: list[JobInfo], namespace: str) -> list[JobInfo]:
    """Jobs as owned by the namespace they were listed under. A Hub that names another
    owner would otherwise count a job in no namespace ("14 of 13 jobs") and drop it from
    every namespace's listing; the namespace asked is what the user watches."""
    return [
        job
        if job.owner.name == namespace
        else replace(job, owner=replace(job.owner, name=namespace))
        for job in jobs
    ]
