"""Our JobInfo reads every payload the way huggingface_hub's JobInfo does, and more tolerantly."""

from __future__ import annotations

import copy
import dataclasses
import enum
import sys
import typing
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from huggingface_hub import JobInfo as OfficialJobInfo

from jobtui.hub.models import (
    JobHardwareInfo,
    JobInfo,
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
    "network group with aliases": variant(network={"group": "train", "aliases": ["master"]}),
    "network group alone": variant(network={"group": "train"}),
    "retries": variant(retry=2),
    "exposed ports, one public": variant(expose={"ports": [8000, 7860], "portsPublic": [7860]}),
    "exposed ports, none public": variant(expose={"ports": [8000]}),
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


def official_attributes(cls: Any) -> list[str]:
    """The attributes the installed official class declares, read off the class itself (or
    the fields of a Struct of ours, where the official side has nothing to shape it)."""
    if issubclass(cls, msgspec.Struct):
        return list(cls.__struct_fields__)
    return [f.name for f in dataclasses.fields(cls)]


def nested_classes(cls: type) -> dict[str, type]:
    """Attribute name -> the official dataclass it holds (JobStatus, JobOwner, ...)."""
    hints = typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))
    nested = {}
    for name, hint in hints.items():
        for candidate in (hint, *typing.get_args(hint)):
            for inner in (candidate, *typing.get_args(candidate)):
                if dataclasses.is_dataclass(inner) and isinstance(inner, type):
                    nested[name] = inner
    return nested


def test_our_jobinfo_has_every_attribute_of_the_official_one() -> None:
    names = official_attributes(OfficialJobInfo)
    ours = JobInfo.from_api(PAYLOADS["network group with aliases"], ENDPOINT)
    missing = [name for name in names if not hasattr(ours, name)]
    assert not missing, f"huggingface_hub's JobInfo has {missing}; ours does not"


@pytest.mark.parametrize("attribute", sorted(nested_classes(OfficialJobInfo)))
def test_each_part_of_our_jobinfo_has_every_attribute_of_the_official_part(
    attribute: str,
) -> None:
    payload = variant(
        network={"group": "g", "aliases": ["a"]},
        initiator={"type": "user", "id": "u", "name": "n"},
        durations={"schedulingSecs": 1},
        volumes=[{"type": "dataset", "source": "o/d", "mountPath": "/d"}],
    )
    ours = getattr(JobInfo.from_api(payload, ENDPOINT), attribute)
    part = ours[0] if isinstance(ours, tuple) else ours
    official = nested_classes(OfficialJobInfo)[attribute]
    missing = [name for name in official_attributes(official) if not hasattr(part, name)]
    assert not missing, f"huggingface_hub's {official.__name__} has {missing}; ours does not"


def plain(value: Any, shape: Any = None) -> Any:
    """A value in a form both classes share: a record (an official dataclass, or a Struct of
    ours) as a dict of the fields its official counterpart `shape` declares, a sequence as a
    list, an enum as its string."""
    if isinstance(value, msgspec.Struct) or dataclasses.is_dataclass(value):
        names = official_attributes(type(shape if shape is not None else value))
        return {name: plain(getattr(value, name)) for name in names}
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, list | tuple):
        shapes = shape if isinstance(shape, list) else [None] * len(value)
        return [plain(item, part) for item, part in zip(value, shapes, strict=False)]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def comparable(job: Any, official: Any) -> dict[str, Any]:
    """Every attribute the official class declares, read from `job` in comparable form."""
    out = {}
    for name in official_attributes(type(official)):
        value, theirs = getattr(job, name), getattr(official, name)
        if name == "secrets" and value is not None:
            # The official class keeps secrets as they came; their names are what both show.
            out[name] = list(value)
        else:
            out[name] = plain(value, theirs)
    return out


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_same_values_as_the_official_jobinfo(payload: dict[str, Any]) -> None:
    official = OfficialJobInfo(**copy.deepcopy(payload), endpoint=ENDPOINT)
    ours = JobInfo.from_api(copy.deepcopy(payload), ENDPOINT)
    assert comparable(ours, official) == comparable(official, official)


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


def test_only_what_a_rerun_needs_of_the_payload_is_kept() -> None:
    job = JobInfo.from_api(variant(timeoutSeconds=900, resourceGroupId="rg-1"), ENDPOINT)
    assert job.timeout_seconds == 900
    assert job.raw == {"timeoutSeconds": 900, "resourceGroupId": "rg-1"}


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


@pytest.mark.parametrize(
    ("changes", "network", "retry", "expose", "public"),
    [
        ({"network": "train"}, None, None, None, None),
        ({"network": {"group": 5, "aliases": ["a"]}}, None, None, None, None),
        ({"network": {"group": "g", "aliases": "solo"}}, ("g", ("solo",)), None, None, None),
        ({"network": {"aliases": ["a"]}}, None, None, None, None),
        ({"retry": "two"}, None, None, None, None),
        ({"retry": -1}, None, None, None, None),
        ({"retry": 1e400}, None, None, None, None),
        ({"retry": True}, None, None, None, None),
        ({"expose": [8000]}, None, None, None, None),
        ({"expose": {"ports": "8000"}}, None, None, None, None),
        (
            {"expose": {"ports": [8000, "x", 70000, True, 0, 1.5], "portsPublic": [8000]}},
            None,
            None,
            (8000,),
            (8000,),
        ),
    ],
)
def test_odd_network_retry_and_expose_values_are_dropped_not_fatal(
    changes: dict[str, Any],
    network: tuple[str, tuple[str, ...]] | None,
    retry: int | None,
    expose: tuple[int, ...] | None,
    public: tuple[int, ...] | None,
) -> None:
    job = JobInfo.from_api(variant(**changes), ENDPOINT)
    assert (None if job.network is None else (job.network.group, job.network.aliases)) == network
    assert (job.retry, job.expose, job.expose_public) == (retry, expose, public)
