"""Jobs in memory, and the diffs that say what a poll changed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from jobtui.hub.models import JobInfo


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
