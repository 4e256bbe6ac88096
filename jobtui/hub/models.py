"""What the Jobs API returns, as immutable objects named like `huggingface_hub`'s.

Parsing is tolerant: unknown fields are ignored, missing optional fields are None, unknown
stages are kept as plain strings, and a payload that cannot be a job raises `MalformedPayload`.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DEFAULT_ENDPOINT = "https://huggingface.co"


class MalformedPayload(ValueError):
    """The server sent something that cannot be read as the object we asked for."""


class JobStage(enum.StrEnum):
    """The stages the Hub documents. Other strings do occur (e.g. UPDATING) and are kept as-is."""

    SCHEDULING = "SCHEDULING"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    CANCELED = "CANCELED"
    ERROR = "ERROR"
    DELETED = "DELETED"


TERMINAL_STAGES: frozenset[str] = frozenset(
    {JobStage.COMPLETED, JobStage.CANCELED, JobStage.ERROR, JobStage.DELETED}
)


MIN_YEAR, MAX_YEAR = 1970, 9000
MAX_INT = 10**12  # seconds, micro-dollars: far beyond any real value, safe for timedelta


def parse_stage(value: object) -> JobStage | str:
    """A known stage as `JobStage`, anything else as its upper-cased string."""
    text = str(value or "UNKNOWN").strip().upper() or "UNKNOWN"
    try:
        return JobStage(text)
    except ValueError:
        return text


def parse_timestamp(value: object) -> datetime | None:
    """ISO-8601 with or without fractional seconds or `Z`; naive times are UTC; junk is None."""
    if not isinstance(value, str):
        return None
    return _parse_timestamp_text(value)


# A chatty log stamps many lines alike: every log line's stamp comes through here.
@functools.lru_cache(maxsize=4096)
def _parse_timestamp_text(value: str) -> datetime | None:
    if not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # Python reads at most 6 fractional digits; the Hub may send more (or fewer).
    if "." in text:
        head, _, rest = text.partition(".")
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = f"{head}.{rest[:digits][:6]:0<6}{rest[digits:]}"
    try:
        parsed = datetime.fromisoformat(text)
        parsed = (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    # Keep clear of the calendar's ends, where any arithmetic on the date overflows.
    return parsed if MIN_YEAR <= parsed.year <= MAX_YEAR else None


def _get(payload: Mapping[str, Any], camel: str, snake: str | None = None) -> Any:
    value = payload.get(camel)
    if value is None and snake is not None:
        value = payload.get(snake)
    return value


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _int_or_none(value: object) -> int | None:
    """A sane whole number, or None: JSON can carry 1e400 (inf) or 10**400."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return None
    return number if abs(number) <= MAX_INT else None


def _strings(value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(str(item) for item in value)
    return None


def _string_map(value: object) -> dict[str, str] | None:
    if not isinstance(value, Mapping):
        return None
    return {str(key): "" if item is None else str(item) for key, item in value.items()}


@dataclass(frozen=True)
class JobStatus:
    stage: JobStage | str
    message: str | None = None
    expose_urls: tuple[str, ...] | None = None
    ssh_url: str | None = None

    @classmethod
    def from_api(cls, payload: object) -> JobStatus:
        data = payload if isinstance(payload, Mapping) else {}
        return cls(
            stage=parse_stage(data.get("stage")),
            message=_str_or_none(data.get("message")),
            expose_urls=_strings(data.get("exposeUrls")),
            ssh_url=_str_or_none(data.get("sshUrl")),
        )


@dataclass(frozen=True)
class JobOwner:
    id: str
    name: str
    type: str

    @classmethod
    def from_api(cls, payload: object, fallback_name: str = "") -> JobOwner:
        data = payload if isinstance(payload, Mapping) else {}
        return cls(
            id=str(data.get("id") or ""),
            name=str(data.get("name") or fallback_name),
            type=str(data.get("type") or "user"),
        )


@dataclass(frozen=True)
class JobDurations:
    scheduling_secs: int | None = None
    running_secs: int | None = None
    total_secs: int | None = None

    @classmethod
    def from_api(cls, payload: Mapping[str, Any]) -> JobDurations:
        return cls(
            scheduling_secs=_int_or_none(_get(payload, "schedulingSecs", "scheduling_secs")),
            running_secs=_int_or_none(_get(payload, "runningSecs", "running_secs")),
            total_secs=_int_or_none(_get(payload, "totalSecs", "total_secs")),
        )


@dataclass(frozen=True)
class JobInitiator:
    type: str
    id: str
    name: str | None = None

    @classmethod
    def from_api(cls, payload: Mapping[str, Any]) -> JobInitiator:
        return cls(
            type=str(payload.get("type") or "unknown"),
            id=str(payload.get("id") or ""),
            name=_str_or_none(payload.get("name")),
        )


@dataclass(frozen=True)
class Volume:
    type: str
    source: str
    mount_path: str
    revision: str | None = None
    read_only: bool | None = None
    path: str | None = None

    @classmethod
    def from_api(cls, payload: Mapping[str, Any]) -> Volume:
        read_only = _get(payload, "readOnly", "read_only")
        return cls(
            type=str(payload.get("type") or "model"),
            source=str(payload.get("source") or ""),
            mount_path=str(_get(payload, "mountPath", "mount_path") or ""),
            revision=_str_or_none(payload.get("revision")),
            read_only=None if read_only is None else bool(read_only),
            path=_str_or_none(payload.get("path")),
        )

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": self.type,
            "source": self.source,
            "mountPath": self.mount_path,
        }
        if self.revision is not None:
            data["revision"] = self.revision
        if self.read_only is not None:
            data["readOnly"] = self.read_only
        if self.path is not None:
            data["path"] = self.path
        return data


