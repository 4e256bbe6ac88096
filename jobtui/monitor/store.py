"""Jobs in memory, and the diffs that say what a poll changed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from msgspec import Struct
from msgspec.structs import replace

from jobtui.hub.models import JobInfo


class StageChange(Struct, frozen=True):
    job: JobInfo
    before: str

    @property
    def after(self) -> str:
        return self.job.status.stage


class StoreDiff(Struct, frozen=True):
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


def differs(old: JobInfo, new: JobInfo) -> bool:
    """Whether a user would see a change. The Hub recomputes `durations` on every request,
    so a live job always differs in them; runtimes are derived locally from the start and
    finish times instead, and durations alone are no change."""
    if old == new:
        return False
    return old != replace(new, durations=old.durations)


class JobStore:
    """JobInfo by id. Every change goes through `update` or `replace`, which return a diff.
    Stage counts per namespace are kept as jobs come and go, so reading them costs nothing
    however many jobs there are."""

    def __init__(self) -> None:
        self._jobs: dict[str, JobInfo] = {}
        self._counts: dict[str, Counter[str]] = {}
        self._live: dict[str, set[str]] = {}  # live job ids by namespace
        self.version = 0
        """Goes up with every change a user could see: what is derived from the jobs (the
        money burning, the live list) need not be worked out again while it stays."""

    def _count(self, job: JobInfo, step: int) -> None:
        if job.is_live:
            live = self._live.setdefault(job.owner.name, set())
            (live.add if step > 0 else live.discard)(job.id)
        counts = self._counts.setdefault(job.owner.name, Counter())
        counts[str(job.status.stage)] += step
        if counts[str(job.status.stage)] <= 0:
            del counts[str(job.status.stage)]

    def _put(self, job: JobInfo) -> None:
        self.version += 1
        old = self._jobs.get(job.id)
        if old is not None:
            self._count(old, -1)
        self._jobs[job.id] = job
        self._count(job, +1)

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
        wanted = self._live if namespaces is None else namespaces
        return set().union(*(self._live.get(namespace, ()) for namespace in wanted))

    def stage_counts(self, namespaces: Iterable[str] | None = None) -> Counter[str]:
        wanted = self._counts if namespaces is None else set(namespaces)
        total: Counter[str] = Counter()
        for namespace in wanted:
            total.update(self._counts.get(namespace, {}))
        return total

    def update(self, jobs: Iterable[JobInfo]) -> StoreDiff:
        """Add or refresh these jobs; nothing is removed."""
        added: list[JobInfo] = []
        changed: list[JobInfo] = []
        stage_changes: list[StageChange] = []
        for job in jobs:
            old = self._jobs.get(job.id)
            if old is job:
                continue  # most jobs of a poll: the listing found them unchanged
            if old is None:
                added.append(job)
            elif differs(old, job):
                changed.append(job)
                if old.status.stage != job.status.stage:
                    stage_changes.append(StageChange(job, str(old.status.stage)))
            else:
                self._jobs[job.id] = job  # fresher durations, nothing a user would see
                continue
            self._put(job)
        return StoreDiff(tuple(added), tuple(changed), (), tuple(stage_changes))

    def remove(self, job_id: str) -> bool:
        job = self._jobs.pop(job_id, None)
        if job is None:
            return False
        self.version += 1
        self._count(job, -1)
        return True

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
            self.remove(job_id)
        return self.update(jobs) + StoreDiff(removed=removed)
