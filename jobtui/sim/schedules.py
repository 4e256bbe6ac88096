"""Scheduled jobs: a spec and a cron schedule that start jobs, and the book that keeps them."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from jobtui.sim import cron
from jobtui.sim.errors import BadRequest, Conflict, NotFound
from jobtui.sim.jobs import Job
from jobtui.sim.spec import Spec, label_matcher, labels_of
from jobtui.sim.stamps import iso, new_id


@dataclass(eq=False)
class ScheduledJob:
    id: str
    namespace: str
    owner: dict[str, str]
    created_at: float
    spec: Spec
    labels: dict[str, str]
    schedule: str
    suspend: bool = False
    concurrency: bool = False
    last_job: Job | None = None
    next_due: float | None = None  # when it fires next; None while suspended

    def plan_next(self, after: float) -> None:
        """Fire next at the schedule's first minute after `after` (never while suspended)."""
        self.next_due = None if self.suspend else cron.next_run(self.schedule, after)

    def to_json(self, now: float) -> dict[str, Any]:
        job_spec = self.spec.to_json(self.labels)
        if self.spec.timeout_secs is not None:
            job_spec["timeout"] = self.spec.timeout_secs
        last = self.last_job
        return {
            "id": self.id,
            "createdAt": iso(self.created_at),
            "jobSpec": job_spec,
            "schedule": self.schedule,
            "suspend": self.suspend,
            "concurrency": self.concurrency,
            "status": {
                "lastJob": None
                if last is None
                else {"id": last.id, "at": iso(last.plan.created_at)},
                "nextJobRunAt": None if self.next_due is None else iso(self.next_due),
            },
            "owner": dict(self.owner),
        }


def check_schedule(schedule: Any) -> str:
    if not isinstance(schedule, str):
        raise BadRequest("schedule must be a string such as '@hourly' or '*/5 * * * *'")
    try:
        cron.next_run(schedule, 0.0)
    except ValueError as error:
        raise BadRequest(f"Invalid schedule {schedule!r}: {error}") from None
    return schedule


class JobStarter(Protocol):
    """What the book needs from the world it belongs to."""

    rng: random.Random
    lock: threading.RLock

    def clock(self) -> float: ...

    def owner(self, namespace: str) -> dict[str, str]: ...

    def start_job(
        self,
        namespace: str,
        spec: Spec,
        labels: Mapping[str, str],
        initiator: Mapping[str, str],
        at: float,
    ) -> Job: ...


# At most this many due times are caught up on when the clock jumps ahead (a suspended laptop, a
# test's fake clock); the rest are skipped, as a scheduler that was down would.
MAX_CATCH_UP = 50


