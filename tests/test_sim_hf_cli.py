"""Today's Hub features, driven by the official `hf` CLI (a subprocess, as a user types it) and
the official client against a simulated Hub on a fake clock: rerun, expose, labels, scheduled
jobs that run on time, and stats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError

from jobtui.sim import SimulatedHub, World

T0 = datetime(2026, 5, 12, 14, 57, 43, tzinfo=UTC).timestamp()
HF = Path(sys.executable).parent / "hf"


class FakeClock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance_to(self, hh_mm_ss: str) -> None:
        """Move on to that time of T0's day (UTC)."""
        moment = datetime.fromisoformat(f"2026-05-12T{hh_mm_ss}").replace(tzinfo=UTC)
        assert moment.timestamp() >= self.now, "a clock never goes back"
        self.now = moment.timestamp()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def hub(clock: FakeClock) -> Iterator[SimulatedHub]:
    """An empty world at 14:57:43 whose time moves only when the test says so."""
    with SimulatedHub(World(clock=clock, scheduling_secs=1.0)) as hub:
        yield hub


@pytest.fixture
def api(hub: SimulatedHub) -> HfApi:
    return HfApi(endpoint=hub.url, token=hub.token)


class Hf:
    """The `hf` command, pointed at the simulated Hub through the environment."""

    def __init__(self, hub: SimulatedHub, home: Path) -> None:
        self.env = {
            **os.environ,
            "HF_ENDPOINT": hub.url,
            "HF_TOKEN": hub.token,
            "HF_HOME": str(home),
            "HF_HUB_DISABLE_UPDATE_CHECK": "1",
            "NO_COLOR": "1",
            "COLUMNS": "400",
        }

    def __call__(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(HF), *args], env=self.env, capture_output=True, text=True, timeout=60
        )
        assert (done.returncode == 0) == ok, (done.stdout, done.stderr)
        return done


@pytest.fixture
def hf(hub: SimulatedHub, tmp_path: Path) -> Hf:
    return Hf(hub, tmp_path)


def raw_job(hub: SimulatedHub, job_id: str) -> dict[str, Any]:
    """The job object exactly as the Hub sends it."""
    headers = {"Authorization": f"Bearer {hub.token}"}
    response = httpx2.get(f"{hub.url}/api/jobs/{hub.world.user}/{job_id}", headers=headers)
    response.raise_for_status()
    job: dict[str, Any] = response.json()
    return job


def status_of(error: pytest.ExceptionInfo[HfHubHTTPError]) -> int:
    response = error.value.response
    assert response is not None
    return response.status_code


def test_hf_jobs_rerun_keeps_the_whole_spec_and_the_secrets_stay_on_the_hub(
    hub: SimulatedHub, api: HfApi, hf: Hf
) -> None:
    original = api.run_job(
        image="pytorch/pytorch:2.6.0-cuda12.4-cudnn9-devel",
        command=["python", "train.py", "--epochs", "3"],
        env={"WANDB_PROJECT": "sft"},
        secrets={"HF_TOKEN": "hf_secret_value_123", "WANDB_API_KEY": "wandb-secret-456"},
        flavor="a10g-small",
        timeout="10m",
        labels={"team": "post-training"},
        name="sft-run",
        attempts=3,
        network_group="train",
        network_aliases=["master"],
        resource_group_id="rg-0123",
        expose=[8000],
        expose_public=[7860],
    )
    out = hf("jobs", "rerun", "--detach", "--json", f"{hub.world.user}/{original.id}")
    rerun_id = json.loads(out.stdout)["id"]
    assert rerun_id != original.id
    rerun = api.inspect_job(job_id=rerun_id)
    assert rerun.initiator is not None
    assert (rerun.initiator.type, rerun.initiator.id) == ("duplicated-job", original.id)
    same = (
        "docker_image",
        "command",
        "environment",
        "secrets",
        "flavor",
        "labels",
        "network",
        "retry",
        "expose",
        "expose_public",
    )
    assert {key: getattr(rerun, key) for key in same} == {
        key: getattr(original, key) for key in same
    }
    assert rerun.retry == 2 and rerun.network is not None and rerun.network.aliases == ["master"]
    assert sorted(rerun.secrets or []) == ["HF_TOKEN", "WANDB_API_KEY"]
    raw = raw_job(hub, rerun_id)
    assert (raw["timeoutSeconds"], raw["resourceGroupId"]) == (600, "rg-0123")
    everything = json.dumps(hub.world.list_jobs(hub.world.user)[0]) + out.stdout + out.stderr
    assert "secret_value" not in everything and "wandb-secret" not in everything


