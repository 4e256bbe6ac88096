"""The simulated Hub's records: job specs, plans, jobs and scheduled jobs, and the Hub's errors.

A job's stage is derived from its plan and the time asked about, so nothing runs in the background.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from typing import Any

from jobtui.sim import cron
from jobtui.sim.hardware import FLAVORS, Flavor
from jobtui.sim.logs import LogScript

LIVE_STAGES = ("SCHEDULING", "RUNNING")
DEFAULT_TIMEOUT_SECS = 30 * 60
VOLUME_TYPES = ("bucket", "model", "dataset", "space")
SPACE_PREFIXES = (
    "https://huggingface.co/spaces/",
    "https://hf.co/spaces/",
    "huggingface.co/spaces/",
    "hf.co/spaces/",
)


class HubError(Exception):
    """A request the Hub refuses; `status` is the HTTP status it answers with."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(HubError):
    status = 400


class Forbidden(HubError):
    status = 403


class NotFound(HubError):
    status = 404


class Conflict(HubError):
    status = 409


def iso(moment: float) -> str:
    """A Unix time as the Hub writes it: ISO-8601 UTC with milliseconds and a Z."""
    millis = round(moment * 1000)
    return f"{_iso_second(millis // 1000)}.{millis % 1000:03d}Z"


@lru_cache(maxsize=4096)
def _iso_second(seconds: int) -> str:
    # Every log event and listed job is stamped; a chatty log stamps many alike.
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _seconds(span: float) -> int:
    """Whole seconds elapsed, forgiving float noise below the millisecond timestamps carry."""
    return max(0, math.floor(span + 0.0005))


def new_id(rng: random.Random, moment: float) -> str:
    """24 lowercase hex digits, starting with the creation time like a Hub (Mongo) id."""
    return f"{int(moment) & 0xFFFFFFFF:08x}{rng.getrandbits(64):016x}"


# ---- the job spec -------------------------------------------------------------------------