class Schedules:
    """Every scheduled job of a world, with the Hub's operations on them.

    Schedules run on time: whenever the world reads its clock, every due schedule starts its
    run (created at the minute it was due), unless it is suspended, or its last run is still
    live and it does not allow concurrent runs (that run is skipped).
    """

    def __init__(self, world: JobStarter) -> None:
        self.world = world
        self._scheduled: dict[str, ScheduledJob] = {}

    def add(
        self,
        namespace: str,
        spec: Spec,
        schedule: str,
        *,
        labels: Mapping[str, str] | None = None,
        suspend: bool = False,
        concurrency: bool = False,
        created_at: float | None = None,
    ) -> ScheduledJob:
        with self.world.lock:
            created = self.world.clock() if created_at is None else created_at
            scheduled = ScheduledJob(
                id=new_id(self.world.rng, created),
                namespace=namespace,
                owner=self.world.owner(namespace),
                created_at=created,
                spec=spec,
                labels=dict(labels or {}),
                schedule=schedule,
                suspend=suspend,
                concurrency=concurrency,
            )
            scheduled.plan_next(max(created, self.world.clock()))
            self._scheduled[scheduled.id] = scheduled
            return scheduled

    def run_due(self, now: float) -> None:
        """Start every run that is due at `now` (called by the world's clock)."""
        with self.world.lock:
            for scheduled in list(self._scheduled.values()):
                missed = 0
                while scheduled.next_due is not None and scheduled.next_due <= now:
                    due = scheduled.next_due
                    if missed == MAX_CATCH_UP:
                        scheduled.plan_next(now)
                        break
                    last = scheduled.last_job
                    if scheduled.concurrency or last is None or not last.state(due).live:
                        self._start(scheduled, due)
                    scheduled.plan_next(due)
                    missed += 1

    def _start(self, scheduled: ScheduledJob, at: float) -> Job:
        initiator = {"type": "scheduled-job", "id": scheduled.id}
        job = self.world.start_job(
            scheduled.namespace, scheduled.spec, scheduled.labels, initiator, at
        )
        scheduled.last_job = job
        return job

    def create(self, namespace: str, body: Any) -> dict[str, Any]:
        """POST /api/scheduled-jobs/{namespace}."""
        self.world.owner(namespace)
        if not isinstance(body, dict):
            raise BadRequest("The body must be a JSON object with jobSpec and schedule")
        spec, labels = Spec.from_body(body.get("jobSpec"))
        flags = {key: body.get(key) or False for key in ("suspend", "concurrency")}
        for key, value in flags.items():
            if not isinstance(value, bool):
                raise BadRequest(f"{key} must be true or false")
        scheduled = self.add(
            namespace,
            spec,
            check_schedule(body.get("schedule")),
            labels=labels,
            suspend=flags["suspend"],
            concurrency=flags["concurrency"],
        )
        return scheduled.to_json(self.world.clock())

    def _get(self, namespace: str, scheduled_id: str) -> ScheduledJob:
        self.world.owner(namespace)
        scheduled = self._scheduled.get(scheduled_id)
        if scheduled is None or scheduled.namespace != namespace:
            raise NotFound(f"Scheduled job '{scheduled_id}' not found in namespace '{namespace}'")
        return scheduled

    def get(self, namespace: str, scheduled_id: str) -> dict[str, Any]:
        return self._get(namespace, scheduled_id).to_json(self.world.clock())

    def list(self, namespace: str, *, labels: Iterable[str] = ()) -> list[dict[str, Any]]:
        self.world.owner(namespace)
        matches = [label_matcher(text) for text in labels]
        now = self.world.clock()
        with self.world.lock:
            found = [s for s in self._scheduled.values() if s.namespace == namespace]
        found.sort(key=lambda s: (s.created_at, s.id), reverse=True)
        return [s.to_json(now) for s in found if all(match(s.labels) for match in matches)]

    def delete(self, namespace: str, scheduled_id: str) -> None:
        with self.world.lock:
            del self._scheduled[self._get(namespace, scheduled_id).id]

    def suspend(self, namespace: str, scheduled_id: str, suspend: bool) -> dict[str, Any]:
        """Suspend (no runs, no next run) or resume (the next run after now; none missed)."""
        with self.world.lock:
            scheduled = self._get(namespace, scheduled_id)
            now = self.world.clock()
            scheduled.suspend = suspend
            scheduled.plan_next(now)
            return scheduled.to_json(now)

    def set_schedule(self, namespace: str, scheduled_id: str, body: Any) -> dict[str, Any]:
        schedule = check_schedule(body.get("schedule") if isinstance(body, dict) else None)
        with self.world.lock:
            scheduled = self._get(namespace, scheduled_id)
            now = self.world.clock()
            scheduled.schedule = schedule
            scheduled.plan_next(now)
            return scheduled.to_json(now)

    def set_labels(self, namespace: str, scheduled_id: str, body: Any) -> dict[str, Any]:
        scheduled = self._get(namespace, scheduled_id)
        scheduled.labels = labels_of(body)
        return scheduled.to_json(self.world.clock())

    def trigger(self, namespace: str, scheduled_id: str) -> dict[str, Any]:
        """Run a scheduled job now. Refused (409) while its last run is live, unless concurrent."""
        with self.world.lock:
            scheduled = self._get(namespace, scheduled_id)
            now = self.world.clock()
            last = scheduled.last_job
            if not scheduled.concurrency and last is not None and last.state(now).live:
                raise Conflict(
                    f"Scheduled job '{scheduled_id}' already has a run in progress "
                    f"(job '{last.id}') and does not allow concurrent runs"
                )
            return self._start(scheduled, now).to_json(now)
