"""A job as the Hub describes it (`JobInfo`) and the parts it is made of.

Parsing is tolerant: unknown fields are ignored, missing optional fields are None, unknown
stages are kept as plain strings, and a payload that cannot be a job raises `MalformedPayload`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from msgspec import Struct, field

from jobtui.hub.compare import compare_without
from jobtui.hub.parsing import (
    DEFAULT_ENDPOINT,
    MAPPINGS,
    MalformedPayload,
    _get,
    _int_or_none,
    _str_or_none,
    _string_map,
    _strings,
    _text,
    parse_timestamp,
    shared,
)


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


def parse_stage(value: object) -> JobStage | str:
    """A known stage as `JobStage`, anything else as its upper-cased string."""
    text = str(value or "UNKNOWN").strip().upper() or "UNKNOWN"
    try:
        return JobStage(text)
    except ValueError:
        return text


_NO_RAW: Mapping[str, Any] = MappingProxyType({})

# Payload keys kept in `JobInfo.raw` (see there).
RERUN_KEYS = ("timeoutSeconds", "timeout", "attempts", "resourceGroupId")


class JobStatus(Struct, frozen=True):
    stage: JobStage | str
    message: str | None = None
    expose_urls: tuple[str, ...] | None = None
    ssh_url: str | None = None

    @classmethod
    def from_api(cls, payload: object) -> JobStatus:
        data = payload if isinstance(payload, MAPPINGS) else {}
        return cls(
            stage=parse_stage(data.get("stage")),
            message=_str_or_none(data.get("message")),
            expose_urls=_strings(data.get("exposeUrls")),
            ssh_url=_str_or_none(data.get("sshUrl")),
        )


class JobOwner(Struct, frozen=True):
    id: str
    name: str
    type: str

    @classmethod
    def from_api(cls, payload: object, fallback_name: str = "") -> JobOwner:
        data = payload if isinstance(payload, MAPPINGS) else {}
        return cls(
            id=str(data.get("id") or ""),
            name=str(data.get("name") or fallback_name),
            type=str(data.get("type") or "user"),
        )


class JobDurations(Struct, frozen=True):
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


class JobInitiator(Struct, frozen=True):
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


class Volume(Struct, frozen=True):
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


class JobNetwork(Struct, frozen=True):
    """The network group a job joined (`network_group=`) and the aliases it claims there."""

    group: str
    aliases: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, payload: object) -> JobNetwork | None:
        """None unless the payload names a group: a job that joined none has no network."""
        if not isinstance(payload, MAPPINGS):
            return None
        group = payload.get("group")
        if not isinstance(group, str) or not group:
            return None
        return cls(group=group, aliases=_strings(payload.get("aliases")) or ())


def _ports(value: object) -> tuple[int, ...] | None:
    """TCP port numbers; anything that is not one is dropped."""
    if not isinstance(value, list | tuple):
        return None
    ports = (_int_or_none(item) for item in value if not isinstance(item, str | float))
    return tuple(port for port in ports if port is not None and 0 < port < 65536)


class JobInfo(Struct, frozen=True):
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
    network: JobNetwork | None = None
    retry: int | None = None  # retries set for the job: its attempts - 1
    expose: tuple[int, ...] | None = None  # every exposed port, public ones included
    expose_public: tuple[int, ...] | None = None  # exposed ports open without a token
    endpoint: str = DEFAULT_ENDPOINT
    raw: Mapping[str, Any] = field(default_factory=dict)
    """The few keys of the Hub's payload that have no field but a rerun sends back. Not the
    whole payload: that was 62% of what a job held in memory."""
    partial: bool = False
    """Read back from somewhere that kept only part of it (the first-screen cache): it never
    stands for the Hub's own object of the job (see `unchanged`)."""

    @classmethod
    def from_api(
        cls, payload: object, endpoint: str = DEFAULT_ENDPOINT, namespace: str = ""
    ) -> JobInfo:
        """Read a job object; `namespace` stands in for a missing owner name."""
        if not isinstance(payload, MAPPINGS):
            raise MalformedPayload(f"expected a job object, got {type(payload).__name__}")
        job_id = payload.get("id")
        if not isinstance(job_id, str) or not job_id:
            raise MalformedPayload("job object without an id")
        secrets = payload.get("secrets")
        if isinstance(secrets, MAPPINGS):
            secrets = list(secrets)
        volumes = payload.get("volumes")
        durations = payload.get("durations")
        initiator = payload.get("initiator")
        expose = payload.get("expose")
        expose = expose if isinstance(expose, MAPPINGS) else {}
        retry = _int_or_none(payload.get("retry"))
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
            volumes=tuple(Volume.from_api(v) for v in volumes if isinstance(v, MAPPINGS))
            if isinstance(volumes, list) and volumes
            else None,
            status=shared(JobStatus.from_api(payload.get("status"))),
            durations=JobDurations.from_api(durations) if isinstance(durations, MAPPINGS) else None,
            owner=shared(JobOwner.from_api(payload.get("owner"), fallback_name=namespace)),
            initiator=shared(JobInitiator.from_api(initiator))
            if isinstance(initiator, MAPPINGS)
            else None,
            network=JobNetwork.from_api(payload.get("network")),
            retry=retry if retry is not None and retry >= 0 else None,
            expose=_ports(_get(expose, "ports")),
            expose_public=_ports(_get(expose, "portsPublic", "ports_public")),
            endpoint=_text(endpoint.rstrip("/")),
            raw={key: payload[key] for key in RERUN_KEYS if key in payload} or _NO_RAW,
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