@dataclass(frozen=True)
class JobInfo:
    """One job as the Hub describes it. `raw` keeps the whole payload (rerun needs its spec)."""

    id: str
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    docker_image: str | None
    space_id: str | None
    command: tuple[str, ...] | None
    arguments: tuple[str, ...] | None
    environment: dict[str, str] | None
    secrets: tuple[str, ...] | None
    flavor: str | None
    labels: dict[str, str] | None
    volumes: tuple[Volume, ...] | None
    status: JobStatus
    durations: JobDurations | None
    owner: JobOwner
    initiator: JobInitiator | None
    endpoint: str = DEFAULT_ENDPOINT
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_api(
        cls, payload: object, endpoint: str = DEFAULT_ENDPOINT, namespace: str = ""
    ) -> JobInfo:
        """Read a job object; `namespace` stands in for a missing owner name."""
        if not isinstance(payload, Mapping):
            raise MalformedPayload(f"expected a job object, got {type(payload).__name__}")
        job_id = payload.get("id")
        if not isinstance(job_id, str) or not job_id:
            raise MalformedPayload("job object without an id")
        secrets = payload.get("secrets")
        if isinstance(secrets, Mapping):
            secrets = list(secrets)
        volumes = payload.get("volumes")
        durations = payload.get("durations")
        initiator = payload.get("initiator")
        return cls(
            id=job_id,
            created_at=parse_timestamp(_get(payload, "createdAt", "created_at")),
            started_at=parse_timestamp(_get(payload, "startedAt", "started_at")),
            finished_at=parse_timestamp(_get(payload, "finishedAt", "finished_at")),
            docker_image=_str_or_none(_get(payload, "dockerImage", "docker_image") or None),
            space_id=_str_or_none(_get(payload, "spaceId", "space_id") or None),
            command=_strings(payload.get("command")),
            arguments=_strings(payload.get("arguments")),
            environment=_string_map(payload.get("environment")),
            secrets=_strings(secrets),
            flavor=_str_or_none(payload.get("flavor")),
            labels=_string_map(payload.get("labels")),
            volumes=tuple(Volume.from_api(v) for v in volumes if isinstance(v, Mapping))
            if isinstance(volumes, list) and volumes
            else None,
            status=JobStatus.from_api(payload.get("status")),
            durations=JobDurations.from_api(durations) if isinstance(durations, Mapping) else None,
            owner=JobOwner.from_api(payload.get("owner"), fallback_name=namespace),
            initiator=JobInitiator.from_api(initiator) if isinstance(initiator, Mapping) else None,
            endpoint=endpoint.rstrip("/"),
            raw=dict(payload),
        )

    @property
    def url(self) -> str:
        return f"{self.endpoint}/jobs/{self.owner.name}/{self.id}"

    @property
    def is_live(self) -> bool:
        """Whether the job may still change: every stage that is not terminal (so UPDATING)."""
        return self.status.stage not in TERMINAL_STAGES

    @property
    def name(self) -> str | None:
        """The job's display name, `labels["name"]`, when it has one."""
        return (self.labels or {}).get("name") or None

    @property
    def short_id(self) -> str:
        return self.id[:8]

    @property
    def display_name(self) -> str:
        return self.name or self.short_id

    @property
    def image(self) -> str:
        """The Docker image, or the Space as `hf.co/spaces/...` (what `hf jobs run` takes)."""
        if self.space_id:
            return f"hf.co/spaces/{self.space_id}"
        return self.docker_image or ""

    @property
    def timeout_seconds(self) -> int | None:
        return _int_or_none(_get(self.raw, "timeoutSeconds", "timeout"))


