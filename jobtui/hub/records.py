"""The Hub's other answers: hardware flavors, the account, scheduled jobs, log lines."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from msgspec import Struct

from jobtui.hub.job import JobOwner
from jobtui.hub.parsing import (
    MAX_INT,
    MalformedPayload,
    _get,
    _int_or_none,
    _str_or_none,
    parse_timestamp,
)


class JobAccelerator(Struct, frozen=True):
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


class JobHardwareInfo(Struct, frozen=True):
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


class Account(Struct, frozen=True):
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


class ScheduledJobInfo(Struct, frozen=True):
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


JOB_STARTED_MARKER = "===== Job started"


class LogLine(Struct, frozen=True):
    """One line of a job's log, as the log stream sends it."""

    text: str
    timestamp: datetime | None

    @property
    def is_restart(self) -> bool:
        """The Hub's `===== Job started at … =====` marker: past the first line of a log, it
        means the job was re-queued (a node lost) and started again."""
        return self.text.startswith(JOB_STARTED_MARKER)