def _strings(value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BadRequest(f"{what} must be a list of strings")
    return list(value)


def string_map(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(item, str) for key, item in value.items()
    ):
        raise BadRequest(f"{what} must be an object of strings")
    return dict(value)


def _volumes(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise BadRequest("volumes must be a list")
    for volume in value:
        if (
            not isinstance(volume, dict)
            or volume.get("type") not in VOLUME_TYPES
            or not isinstance(volume.get("source"), str)
            or not isinstance(volume.get("mountPath"), str)
        ):
            raise BadRequest(
                f"each volume needs a type ({', '.join(VOLUME_TYPES)}), a source and a mountPath"
            )
    return [dict(volume) for volume in value]


def _ports(value: Any) -> list[int]:
    if not isinstance(value, list) or not all(
        isinstance(port, int) and 0 < port < 65536 for port in value
    ):
        raise BadRequest("ports must be a list of port numbers")
    return list(value)


@dataclass(frozen=True)
class Spec:
    """What to run and where: a job's fixed settings. Secret values are never kept, only names."""

    command: tuple[str, ...]
    docker_image: str | None = None
    space_id: str | None = None
    arguments: tuple[str, ...] = ()
    environment: Mapping[str, str] = field(default_factory=dict)
    secret_names: tuple[str, ...] = ()
    flavor: str = "cpu-basic"
    timeout_secs: int | None = None
    volumes: tuple[Mapping[str, Any], ...] = ()
    expose_ports: tuple[int, ...] = ()
    expose_public: tuple[int, ...] = ()
    ssh: bool = False
    network: Mapping[str, Any] | None = None
    attempts: int | None = None

    @classmethod
    def from_body(cls, body: Any) -> tuple[Spec, dict[str, str]]:
        """Validate a create body; returns the spec and the labels. Secret values are dropped."""
        if not isinstance(body, dict):
            raise BadRequest("The job spec must be a JSON object")
        image, space = body.get("dockerImage"), body.get("spaceId")
        if (image is None) == (space is None):
            raise BadRequest("The job spec needs exactly one of dockerImage or spaceId")
        source = image if image is not None else space
        if not isinstance(source, str) or not source.strip():
            raise BadRequest("dockerImage or spaceId must be a non-empty string")
        command = _strings(body.get("command"), "command")
        if not command:
            raise BadRequest("command must not be empty")
        flavor = body.get("flavor", "cpu-basic")
        if not isinstance(flavor, str) or flavor not in FLAVORS:
            raise BadRequest(f"Unknown flavor {flavor!r}; see GET /api/jobs/hardware")
        secrets = body.get("secrets") or {}
        if not isinstance(secrets, dict | list):
            raise BadRequest("secrets must be an object of NAME: value")
        timeout = body.get("timeoutSeconds")
        if timeout is not None and (not isinstance(timeout, int) or timeout <= 0):
            raise BadRequest("timeoutSeconds must be a positive integer")
        attempts = body.get("attempts")
        if attempts is not None and (not isinstance(attempts, int) or attempts < 1):
            raise BadRequest("attempts must be a positive integer")
        expose = body.get("expose") or {}
        if not isinstance(expose, dict):
            raise BadRequest("expose must be an object with ports")
        ssh = body.get("ssh") or {}
        network = body.get("network")
        if network is not None and not (
            isinstance(network, dict) and isinstance(network.get("group"), str)
        ):
            raise BadRequest("network must be an object with a group")
        spec = cls(
            command=tuple(command),
            docker_image=image,
            space_id=space,
            arguments=tuple(_strings(body.get("arguments", []), "arguments")),
            environment=string_map(body.get("environment") or {}, "environment"),
            secret_names=tuple(sorted(str(name) for name in secrets)),
            flavor=flavor,
            timeout_secs=timeout,
            volumes=tuple(_volumes(body.get("volumes") or [])),
            expose_ports=tuple(_ports(expose.get("ports", []))),
            expose_public=tuple(_ports(expose.get("portsPublic", []))),
            ssh=isinstance(ssh, dict) and ssh.get("enabled") is True,
            network=network,
            attempts=attempts,
        )
        return spec, string_map(body.get("labels") or {}, "labels")

    @property
    def hardware(self) -> Flavor:
        return FLAVORS[self.flavor]

    def to_json(self, labels: Mapping[str, str]) -> dict[str, Any]:
        """The spec's fields, with the job's labels, as they appear in a job object."""
        data: dict[str, Any] = (
            {"dockerImage": self.docker_image}
            if self.docker_image is not None
            else {"spaceId": self.space_id}
        )
        data.update(
            command=list(self.command),
            arguments=list(self.arguments),
            environment=dict(self.environment),
            secrets=list(self.secret_names),
            flavor=self.flavor,
            labels=dict(labels),
            volumes=[dict(volume) for volume in self.volumes],
        )
        return data


def spec_for_image(image: str, command: Iterable[str], **settings: Any) -> Spec:
    """A spec for an image reference, which may name a Space (hf.co/spaces/owner/name)."""
    for prefix in SPACE_PREFIXES:
        if image.startswith(prefix):
            return Spec(command=tuple(command), space_id=image[len(prefix) :], **settings)
    return Spec(command=tuple(command), docker_image=image, **settings)


# ---- jobs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """A job's whole life, fixed at creation: when it starts, how long it runs, how it ends."""

    created_at: float
    scheduling_secs: float
    run_secs: float
    outcome: str = "COMPLETED"  # or ERROR / DELETED, when the run ends on its own
    message: str | None = None
    timeout_secs: float | None = None

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
class LogView:
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
            return JobState("RUNNING", None, plan.started_at, None)
        if plan.timed_out:
            return JobState("ERROR", "Job timeout", plan.started_at, plan.ends_at)
        return JobState(plan.outcome, plan.message, plan.started_at, plan.ends_at)

    def logs(self, now: float, start: int = 0) -> LogView:
        state = self.state(now)
        if state.started_at is None:
            return LogView(None, [], 0, state.live, self.plan.started_at if state.live else None)
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
        return LogView(state.started_at, lines, printed, state.live, wake_at)

    def metrics(self, now: float) -> dict[str, Any]:
        """One plausible sample of the machine's load while the job runs."""
        hardware = self.spec.hardware
        elapsed = now - self.plan.started_at
        phase = int(self.id[-6:], 16) % 628 / 100
        noise = random.Random(f"{self.id}:{int(now)}")

        def wave(period: float, low: float, high: float) -> float:
            level = 0.5 + 0.5 * math.sin(elapsed / period + phase) + noise.uniform(-0.08, 0.08)
            return low + (high - low) * min(1.0, max(0.0, level))

        memory_total = hardware.ram_gb * 10**9
        sample: dict[str, Any] = {
            "cpu_usage_pct": round(wave(40, 5, 95)),
            "cpu_millicores": hardware.vcpus * 875,  # the Hub reports 3500 for 4 vCPU
            "memory_used_bytes": round(wave(300, 0.1, 0.8) * memory_total),
            "memory_total_bytes": memory_total,
            "rx_bps": round(wave(20, 0, 50e6)),
            "tx_bps": round(wave(25, 0, 5e6)),
            "gpus": {},
            "replica": hashlib.sha1(self.id.encode()).hexdigest()[:5],
        }
        vram = hardware.vram_gb * 10**9
        for index in range(hardware.gpu_count):
            gpu_id = hashlib.sha1(f"{self.id}:{index}".encode()).hexdigest()[:8]
            sample["gpus"][gpu_id] = {
                "utilization": round(wave(15 + index, 40, 100)),
                "memory_used_bytes": round(wave(600, 0.5, 0.95) * vram),
                "memory_total_bytes": vram,
            }
        return sample

    def to_json(self, now: float) -> dict[str, Any]:
        state = self.state(now)
        data: dict[str, Any] = {"id": self.id, "createdAt": iso(self.plan.created_at)}
        if state.started_at is not None:
            data["startedAt"] = iso(state.started_at)
        if state.finished_at is not None:
            data["finishedAt"] = iso(state.finished_at)
        data.update(self.spec.to_json(self.labels))
        status: dict[str, Any] = {"stage": state.stage, "message": state.message}
        if self.spec.expose_ports:
            status["exposeUrls"] = [
                f"https://{self.id}--{p}.hf.jobs" for p in self.spec.expose_ports
            ]
        if self.spec.ssh:
            status["sshUrl"] = f"ssh://{self.id}@ssh.hf.jobs"
        data["status"] = status
        end = now if state.finished_at is None else state.finished_at
        started = state.started_at
        data["durations"] = {
            "schedulingSecs": None if started is None else _seconds(started - self.plan.created_at),
            "runningSecs": None if started is None else _seconds(end - started),
            "totalSecs": _seconds(end - self.plan.created_at),
        }
        data["owner"] = dict(self.owner)
        data["initiator"] = dict(self.initiator)
        if self.spec.expose_ports:
            data["expose"] = {
                "ports": list(self.spec.expose_ports),
                "portsPublic": list(self.spec.expose_public),
            }
        if self.spec.network is not None:
            data["network"] = dict(self.spec.network)
        if self.spec.attempts is not None:
            data["retry"] = self.spec.attempts - 1
        if self.spec.timeout_secs is not None:
            # Not in the public docs' list, but a rerun needs it; clients ignore unknown fields.
            data["timeoutSeconds"] = round(self.spec.timeout_secs)
        return data


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
                "nextJobRunAt": None if self.suspend else iso(cron.next_run(self.schedule, now)),
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
