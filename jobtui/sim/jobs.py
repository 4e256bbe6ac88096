"""The simulated Hub's jobs: a plan fixed at creation, and the stage, log and load it implies.

A job's stage is derived from its plan and the time asked about, so nothing runs in the background.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from jobtui.sim.logs import LogScript
from jobtui.sim.metrics import sample
from jobtui.sim.spec import Spec
from jobtui.sim.stamps import iso, whole_seconds

LIVE_STAGES = ("SCHEDULING", "RUNNING")
REQUEUED = "Re-queued: the node running the job was lost"


@dataclass(frozen=True)
class Plan:
    """A job's whole life, fixed at creation: when it starts, how long it runs, how it ends."""

    created_at: float
    scheduling_secs: float
    run_secs: float
    outcome: str = "COMPLETED"  # or ERROR / DELETED, when the run ends on its own
    message: str | None = None
    timeout_secs: float | None = None
    # (lost, back): seconds after the start when the node is lost and the job goes back to
    # SCHEDULING, and when it starts again from scratch (its log says "Job started" again).
    requeue: tuple[float, float] | None = None

    @property
    def started_at(self) -> float:
        return self.created_at + self.scheduling_secs

    @property
    def timed_out(self) -> bool:
        return self.timeout_secs is not None and self.run_secs > self.timeout_secs

    @property
    def ends_at(self) -> float:
        if self.timeout_secs is None:
            return self.started_at + self.run_secs
        return self.started_at + min(self.run_secs, self.timeout_secs)


@dataclass(frozen=True)
class JobState:
    stage: str
    message: str | None
    started_at: float | None
    finished_at: float | None

    @property
    def live(self) -> bool:
        return self.stage in LIVE_STAGES


@dataclass(frozen=True)
class LogWindow:
    """What a job has printed so far: the (timestamp, line) pairs from the index asked for on.

    `printed` counts every line printed yet; `wake_at` is when that may change next (a line is
    due, the job starts or ends), None once the job is over.
    """

    started_at: float | None
    lines: list[tuple[float, str]]
    printed: int
    live: bool
    wake_at: float | None


@dataclass(eq=False)
class Job:
    id: str
    namespace: str
    owner: dict[str, str]
    initiator: dict[str, str]
    spec: Spec
    labels: dict[str, str]
    plan: Plan
    write_logs: Callable[[], LogScript] = field(repr=False)
    canceled_at: float | None = None
    # Seconds after the start (end excluded) while its GPUs sit idle: see metrics.sample.
    idle: tuple[float, float] | None = None
    # The ports exposed now: the spec's at first, replaced by PUT .../expose while it is live.
    expose_ports: tuple[int, ...] = field(init=False)
    expose_public: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.expose_ports, self.expose_public = self.spec.expose_ports, self.spec.expose_public

    @property
    def current_spec(self) -> Spec:
        """The spec with the ports exposed now: what a rerun starts from."""
        return replace(self.spec, expose_ports=self.expose_ports, expose_public=self.expose_public)

    @cached_property
    def script(self) -> LogScript:
        return self.write_logs()

    @cached_property
    def _line_times(self) -> list[float]:
        return [self.plan.started_at + offset for offset, _ in self.script]

    def state(self, now: float) -> JobState:
        """Where the job stands at time `now`."""
        plan = self.plan
        if self.canceled_at is not None and now >= self.canceled_at:
            started = plan.started_at if plan.started_at <= self.canceled_at else None
            return JobState("CANCELED", None, started, self.canceled_at)
        if now < plan.started_at:
            return JobState("SCHEDULING", None, None, None)
        if now < plan.ends_at:
            lost = plan.requeue
            if lost is not None and lost[0] <= now - plan.started_at < lost[1]:
                # Started once, waiting for a machine again; startedAt stays the first start.
                return JobState("SCHEDULING", REQUEUED, plan.started_at, None)
            return JobState("RUNNING", None, plan.started_at, None)
        if plan.timed_out:
            return JobState("ERROR", "Job timeout", plan.started_at, plan.ends_at)
        return JobState(plan.outcome, plan.message, plan.started_at, plan.ends_at)

    def logs(self, now: float, start: int = 0) -> LogWindow:
        state = self.state(now)
        if state.started_at is None:
            return LogWindow(None, [], 0, state.live, self.plan.started_at if state.live else None)
        cutoff = now if state.finished_at is None else min(now, state.finished_at)
        times = self._line_times
        printed = bisect.bisect_right(times, cutoff)
        lines = [(times[i], self.script[i][1]) for i in range(min(start, printed), printed)]
        wake_at = None
        if state.live:
            wake_at = (
                min(times[printed], self.plan.ends_at)
                if printed < len(times)
                else self.plan.ends_at
            )
        return LogWindow(state.started_at, lines, printed, state.live, wake_at)

    def metrics(self, now: float) -> dict[str, Any]:
        """One sample of the machine's load (the job must be running at `now`)."""
        elapsed = now - self.plan.started_at
        requeue = self.plan.requeue
        if requeue is not None and elapsed >= requeue[1]:
            elapsed -= requeue[1]  # a machine of its own again, set up from scratch
        return sample(self.id, self.spec.hardware, self.spec.command, elapsed, self.idle)

    def to_json(self, now: float) -> dict[str, Any]:
        state = self.state(now)
        data: dict[str, Any] = {"id": self.id, "createdAt": iso(self.plan.created_at)}
        if state.started_at is not None:
            data["startedAt"] = iso(state.started_at)
        if state.finished_at is not None:
            data["finishedAt"] = iso(state.finished_at)
        data.update(self.spec.to_json(self.labels))
        status: dict[str, Any] = {"stage": state.stage, "message": state.message}
        if self.expose_ports:
            status["exposeUrls"] = [f"https://{self.id}--{p}.hf.jobs" for p in self.expose_ports]
        if self.spec.ssh:
            status["sshUrl"] = f"ssh://{self.id}@ssh.hf.jobs"
        data["status"] = status
        end = now if state.finished_at is None else state.finished_at
        started = state.started_at
        data["durations"] = {
            "schedulingSecs": None
            if started is None
            else whole_seconds(started - self.plan.created_at),
            "runningSecs": None if started is None else whole_seconds(end - started),
            "totalSecs": whole_seconds(end - self.plan.created_at),
        }
        data["owner"] = dict(self.owner)
        data["initiator"] = dict(self.initiator)
        if self.expose_ports:
            data["expose"] = {
                "ports": list(self.expose_ports),
                "portsPublic": list(self.expose_public),
            }
        if self.spec.network is not None:
            data["network"] = dict(self.spec.network)
        if self.spec.attempts is not None:
            data["retry"] = self.spec.attempts - 1
        if self.spec.timeout_secs is not None:
            # Not in the public docs' list, but a rerun needs it; clients ignore unknown fields.
            data["timeoutSeconds"] = round(self.spec.timeout_secs)
        if self.spec.resource_group_id is not None:
            data["resourceGroupId"] = self.spec.resource_group_id  # likewise
        return data