@dataclass(frozen=True)
class JobAccelerator:
    type: str
    model: str
    quantity: str
    vram: str
    manufacturer: str

    @classmethod
    def from_api(cls, payload: Mapping[str, Any]) -> JobAccelerator:
        return cls(
            type=str(payload.get("type") or ""),
            model=str(payload.get("model") or ""),
            quantity=str(payload.get("quantity") or ""),
            vram=str(payload.get("vram") or ""),
            manufacturer=str(payload.get("manufacturer") or ""),
        )


@dataclass(frozen=True)
class JobHardwareInfo:
    """A hardware flavor and its price, from `GET /api/jobs/hardware`."""

    name: str
    pretty_name: str
    cpu: str
    ram: str
    ephemeral_storage: str
    accelerator: JobAccelerator | None
    unit_cost_micro_usd: int
    unit_cost_usd: float
    unit_label: str

    @classmethod
    def from_api(cls, payload: object) -> JobHardwareInfo:
        if not isinstance(payload, Mapping) or not payload.get("name"):
            raise MalformedPayload("hardware entry without a name")
        accelerator = payload.get("accelerator")
        micro = _int_or_none(payload.get("unitCostMicroUSD")) or 0
        try:
            usd = float(payload.get("unitCostUSD", micro / 1e6))
        except (TypeError, ValueError, OverflowError):
            usd = micro / 1e6
        if not 0 <= usd < MAX_INT:  # nan, inf, negative
            usd = micro / 1e6
        return cls(
            name=str(payload["name"]),
            pretty_name=str(payload.get("prettyName") or payload["name"]),
            cpu=str(payload.get("cpu") or ""),
            ram=str(payload.get("ram") or ""),
            ephemeral_storage=str(payload.get("ephemeralStorage") or "N/A"),
            accelerator=JobAccelerator.from_api(accelerator)
            if isinstance(accelerator, Mapping)
            else None,
            unit_cost_micro_usd=micro,
            unit_cost_usd=usd,
            unit_label=str(payload.get("unitLabel") or "minute"),
        )

    @property
    def price_per_hour(self) -> float:
        per_unit = {"second": 3600, "minute": 60, "hour": 1}.get(self.unit_label, 60)
        return self.unit_cost_usd * per_unit

    @property
    def price_per_second(self) -> float:
        return self.price_per_hour / 3600


@dataclass(frozen=True)
class Account:
    """Who the token belongs to (`GET /api/whoami-v2`)."""

    name: str
    type: str
    orgs: tuple[str, ...]

    @classmethod
    def from_api(cls, payload: object) -> Account:
        if not isinstance(payload, Mapping) or not payload.get("name"):
            raise MalformedPayload("whoami answer without a name")
        orgs = payload.get("orgs")
        return cls(
            name=str(payload["name"]),
            type=str(payload.get("type") or "user"),
            orgs=tuple(
                str(org["name"])
                for org in (orgs if isinstance(orgs, list) else [])
                if isinstance(org, Mapping) and org.get("name")
            ),
        )

    @property
    def namespaces(self) -> tuple[str, ...]:
        return (self.name, *self.orgs)


@dataclass(frozen=True)
class ScheduledJobInfo:
    id: str
    created_at: datetime | None
    schedule: str | None
    suspend: bool | None
    concurrency: bool | None
    job_spec: Mapping[str, Any]
    owner: JobOwner
    last_job_id: str | None
    next_run_at: datetime | None

    @classmethod
    def from_api(cls, payload: object, namespace: str = "") -> ScheduledJobInfo:
        if not isinstance(payload, Mapping) or not isinstance(payload.get("id"), str):
            raise MalformedPayload("scheduled job without an id")
        status = payload.get("status")
        status = status if isinstance(status, Mapping) else {}
        last_job = _get(status, "lastJob", "last_job")
        spec = _get(payload, "jobSpec", "job_spec")
        suspend, concurrency = payload.get("suspend"), payload.get("concurrency")
        return cls(
            id=payload["id"],
            created_at=parse_timestamp(_get(payload, "createdAt", "created_at")),
            schedule=_str_or_none(payload.get("schedule")),
            suspend=None if suspend is None else bool(suspend),
            concurrency=None if concurrency is None else bool(concurrency),
            job_spec=dict(spec) if isinstance(spec, Mapping) else {},
            owner=JobOwner.from_api(payload.get("owner"), fallback_name=namespace),
            last_job_id=_str_or_none(last_job.get("id")) if isinstance(last_job, Mapping) else None,
            next_run_at=parse_timestamp(_get(status, "nextJobRunAt", "next_job_run_at")),
        )


@dataclass(frozen=True)
class LogLine:
    """One line of a job's log, as the log stream sends it."""

    text: str
    timestamp: datetime | None