def test_hf_jobs_expose_replaces_the_ports_of_a_live_job_only(
    hub: SimulatedHub, api: HfApi, hf: Hf
) -> None:
    server = api.run_job(image="python:3.12", command=["sleep", "600"], expose=[8000])
    ref = f"{hub.world.user}/{server.id}"
    hf("jobs", "expose", ref, "9000", "8080", "--public", "7860")
    exposed = api.inspect_job(job_id=server.id)
    assert (exposed.expose, exposed.expose_public) == ([9000, 8080, 7860], [7860])
    assert exposed.status.expose_urls == [
        f"https://{server.id}--{port}.hf.jobs" for port in (9000, 8080, 7860)
    ]
    hf("jobs", "expose", ref, "--clear")
    closed = api.inspect_job(job_id=server.id)
    assert (closed.expose, closed.expose_public, closed.status.expose_urls) == (None, None, None)

    headers = {"Authorization": f"Bearer {hub.token}"}
    stray = httpx2.put(
        f"{hub.url}/api/jobs/{ref}/expose",
        json={"ports": [8000], "portsPublic": [9999]},
        headers=headers,
    )
    assert stray.status_code == 400 and "9999" in stray.json()["error"]
    bad = httpx2.put(f"{hub.url}/api/jobs/{ref}/expose", json={"ports": ["80"]}, headers=headers)
    assert bad.status_code == 400 and "port numbers" in bad.json()["error"]

    done = api.run_job(image="alpine", command=["echo", "bye"])
    refused = hf("jobs", "expose", f"{hub.world.user}/{done.id}", "8000", ok=False)
    assert "409" in refused.stderr and "COMPLETED" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert api.inspect_job(job_id=done.id).expose is None


def test_hf_jobs_labels_sets_them_and_the_hub_refuses_what_it_documents_as_invalid(
    hub: SimulatedHub, api: HfApi, hf: Hf
) -> None:
    job = api.run_job(image="alpine", command=["sleep", "60"], labels={"team": "ml"})
    ref = f"{hub.world.user}/{job.id}"
    hf("jobs", "labels", ref, "--label", "env=prod", "--label", "fine-tuning")
    assert api.inspect_job(job_id=job.id).labels == {"env": "prod", "fine-tuning": ""}
    hf("jobs", "labels", ref, "--name", "run_7")
    assert api.inspect_job(job_id=job.id).labels == {
        "env": "prod",
        "fine-tuning": "",
        "name": "run_7",
    }

    refused = hf("jobs", "labels", ref, "--label", "model=Qwen3-0.6B", ok=False)
    assert "Invalid label 'model=Qwen3-0.6B'" in refused.stderr
    assert "letters, digits, '-' and '_'" in refused.stderr and "Traceback" not in refused.stderr
    assert api.inspect_job(job_id=job.id).labels == {
        "env": "prod",
        "fine-tuning": "",
        "name": "run_7",
    }
    for labels in ({"my key": "x"}, {"k": "a/b"}, {"k": "x" * 101}, {"": "empty-key"}):
        with pytest.raises(HfHubHTTPError) as bad:
            api.run_job(image="alpine", command=["echo"], labels=labels)
        assert status_of(bad) == 400 and "Invalid label" in str(bad.value)
    with pytest.raises(HfHubHTTPError) as bad:
        api.create_scheduled_job(
            image="alpine", command=["echo"], schedule="@daily", labels={"v": "1.0"}
        )
    assert status_of(bad) == 400


