"""Jobs in memory, kept in step with the Hub by polls that each yield a diff. No Textual here."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from jobtui.hub.client import HubClient
from jobtui.hub.errors import ForbiddenError, NotFoundError
from jobtui.hub.models import JobInfo, JobStage

LIVE_QUERY = (JobStage.SCHEDULING, JobStage.RUNNING)


@dataclass(frozen=True)
class StageChange:
    job: JobInfo
    before: str

    @property
    def after(self) -> str:
        return self.job.status.stage


@dataclass(frozen=True)
class StoreDiff:
    """What one poll changed: only this reaches the UI."""

    added: tuple[JobInfo, ...] = ()
    changed: tuple[JobInfo, ...] = ()
    removed: tuple[str, ...] = ()
    stage_changes: tuple[StageChange, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def __add__(self, other: StoreDiff) -> StoreDiff:
        return StoreDiff(
            self.added + other.added,
            self.changed + other.changed,
            self.removed + other.removed,
            self.stage_changes + other.stage_changes,
        )


def newest_first(job: JobInfo) -> tuple[float, str]:
    created = job.created_at.timestamp() if job.created_at else 0.0
    return (-created, job.id)


class JobStore:
    """JobInfo by id. Every change goes through `update` or `replace`, which return a diff."""

    def __init__(self) -> None:
        self._jobs: dict[str, JobInfo] = {}

    def __len__(self) -> int:
        return len(self._jobs)

    def __iter__(self) -> Iterator[JobInfo]:
        return iter(self._jobs.values())

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._jobs

    def get(self, job_id: str) -> JobInfo | None:
        return self._jobs.get(job_id)

    def sorted(self) -> list[JobInfo]:
        return sorted(self._jobs.values(), key=newest_first)

    def live_ids(self, namespaces: Iterable[str] | None = None) -> set[str]:
        wanted = None if namespaces is None else set(namespaces)
        return {
            job.id
            for job in self._jobs.values()
            if job.is_live and (wanted is None or job.owner.name in wanted)
        }

    def stage_counts(self, namespaces: Iterable[str] | None = None) -> Counter[str]:
        wanted = None if namespaces is None else set(namespaces)
        return Counter(
            str(job.status.stage)
            for job in self._jobs.values()
            if wanted is None or job.owner.name in wanted
        )

    def update(self, jobs: Iterable[JobInfo]) -> StoreDiff:
        """Add or refresh these jobs; nothing is removed."""
        added: list[JobInfo] = []
        changed: list[JobInfo] = []
        stage_changes: list[StageChange] = []
        for job in jobs:
            old = self._jobs.get(job.id)
            if old is None:
                added.append(job)
            elif old != job:
                changed.append(job)
                if old.status.stage != job.status.stage:
                    stage_changes.append(StageChange(job, str(old.status.stage)))
            else:
                continue
            self._jobs[job.id] = job
        return StoreDiff(tuple(added), tuple(changed), (), tuple(stage_changes))

    def remove(self, job_id: str) -> bool:
        return self._jobs.pop(job_id, None) is not None

    def replace(self, jobs: Iterable[JobInfo], namespaces: Iterable[str]) -> StoreDiff:
        """A complete listing of these namespaces: refresh what is in it, drop what is not."""
        jobs = list(jobs)
        scope = set(namespaces)
        present = {job.id for job in jobs}
        removed = tuple(
            job_id
            for job_id, job in self._jobs.items()
            if job.owner.name in scope and job_id not in present
        )
        for job_id in removed:
            del self._jobs[job_id]
        return self.update(jobs) + StoreDiff(removed=removed)


@dataclass
class JobSync:
    """Polls the Hub into a store, cheaply: a full listing now and then, and in between
    only what can have changed (the newest page, the live jobs, and jobs that just left
    the live set).
    """

    client: HubClient
    store: JobStore
    namespaces: Sequence[str]
    full_every: int = 12
    on_change: Callable[[StoreDiff], None] | None = None
    """Called with each piece of a poll as soon as the store has it: a page of the first
    listing, then each namespace. A poll that fails half-way loses nothing already read."""
    refused: dict[str, str] = field(default_factory=dict, init=False)
    _polls: int = field(default=0, init=False)
    _full_due: bool = field(default=True, init=False)
    _inspecting: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(8), init=False)

    async def poll(self) -> StoreDiff:
        """One poll of every namespace. Raises HubError if the Hub cannot be read.

        A namespace the token may not list (403, 404) is skipped and named in `refused`.
        """
        self._polls += 1
        full = self._full_due or self._polls % self.full_every == 0
        diff = StoreDiff()
        for namespace in self.namespaces:
            try:
                part = await (self._full(namespace) if full else self._quick(namespace))
            except (ForbiddenError, NotFoundError) as exc:
                self.refused[namespace] = str(exc)
                continue
            self.refused.pop(namespace, None)
            self._tell(part)
            diff += part
        # Until a full listing has gone through, the next poll is a full one again.
        self._full_due = False
        return diff

    def _tell(self, diff: StoreDiff) -> None:
        if self.on_change is not None and diff:
            self.on_change(diff)

    async def _full(self, namespace: str) -> StoreDiff:
        jobs: list[JobInfo] = []
        async for page in self.client.iter_job_pages(namespace):
            jobs.extend(page)
            if self._full_due:
                # No full listing has gone through yet (the first load): show each page
                # as it arrives.
                self._tell(self.store.update(page))
        return self.store.replace(jobs, [namespace])

    async def _quick(self, namespace: str) -> StoreDiff:
        was_live = self.store.live_ids([namespace])
        newest = await self.client.list_jobs(namespace, max_pages=1)
        live = await self.client.list_jobs(namespace, stages=LIVE_QUERY)
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
                return await self.client.inspect_job(namespace, job_id)
            except NotFoundError:
                return None
