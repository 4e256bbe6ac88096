"""The simulated Hub's state, in memory: accounts, jobs and scheduled jobs, driven by a clock.

A world starts empty; `jobtui.sim.scenarios` fills one with history.
"""

from __future__ import annotations

import bisect
import math
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from jobtui.sim.errors import BadRequest, Conflict, Forbidden, NotFound
from jobtui.sim.hardware import FLAVORS
from jobtui.sim.jobs import Job, JobState, LogWindow, Plan
from jobtui.sim.logs import Failure, LogScript, kind_of, log_script, pick_failure
from jobtui.sim.schedules import Schedules
from jobtui.sim.spec import (
    DEFAULT_TIMEOUT_SECS,
    Spec,
    check_expose,
    label_matcher,
    labels_of,
    spec_for_image,
)
from jobtui.sim.stamps import new_id


def _sort_key(job: Job) -> tuple[int, str]:
    return round(job.plan.created_at * 1000), job.id


def _cursor(job: Job) -> str:
    """Where the next page starts: the sort key of the last job on this one."""
    created, job_id = _sort_key(job)
    return f"{created}-{job_id}"


class World:
    """Every account, job and scheduled job of the simulated Hub, driven by `clock`.

    A new world has no jobs (`jobtui.sim.scenarios` fills one). Created jobs wait
    `scheduling_secs` for a machine (echo and seq jobs never wait); scheduled jobs start their
    runs on time, as the clock is read. Methods raise ApiError subclasses, which carry the HTTP
    status the Hub answers with.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        scheduling_secs: float = 3.0,
        user: str = "alice",
        org: str = "acme-ml",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.seed = seed
        self._read_clock = clock
        self.user, self.org = user, org
        self.scheduling_secs = scheduling_secs
        self.rng = random.Random(seed)
        self.user_id = f"{self.rng.getrandbits(96):024x}"
        self.org_id = f"{self.rng.getrandbits(96):024x}"
        self.lock = threading.RLock()
        self._jobs: dict[str, Job] = {}
        # Per namespace, jobs oldest first (by _sort_key): a page is a slice, not a sort.
        self._by_age: dict[str, list[Job]] = {}
        self.schedules = Schedules(self)
        # Jobs a scenario shaped for a purpose, by role ("idle-gpu", "near-timeout"): their ids.
        self.featured: dict[str, str] = {}

    def clock(self) -> float:
        """The time now. Reading it moves the world on: schedules that are due start their runs
        (job stages follow from their plans and need nothing)."""
        now = self._read_clock()
        self.schedules.run_due(now)
        return now

    # -- accounts

    def whoami(self) -> dict[str, Any]:
        return {
            "type": "user",
            "id": self.user_id,
            "name": self.user,
            "fullname": self.user.capitalize(),
            "email": f"{self.user}@example.com",
            "emailVerified": True,
            "isPro": True,
            "canPay": True,
            "avatarUrl": f"/avatars/{self.user}.svg",
            "orgs": [
                {
                    "type": "org",
                    "id": self.org_id,
                    "name": self.org,
                    "fullname": self.org.replace("-", " ").title(),
                    "roleInOrg": "admin",
                    "isEnterprise": True,
                    "canPay": True,
                }
            ],
            "auth": {
                "type": "access_token",
                "accessToken": {"displayName": "jobtui-sim", "role": "write"},
            },
        }

    @property
    def namespaces(self) -> tuple[str, str]:
        return self.user, self.org

    def owner(self, namespace: str) -> dict[str, str]:
        if namespace == self.user:
            return {"id": self.user_id, "name": self.user, "type": "user"}
        if namespace == self.org:
            return {"id": self.org_id, "name": self.org, "type": "org"}
        raise Forbidden(f"You don't have access to namespace '{namespace}'")

    def user_initiator(self) -> dict[str, str]:
        return {"type": "user", "id": self.user_id, "name": self.user}

    # -- jobs

    def add_job(
        self,
        namespace: str,
        spec: Spec,
        plan: Plan,
        write_logs: Callable[[], LogScript],
        *,
        labels: Mapping[str, str] | None = None,
        initiator: Mapping[str, str] | None = None,
        canceled_at: float | None = None,
    ) -> Job:
        """Add a job with a plan of your own (scenarios and tests); returns it."""
        with self.lock:
            job = Job(
                id=new_id(self.rng, plan.created_at),
                namespace=namespace,
                owner=self.owner(namespace),
                initiator=dict(initiator or self.user_initiator()),
                spec=spec,
                labels=dict(labels or {}),
                plan=plan,
                write_logs=write_logs,
                canceled_at=canceled_at,
            )
            self._jobs[job.id] = job
            bisect.insort(self._by_age.setdefault(namespace, []), job, key=_sort_key)
            return job

    def add_scripted_job(
        self,
        namespace: str,
        lines: LogScript,
        *,
        run_secs: float,
    ) -> dict[str, Any]:
        """Start now a python:3.12 job that prints exactly `lines` ((seconds after start, line)
        pairs), runs `run_secs` and completes."""
        now = self.clock()
        plan = Plan(now, 0.0, run_secs, "COMPLETED")
        spec = spec_for_image("python:3.12", ("python", "script.py"))
        fixed = sorted(lines, key=lambda item: item[0])
        job = self.add_job(namespace, spec, plan, lambda: fixed)
        return job.to_json(now)

    def _plan_for(self, spec: Spec, now: float) -> tuple[Plan, Callable[[], LogScript]]:
        """The created-job rules: echo and seq finish at once, sleep N runs N seconds, the rest
        run a minute or more with synthetic logs and sometimes fail."""
        program, args = spec.command[0], [*spec.command[1:], *spec.arguments]
        timeout = spec.timeout_secs or DEFAULT_TIMEOUT_SECS
        if program == "echo":
            lines = [(0.0, line) for line in " ".join(args).split("\n")]
            return Plan(now, 0.0, 0.0, timeout_secs=timeout), lambda: lines
        if program == "seq" and len(args) == 1 and args[0].isdigit():
            numbers = [(0.0, str(n)) for n in range(1, int(args[0]) + 1)]
            return Plan(now, 0.0, 0.0, timeout_secs=timeout), lambda: numbers
        if program == "sleep" and len(args) == 1 and _is_seconds(args[0]):
            return Plan(now, self.scheduling_secs, float(args[0]), timeout_secs=timeout), list
        kind = kind_of(spec.command)
        low, high = (120, 600) if kind == "train" else (60, 240)
        run_secs = round(self.rng.uniform(low, high), 3)
        failure: Failure | None = None
        if self.rng.random() < 0.25:
            failure = pick_failure(self.rng, gpu=spec.hardware.gpu_count > 0)
        plan = Plan(
            now,
            self.scheduling_secs,
            run_secs,
            "COMPLETED" if failure is None else "ERROR",
            None if failure is None else failure.message,
            timeout,
        )
        rng = random.Random(self.rng.getrandbits(64))
        return plan, partial(log_script, kind, rng, run_secs=run_secs, failure=failure)

    def start_job(
        self,
        namespace: str,
        spec: Spec,
        labels: Mapping[str, str],
        initiator: Mapping[str, str] | None = None,
        at: float | None = None,
    ) -> Job:
        """Create a job from `spec` at time `at` (default now), as the Hub would run it."""
        with self.lock:
            plan, write_logs = self._plan_for(spec, self.clock() if at is None else at)
            return self.add_job(
                namespace, spec, plan, write_logs, labels=labels, initiator=initiator
            )

    def create_job(self, namespace: str, body: Any) -> dict[str, Any]:
        """POST /api/jobs/{namespace}: validate the spec (dropping secret values) and start it."""
        self.owner(namespace)
        spec, labels = Spec.from_body(body)
        return self.start_job(namespace, spec, labels).to_json(self.clock())

    def _job(self, namespace: str, job_id: str) -> Job:
        self.owner(namespace)
        job = self._jobs.get(job_id)
        if job is None or job.namespace != namespace:
            raise NotFound(f"Job '{job_id}' not found in namespace '{namespace}'")
        return job

    def job(self, namespace: str, job_id: str) -> dict[str, Any]:
        return self._job(namespace, job_id).to_json(self.clock())

    def list_jobs(
        self,
        namespace: str,
        *,
        stages: Iterable[str] = (),
        labels: Iterable[str] = (),
        after: str | None = None,
        limit: int | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Jobs newest first, filtered; returns one page and the cursor of the next (or None).

        `labels` items are "key=value" (that value) or "key" (has the key); all must match.
        `after` is a cursor from an earlier page: the page starts after that job, wherever new
        jobs were created in between.
        """
        self.owner(namespace)
        wanted = {stage.upper() for stage in stages}
        matches = [label_matcher(text) for text in labels]
        now = self.clock()
        start: tuple[int, str] | None = None
        if after is not None:
            created, _, job_id = after.partition("-")
            if not created.isdigit() or not job_id:
                raise BadRequest(f"Invalid cursor {after!r}")
            start = (int(created), job_id)
        with self.lock:
            by_age = self._by_age.get(namespace, [])
            end = len(by_age) if start is None else bisect.bisect_left(by_age, start, key=_sort_key)
            older = by_age[:end]  # one copy, taken under the lock
        page: list[Job] = []
        for job in reversed(older):
            if wanted and job.state(now).stage not in wanted:
                continue
            if not all(match(job.labels) for match in matches):
                continue
            if limit is not None and len(page) == limit:
                return [job.to_json(now) for job in page], _cursor(page[-1])
            page.append(job)
        return [job.to_json(now) for job in page], None

    def cancel_job(self, namespace: str, job_id: str) -> dict[str, Any]:
        """Cancel a live job. A finished job cannot be canceled: Conflict (HTTP 409)."""
        with self.lock:
            job = self._job(namespace, job_id)
            now = self.clock()
            state = job.state(now)
            if not state.live:
                raise Conflict(f"Job '{job_id}' is already {state.stage} and cannot be canceled")
            job.canceled_at = now
            return job.to_json(now)

    def duplicate_job(self, namespace: str, job_id: str) -> dict[str, Any]:
        """Run a job again with the same spec (secrets, retries, network, resource group and
        timeout included; secret values stay here); the new job says it was duplicated."""
        original = self._job(namespace, job_id)
        initiator = {"type": "duplicated-job", "id": original.id}
        job = self.start_job(namespace, original.current_spec, original.labels, initiator)
        return job.to_json(self.clock())

    def expose(self, namespace: str, job_id: str, body: Any) -> dict[str, Any]:
        """PUT .../expose: the ports and public ports replace the job's set while it is live.
        A finished job is refused (HTTP 409), as canceling one is."""
        exposed, public = check_expose(body)
        with self.lock:
            job = self._job(namespace, job_id)
            now = self.clock()
            state = job.state(now)
            if not state.live:
                raise Conflict(
                    f"Job '{job_id}' is already {state.stage}: only a running or scheduling "
                    "job's ports can change"
                )
            job.expose_ports, job.expose_public = exposed, public
            return job.to_json(now)

    def set_labels(self, namespace: str, job_id: str, body: Any) -> dict[str, Any]:
        job = self._job(namespace, job_id)
        job.labels = labels_of(body)
        return job.to_json(self.clock())

    def state(self, namespace: str, job_id: str) -> JobState:
        """Where the job is now (raises 403/404 like every call on a job)."""
        return self._job(namespace, job_id).state(self.clock())

    def logs(self, namespace: str, job_id: str, start: int = 0) -> LogWindow:
        return self._job(namespace, job_id).logs(self.clock(), start)

    def metrics(self, namespace: str, job_id: str) -> tuple[JobState, dict[str, Any] | None]:
        """The job's state and, while it runs, one metrics sample."""
        job = self._job(namespace, job_id)
        now = self.clock()
        state = job.state(now)
        return state, job.metrics(now) if state.stage == "RUNNING" else None

    def hardware(self) -> list[dict[str, Any]]:
        return [flavor.to_json() for flavor in FLAVORS.values()]


def _is_seconds(text: str) -> bool:
    try:
        return math.isfinite(float(text)) and float(text) >= 0
    except ValueError:
        return False