def test_hf_jobs_scheduled_runs_on_time_and_obeys_suspend_trigger_and_delete(
    hub: SimulatedHub, api: HfApi, hf: Hf, clock: FakeClock
) -> None:
    created = json.loads(
        hf(
            "jobs", "scheduled", "run", "--json", "* * * * *", "--name", "every-minute",
            "alpine", "sleep", "90",
        ).stdout
    )  # fmt: skip
    sid = created["id"]
    listed = hf("jobs", "scheduled", "ps", "--json")
    assert [item["id"] for item in json.loads(listed.stdout)] == [sid]
    assert api.inspect_scheduled_job(scheduled_job_id=sid).status.last_job is None

    clock.advance_to("14:58:00")  # due: the run starts at that minute
    (run,) = api.list_jobs(namespace=hub.world.user)
    assert run.initiator is not None and (run.initiator.type, run.initiator.id) == (
        "scheduled-job",
        sid,
    )
    assert run.created_at == datetime(2026, 5, 12, 14, 58, tzinfo=UTC)
    status = api.inspect_scheduled_job(scheduled_job_id=sid).status
    assert status.last_job is not None and status.last_job.id == run.id
    assert status.next_job_run_at == datetime(2026, 5, 12, 14, 59, tzinfo=UTC)

    refused = hf("jobs", "scheduled", "trigger", sid, ok=False)  # the run is live
    assert "409" in refused.stderr and "Traceback" not in refused.stderr
    clock.advance_to("14:59:10")  # due again, but the last run is live: skipped
    assert [job.id for job in api.list_jobs(namespace=hub.world.user)] == [run.id]

    clock.advance_to("15:00:00")  # the first run ended at 14:59:31
    assert api.inspect_job(job_id=run.id).status.stage == "COMPLETED"
    second = next(iter(api.list_jobs(namespace=hub.world.user)))
    assert second.id != run.id and second.status.stage == "SCHEDULING"

    hf("jobs", "scheduled", "suspend", sid)
    suspended = api.inspect_scheduled_job(scheduled_job_id=sid)
    assert suspended.suspend is True and suspended.status.next_job_run_at is None
    clock.advance_to("15:05:30")
    assert len(list(api.list_jobs(namespace=hub.world.user))) == 2  # nothing runs while suspended
    hf("jobs", "scheduled", "resume", sid)
    resumed = api.inspect_scheduled_job(scheduled_job_id=sid).status
    assert resumed.next_job_run_at == datetime(2026, 5, 12, 15, 6, tzinfo=UTC)  # none missed
    triggered = json.loads(hf("jobs", "scheduled", "trigger", "--json", sid).stdout)
    last = api.inspect_scheduled_job(scheduled_job_id=sid).status.last_job
    assert last is not None and last.id == triggered["id"]

    hf("jobs", "scheduled", "reschedule", sid, "0 9 * * 1")
    hf("jobs", "scheduled", "labels", sid, "--label", "team=ops")
    moved = api.inspect_scheduled_job(scheduled_job_id=sid)
    assert moved.schedule == "0 9 * * 1" and moved.job_spec.labels == {"team": "ops"}
    assert moved.status.next_job_run_at == datetime(2026, 5, 18, 9, 0, tzinfo=UTC)  # Monday
    bad = hf("jobs", "scheduled", "reschedule", sid, "every tuesday", ok=False)
    assert "Invalid schedule" in bad.stderr and "Traceback" not in bad.stderr

    hf("jobs", "scheduled", "delete", sid)
    assert json.loads(hf("jobs", "scheduled", "ps", "--json").stdout) == []
    clock.advance_to("15:10:00")
    assert (
        len(list(api.list_jobs(namespace=hub.world.user))) == 3
    )  # a deleted schedule runs no more


def test_concurrent_schedules_overlap_and_a_clock_jump_does_not_flood(
    hub: SimulatedHub, api: HfApi, clock: FakeClock
) -> None:
    overlapping = api.create_scheduled_job(
        image="alpine", command=["sleep", "300"], schedule="* * * * *", concurrency=True
    )
    clock.advance_to("15:00:30")
    runs = list(api.list_jobs(namespace=hub.world.user))
    assert len(runs) == 3 and all(job.status.stage == "RUNNING" for job in runs[1:])
    assert api.trigger_scheduled_job(scheduled_job_id=overlapping.id).id not in {
        job.id for job in runs
    }
    clock.now += 7 * 86_400  # a week asleep: a bounded catch-up, then back on schedule
    assert len(list(api.list_jobs(namespace=hub.world.user))) <= 4 + 50
    upcoming = api.inspect_scheduled_job(scheduled_job_id=overlapping.id).status.next_job_run_at
    assert upcoming is not None and 0 < upcoming.timestamp() - clock.now <= 60


def test_hf_jobs_stats_shows_a_running_jobs_load(
    hub: SimulatedHub, api: HfApi, hf: Hf, clock: FakeClock
) -> None:
    job = api.run_job(image="python:3.12", command=["sleep", "600"], flavor="a10g-small")
    api.run_job(image="alpine", command=["echo", "done"])  # finished: no stats
    assert job.id[:12] not in hf("jobs", "stats").stdout  # still scheduling
    clock.now += 120  # set up: its GPU memory is in use
    snapshot = hf("jobs", "stats", f"{hub.world.user}/{job.id}").stdout
    assert job.id[:12] in snapshot and "GB / 15.0GB" in snapshot and "GB / 24.0GB" in snapshot
    every = hf("jobs", "stats").stdout
    assert job.id[:12] in every and every.count("GB / 24.0GB") == 1


def test_the_hardware_list_matches_the_published_table(api: HfApi) -> None:
    flavors = {flavor.name: flavor for flavor in api.list_jobs_hardware()}
    published = {  # name: (cpu, ram, ephemeral storage), from the Hub's pricing page
        "cpu-basic": ("2 vCPU", "16 GB", "50 GB"),
        "cpu-xl": ("16 vCPU", "124 GB", "1000 GB"),
        "cpu-performance": ("32 vCPU", "256 GB", "1024 GB"),
        "rtx-pro-6000": ("23 vCPU", "256 GB", "475 GB"),
        "rtx-pro-6000x8": ("184 vCPU", "2048 GB", "3800 GB"),
        "h200": ("23 vCPU", "256 GB", "3000 GB"),
    }
    assert {
        name: (flavors[name].cpu, flavors[name].ram, flavors[name].ephemeral_storage)
        for name in published
    } == published
    rtx = flavors["rtx-pro-6000x8"].accelerator
    assert rtx is not None and (rtx.model, rtx.quantity, rtx.vram) == (
        "RTX PRO 6000",
        "8",
        "768 GB",
    )
