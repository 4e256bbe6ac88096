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
    caller; the job's own secret names are not sent without a value. To run a job again
    with its secrets, the Hub's own rerun is `HubClient.duplicate_job`.
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
    if job.expose:
        spec["expose"] = {"ports": list(job.expose), "portsPublic": list(job.expose_public or ())}
    if job.status.ssh_url:
        spec["ssh"] = {"enabled": True}
    if job.network is not None:
        spec["network"] = {"group": job.network.group, "aliases": list(job.network.aliases)}
    # The Hub reports a job's attempts back as `retry` (attempts - 1).
    if job.retry is not None:
        spec["attempts"] = job.retry + 1
    elif raw.get("attempts") is not None:
        spec["attempts"] = raw["attempts"]
    if raw.get("resourceGroupId") is not None:
        spec["resourceGroupId"] = raw["resourceGroupId"]
    return spec
