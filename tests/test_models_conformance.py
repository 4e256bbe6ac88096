"""Our JobInfo reads every payload the way huggingface_hub's JobInfo does, and more tolerantly."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from huggingface_hub import JobInfo as OfficialJobInfo

from jobtui.hub.models import (
    JobHardwareInfo,
    JobInfo,
    JobStage,
    MalformedPayload,
    parse_timestamp,
)

ENDPOINT = "https://hub.example"

BASE: dict[str, Any] = {
    "id": "687fb701029421ae5549d998",
    "createdAt": "2025-07-22T16:06:25.079Z",
    "dockerImage": "python:3.12",
    "command": ["python", "-c", "print('hi')"],
    "arguments": [],
    "environment": {},
    "secrets": [],
    "flavor": "cpu-basic",
    "status": {"stage": "COMPLETED", "message": None},
    "owner": {"id": "5e9ecfc04957053f60648a3e", "name": "lhoestq", "type": "user"},
}


def variant(**changes: Any) -> dict[str, Any]:
    payload = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            payload.pop(key, None)
        else:
            payload[key] = value
    return payload


PAYLOADS: dict[str, dict[str, Any]] = {
    "completed docker job": variant(),
    "running": variant(
        startedAt="2025-07-22T16:06:31.079Z",
        status={"stage": "RUNNING", "message": None},
        durations={"schedulingSecs": 6, "runningSecs": 2, "totalSecs": 8},
    ),
    "scheduling, nothing optional": {
        "id": "a" * 24,
        "status": {"stage": "SCHEDULING"},
        "owner": {"id": "1", "name": "alice", "type": "user"},
    },
    "error with timeout message": variant(
        startedAt="2025-07-22T16:07:00Z",
        finishedAt="2025-07-22T16:37:00Z",
        status={"stage": "ERROR", "message": "Job timeout"},
    ),
    "canceled": variant(status={"stage": "CANCELED", "message": "Canceled by user"}),
    "deleted": variant(status={"stage": "DELETED", "message": None}),
    "unknown stage UPDATING": variant(status={"stage": "UPDATING"}),
    "space job": variant(dockerImage=None, spaceId="lhoestq/duckdb"),
    "org owner": variant(owner={"id": "org1", "name": "acme-ml", "type": "org"}),
    "labels with name": variant(labels={"name": "hello-world", "team": "nlp"}),
    "environment": variant(environment={"EPOCHS": "3", "LR": "3e-5"}),
    "secrets as list": variant(secrets=["HF_TOKEN", "WANDB_API_KEY"]),
    "secrets as dict": variant(secrets={"HF_TOKEN": "enc:xxxx", "OTHER": "enc:yyyy"}),
    "volumes": variant(
        volumes=[
            {"type": "dataset", "source": "org/ds", "mountPath": "/data", "readOnly": True},
            {"type": "bucket", "source": "me/b", "mountPath": "/out", "path": "runs/1"},
            {"type": "model", "source": "me/m", "mountPath": "/m", "revision": "v1"},
        ]
    ),
    "initiator user": variant(initiator={"type": "user", "id": "u1", "name": "lhoestq"}),
    "initiator scheduled job": variant(initiator={"type": "scheduled-job", "id": "sj1"}),
    "initiator duplicated job": variant(initiator={"type": "duplicated-job", "id": "j0"}),
    "exposed urls and ssh": variant(
        status={
            "stage": "RUNNING",
            "message": None,
            "exposeUrls": ["https://x--8000.hf.jobs"],
            "sshUrl": "ssh://x@ssh.hf.jobs",
        }
    ),
    "unknown extra fields": variant(futureField={"a": 1}, anotherOne=[1, 2], retry=2),
    "timestamps without fraction": variant(
        createdAt="2025-07-22T16:06:25Z", startedAt="2025-07-22T16:06:26Z"
    ),
    "timestamps with nanoseconds": variant(createdAt="2025-07-22T16:06:25.123456789Z"),
    "arguments and long command": variant(
        command=["bash", "-lc", "pip install -r req.txt && python train.py --epochs 3"],
        arguments=["--fast"],
    ),
    "durations partly missing": variant(durations={"schedulingSecs": 3}),
    "gpu flavor": variant(flavor="h200x8"),
}


def shared_values(job: Any) -> dict[str, Any]:
    """The attributes both JobInfo classes have, in comparable form."""

    def seq(value: Any) -> list[Any] | None:
        return None if value is None else list(value)

    volumes = job.volumes
    return {
        "id": job.id,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "docker_image": job.docker_image,
        "space_id": job.space_id,
        "command": seq(job.command),
        "arguments": seq(job.arguments),
        "environment": job.environment,
        # The official class keeps secrets as they came; their names are what both show.
        "secrets": seq(job.secrets),
        "flavor": job.flavor,
        "labels": job.labels,
        "volumes": None
        if volumes is None
        else [(v.type, v.source, v.mount_path, v.revision, v.read_only, v.path) for v in volumes],
        "stage": str(job.status.stage),
        "message": job.status.message,
        "expose_urls": seq(job.status.expose_urls),
        "ssh_url": job.status.ssh_url,
        "durations": None
        if job.durations is None
        else (job.durations.scheduling_secs, job.durations.running_secs, job.durations.total_secs),
        "owner": (job.owner.id, job.owner.name, job.owner.type),
        "initiator": None
        if job.initiator is None
        else (job.initiator.type, job.initiator.id, job.initiator.name),
        "endpoint": job.endpoint,
        "url": job.url,
    }


def test_there_are_enough_varied_payloads() -> None:
    assert len(PAYLOADS) >= 20
    stages = {p["status"]["stage"] for p in PAYLOADS.values()}
    assert set(JobStage) <= stages


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_same_values_as_the_official_jobinfo(payload: dict[str, Any]) -> None:
    official = OfficialJobInfo(**copy.deepcopy(payload), endpoint=ENDPOINT)
    ours = JobInfo.from_api(copy.deepcopy(payload), ENDPOINT)
    assert shared_values(ours) == shared_values(official)


def test_unknown_stage_is_kept_and_counts_as_live() -> None:
    job = JobInfo.from_api(PAYLOADS["unknown stage UPDATING"], ENDPOINT)
    assert job.status.stage == "UPDATING"
    assert job.is_live
    assert not JobInfo.from_api(PAYLOADS["canceled"], ENDPOINT).is_live


def test_display_name_is_the_name_label_else_a_short_id() -> None:
    named = JobInfo.from_api(PAYLOADS["labels with name"], ENDPOINT)
    assert named.display_name == "hello-world"
    unnamed = JobInfo.from_api(PAYLOADS["completed docker job"], ENDPOINT)
    assert unnamed.display_name == BASE["id"][:8]


def test_space_job_shows_as_a_space_image() -> None:
    job = JobInfo.from_api(PAYLOADS["space job"], ENDPOINT)
    assert job.image == "hf.co/spaces/lhoestq/duckdb"


def test_raw_payload_is_kept_for_rerun() -> None:
    job = JobInfo.from_api(variant(timeoutSeconds=900), ENDPOINT)
    assert job.timeout_seconds == 900
    assert job.raw["command"] == BASE["command"]


def test_jobs_are_immutable() -> None:
    job = JobInfo.from_api(BASE, ENDPOINT)
    with pytest.raises(AttributeError):
        job.flavor = "h200"  # type: ignore[misc]


@pytest.mark.parametrize(
    "payload",
    [None, [], "job", {"status": {"stage": "RUNNING"}}, {"id": 12}],
    ids=["null", "list", "string", "no id", "numeric id"],
)
def test_a_payload_that_is_not_a_job_is_refused_clearly(payload: Any) -> None:
    with pytest.raises(MalformedPayload):
        JobInfo.from_api(payload, ENDPOINT)


def test_odd_shapes_are_read_where_the_official_class_would_crash() -> None:
    job = JobInfo.from_api(
        {
            "id": "b" * 24,
            "createdAt": "not a date",
            "command": "python run.py",
            "environment": {"N": 3, "EMPTY": None},
            "labels": ["not", "a", "dict"],
            "durations": "soon",
        },
        ENDPOINT,
        namespace="alice",
    )
    assert job.created_at is None
    assert job.command == ("python run.py",)
    assert job.environment == {"N": "3", "EMPTY": ""}
    assert job.labels is None
    assert job.status.stage == "UNKNOWN"
    assert job.owner.name == "alice"
    assert job.url == f"{ENDPOINT}/jobs/alice/{'b' * 24}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-07-22T16:06:25.079Z", datetime(2025, 7, 22, 16, 6, 25, 79000, UTC)),
        ("2025-07-22T16:06:25Z", datetime(2025, 7, 22, 16, 6, 25, tzinfo=UTC)),
        ("2025-07-22T16:06:25", datetime(2025, 7, 22, 16, 6, 25, tzinfo=UTC)),
        ("2025-07-22T18:06:25.5+02:00", datetime(2025, 7, 22, 16, 6, 25, 500000, UTC)),
        ("yesterday", None),
        (None, None),
    ],
)
def test_timestamps(text: str | None, expected: datetime | None) -> None:
    assert parse_timestamp(text) == expected


def test_hardware_price_per_hour() -> None:
    flavor = JobHardwareInfo.from_api(
        {
            "name": "a10g-small",
            "prettyName": "Nvidia A10G - small",
            "cpu": "4 vCPU",
            "ram": "15 GB",
            "accelerator": {
                "type": "gpu",
                "model": "A10G",
                "quantity": "1",
                "vram": "24 GB",
                "manufacturer": "Nvidia",
            },
            "unitCostMicroUSD": 16667,
            "unitCostUSD": 0.016667,
            "unitLabel": "minute",
        }
    )
    assert flavor.price_per_hour == pytest.approx(1.0, abs=0.001)
    assert flavor.accelerator is not None and flavor.accelerator.vram == "24 GB"


def test_absurd_numbers_and_dates_are_dropped_not_fatal() -> None:
    job = JobInfo.from_api(
        {
            "id": "c" * 24,
            "createdAt": "0001-01-01T00:00:00+01:00",
            "startedAt": "9999-12-31T23:59:59-05:00",
            "durations": {"schedulingSecs": float("inf"), "runningSecs": 10**400},
            "timeoutSeconds": float("nan"),
            "status": {"stage": "RUNNING"},
        },
        ENDPOINT,
    )
    assert job.created_at is None and job.started_at is None
    assert job.durations is not None and job.durations.running_secs is None
    assert job.timeout_seconds is None