compare_without(JobInfo, "raw", "partial")  # neither is the Hub's word on the job


def unchanged(payload: object, job: JobInfo) -> bool:
    """Whether the Hub's job object `payload` tells nothing a user would see that `job` (read
    from an earlier one) does not, so `job` may stand for it without reading it again.

    A poll lists every live job, and the Hub recomputes their `durations` on every request:
    the parts of a job that can change are its status, its start and finish, its labels and
    its exposed ports; its spec does not. Each is compared in the payload's own terms and
    read as `from_api` would, so a True is never wrong; a False only costs the full read
    (a stage spelt in lower case, a message that is a number). `durations` are ignored:
    runtimes are worked out from the times, unless a live job lacks them; a finished job's
    durations no longer change."""
    if type(payload) is not dict or job.partial:
        return False
    status = payload.get("status")
    if type(status) is not dict:
        return False
    old = job.status
    stage = status.get("stage")
    if type(stage) is not str or stage != old.stage:
        return False
    if job.is_live and (
        job.created_at is None or (job.started_at is None and stage != JobStage.SCHEDULING)
    ):
        return False  # a live runtime its times cannot tell: only the Hub's durations do
    if (
        status.get("message") != old.message
        or status.get("sshUrl") != old.ssh_url
        or not _same_strings(status.get("exposeUrls"), old.expose_urls)
    ):
        return False
    labels = payload.get("labels")
    if labels != job.labels or not (labels is None or type(labels) is dict):
        return False
    if parse_timestamp(_get(payload, "startedAt", "started_at")) != job.started_at:
        return False
    if parse_timestamp(_get(payload, "finishedAt", "finished_at")) != job.finished_at:
        return False
    expose = payload.get("expose")
    if expose is None:
        return job.expose is None and job.expose_public is None
    expose = expose if isinstance(expose, MAPPINGS) else {}
    return _ports(_get(expose, "ports")) == job.expose and (
        _ports(_get(expose, "portsPublic", "ports_public")) == job.expose_public
    )


def _same_strings(value: object, kept: tuple[str, ...] | None) -> bool:
    """Whether `_strings(value)` would read as `kept` (a str equals only a str)."""
    if value is None or kept is None:
        return value is None and kept is None
    return type(value) is list and tuple(value) == kept


def job_reader(
    endpoint: str, namespace: str, known: Callable[[str], JobInfo | None] | None = None
) -> Callable[[Any], JobInfo]:
    """Reads a job object of `namespace`'s listing. `known` finds a job read before (the
    store's): where the Hub's object shows no change (`unchanged`), that JobInfo comes back."""

    def read(item: Any) -> JobInfo:
        if known is not None and type(item) is dict:
            job_id = item.get("id")
            job = known(job_id) if type(job_id) is str else None
            if job is not None and unchanged(item, job):
                return job
        return JobInfo.from_api(item, endpoint, namespace)

    return read
