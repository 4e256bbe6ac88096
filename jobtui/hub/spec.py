"""Job specs: the body of `POST /api/jobs/{namespace}`, and how a rerun rebuilds one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobtui.hub.models import JobInfo

# What the Hub runs a job on when the spec names no flavor (as `hf jobs run` does).
DEFAULT_FLAVOR = "cpu-basic"


def rerun_spec(
    job: JobInfo,
    *,
    flavor: str | None = None,
    environment: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The spec that runs `job` again, as `hf jobs run` would have sent it.

    The Hub never returns secret values, so `secrets` (name → value) must come from the
    caller; the job's own secret names are not sent without a value.
    """
    raw = job.raw
    spec: dict[str, Any] = {}
    if job.space_id:
        spec["spaceId"] = job.space_id
    else:
        spec["dockerImage"] = job.docker_image or ""
    spec["command"] = list(job.command or ())
    spec["arguments"] = list(job.arguments or ())
    spec["environment"] = dict(job.environment or {} if environment is None else environment)
    spec["flavor"] = flavor or job.flavor or DEFAULT_FLAVOR
    if secrets:
        spec["secrets"] = dict(secrets)
    if job.timeout_seconds:
        spec["timeoutSeconds"] = job.timeout_seconds
    if job.labels:
        spec["labels"] = dict(job.labels)
    if job.volumes:
        spec["volumes"] = [volume.to_api() for volume in job.volumes]
    expose = raw.get("expose")
    if isinstance(expose, Mapping) and expose.get("ports"):
        spec["expose"] = dict(expose)
    if job.status.ssh_url:
        spec["ssh"] = {"enabled": True}
    for key in ("resourceGroupId", "attempts"):
        if raw.get(key) is not None:
            spec[key] = raw[key]
    return spec
