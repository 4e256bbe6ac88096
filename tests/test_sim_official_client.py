"""The proof that the simulated Hub speaks the real Jobs API: the official client and CLI use it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx2
import pytest
from huggingface_hub import HfApi, JobHardware
from huggingface_hub.errors import HfHubHTTPError, JobNotFoundError

from jobtui.sim import SimulatedHub

PYTORCH = "pytorch/pytorch:2.6.0-cuda12.4-cudnn9-devel"
PUBLISHED_HOURLY_USD = {  # from the Hub's documentation
    "cpu-basic": 0.01,
    "cpu-upgrade": 0.03,
    "cpu-xl": 1.00,
    "cpu-performance": 1.90,
    "t4-small": 0.40,
    "t4-medium": 0.60,
    "l4x1": 0.80,
    "l4x4": 3.80,
    "a10g-small": 1.00,
    "a10g-large": 1.50,
    "a10g-largex2": 3.00,
    "a10g-largex4": 5.00,
    "l40sx1": 1.80,
    "l40sx4": 8.30,
    "l40sx8": 23.50,
    "a100-large": 2.50,
    "a100x4": 10.00,
    "a100x8": 20.00,
    "h200": 5.00,
    "h200x2": 10.00,
    "h200x4": 20.00,
    "h200x8": 40.00,
    "rtx-pro-6000": 2.75,
    "rtx-pro-6000x2": 5.50,
    "rtx-pro-6000x4": 11.00,
    "rtx-pro-6000x8": 22.00,
}
METRIC_FIELDS = {
    "cpu_usage_pct",
    "cpu_millicores",
    "memory_used_bytes",
    "memory_total_bytes",
    "rx_bps",
    "tx_bps",
    "gpus",
    "replica",
}


@pytest.fixture
def api(hub: SimulatedHub) -> HfApi:
    return HfApi(endpoint=hub.url, token=hub.token)


@pytest.fixture
def ns(hub: SimulatedHub) -> str:
    return hub.world.user


def status_of(error: pytest.ExceptionInfo[HfHubHTTPError]) -> int:
    response = error.value.response
    assert response is not None
    return response.status_code


def test_whoami_names_the_user_and_the_org(api: HfApi, hub: SimulatedHub) -> None:
    me = api.whoami()
    assert me["type"] == "user" and me["name"] == hub.world.user
    assert [org["name"] for org in me["orgs"]] == [hub.world.org]


def test_list_jobs_follows_every_page(api: HfApi, hub: SimulatedHub, ns: str) -> None:
    hub.faults.requests.clear()
    jobs = list(api.list_jobs(namespace=ns))
    assert hub.faults.requests.count(("GET", f"/api/jobs/{ns}")) >= 3, "several pages"
    assert len(jobs) == len(hub.world.list_jobs(ns)[0])
    assert len({job.id for job in jobs}) == len(jobs)
    created = [job.created_at.timestamp() for job in jobs if job.created_at]
    assert created == sorted(created, reverse=True) and len(created) == len(jobs), "newest first"
    assert {job.owner.name for job in jobs} == {ns}


def test_pages_stay_whole_while_jobs_are_created(api: HfApi, hub: SimulatedHub, ns: str) -> None:
    before = {job["id"] for job in hub.world.list_jobs(ns)[0]}
    listing = iter(api.list_jobs(namespace=ns))
    seen = [next(listing).id for _ in range(25)]  # the whole first page, nothing more fetched
    for _ in range(3):
        api.run_job(image="alpine", command=["echo", "new"], namespace=ns)
    seen += [job.id for job in listing]
    assert len(seen) == len(set(seen)) and set(seen) == before


def test_stage_filter(api: HfApi, ns: str) -> None:
    everything = list(api.list_jobs(namespace=ns))
    live = list(api.list_jobs(namespace=ns, status=["RUNNING", "SCHEDULING"]))
    assert live
    assert {job.id for job in live} == {
        job.id for job in everything if job.status.stage in ("RUNNING", "SCHEDULING")
    }
    finished = list(api.list_jobs(namespace=ns, status="ERROR"))
    assert finished and {job.status.stage for job in finished} == {"ERROR"}


def test_label_filters_must_all_match(api: HfApi, ns: str) -> None:
    everything = list(api.list_jobs(namespace=ns))
    data_jobs = {job.id for job in everything if (job.labels or {}).get("team") == "data"}
    assert data_jobs
    found = list(api.list_jobs(namespace=ns, labels={"team": "data"}))
    assert {job.id for job in found} == data_jobs
    one = next(job for job in found if (job.labels or {}).get("name"))
    assert one.labels is not None
    both = list(api.list_jobs(namespace=ns, labels={"team": "data", "name": one.labels["name"]}))
    assert one.id in {job.id for job in both}
    assert all(job.labels == {**(job.labels or {}), "team": "data"} for job in both)
    assert len(both) < len(found)


def test_inspect_job_agrees_with_the_listing(api: HfApi, ns: str) -> None:
    listed = next(job for job in api.list_jobs(namespace=ns, status="COMPLETED") if job.volumes)
    job = api.inspect_job(job_id=listed.id, namespace=ns)
    assert (job.id, job.command, job.flavor, job.labels) == (
        listed.id,
        listed.command,
        listed.flavor,
        listed.labels,
    )
    assert job.created_at and job.started_at and job.finished_at
    assert job.created_at <= job.started_at <= job.finished_at
    assert job.durations is not None
    total = (job.finished_at - job.created_at).total_seconds()
    assert job.durations.total_secs == pytest.approx(total, abs=1)
    assert job.volumes and job.volumes[0].mount_path.startswith("/")
    assert job.url == f"{api.endpoint}/jobs/{ns}/{job.id}"


def test_run_job_with_a_docker_image(api: HfApi, ns: str) -> None:
    job = api.run_job(
        image=PYTORCH,
        command=["python", "train.py"],
        env={"EPOCHS": "3"},
        flavor="a10g-small",
        labels={"team": "x"},
        name="my-run",
        namespace=ns,
    )
    assert re.fullmatch(r"[0-9a-f]{24}", job.id)
    assert (job.docker_image, job.space_id, job.flavor) == (PYTORCH, None, "a10g-small")
    assert job.environment == {"EPOCHS": "3"} and job.labels == {"team": "x", "name": "my-run"}
    assert job.status.stage == "SCHEDULING" and job.started_at is None
    assert job.owner.name == ns and job.initiator and job.initiator.type == "user"
    assert api.inspect_job(job_id=job.id, namespace=ns).command == ["python", "train.py"]
    api.cancel_job(job_id=job.id, namespace=ns)


def test_run_job_with_a_space_image(api: HfApi, ns: str) -> None:
    job = api.run_job(image="hf.co/spaces/lhoestq/duckdb", command=["echo", "hi"], namespace=ns)
    assert job.space_id == "lhoestq/duckdb" and job.docker_image is None
    assert list(api.fetch_job_logs(job_id=job.id, namespace=ns)) == ["hi"]


def test_secrets_come_back_as_names_only(api: HfApi, hub: SimulatedHub, ns: str) -> None:
    values = ("hf_never_stored_value_123", "second-secret-value-456")
    job = api.run_job(
        image="alpine",
        command=["echo", "x"],
        secrets={"HF_TOKEN": values[0], "DB_PASSWORD": values[1]},
        namespace=ns,
    )
    assert sorted(job.secrets or []) == ["DB_PASSWORD", "HF_TOKEN"]
    headers = {"Authorization": f"Bearer {hub.token}"}
    shown = httpx2.get(f"{hub.url}/api/jobs/{ns}/{job.id}", headers=headers).text
    listed = httpx2.get(f"{hub.url}/api/jobs/{ns}", headers=headers).text
    assert "DB_PASSWORD" in shown and job.id in listed
    assert not any(value in text for value in values for text in (shown, listed))


def test_echo_job_logs_with_and_without_follow_and_tail(api: HfApi, ns: str) -> None:
    job = api.run_job(image="alpine", command=["echo", "hello\nfrom the sim\nbye"], namespace=ns)
    assert job.status.stage == "COMPLETED"
    assert job.created_at == job.started_at == job.finished_at
    expected = ["hello", "from the sim", "bye"]

    def logs(**kwargs: Any) -> list[str]:
        return list(api.fetch_job_logs(job_id=job.id, namespace=ns, **kwargs))

    assert logs() == expected
    assert logs(follow=True) == expected
    assert logs(tail=2) == expected[-2:]
    assert logs(follow=True, tail=1) == expected[-1:]


def test_seq_500_loses_no_line(api: HfApi, ns: str) -> None:
    job = api.run_job(image="alpine", command=["seq", "500"], namespace=ns)
    assert list(api.fetch_job_logs(job_id=job.id, namespace=ns)) == [str(n) for n in range(1, 501)]


def test_follow_streams_a_short_running_job_to_its_end(
    api: HfApi, hub: SimulatedHub, ns: str
) -> None:
    printed = [(0.1 * n, f"step {n}") for n in range(1, 11)]
    job = hub.world.add_scripted_job(ns, printed, run_secs=1.2)
    started = time.monotonic()
    lines = list(api.fetch_job_logs(job_id=job["id"], namespace=ns, follow=True))
    assert lines == [text for _, text in printed]
    assert time.monotonic() - started >= 0.9, "lines came as they were printed"
    assert api.inspect_job(job_id=job["id"], namespace=ns).status.stage == "COMPLETED"


def test_a_dropped_stream_is_resumed_by_the_client_without_loss(
    api: HfApi, hub: SimulatedHub, ns: str
) -> None:
    printed = [(0.05 * n, f"line {n}") for n in range(1, 41)]
    job = hub.world.add_scripted_job(ns, printed, run_secs=2.5)
    hub.faults.cut_streams(after_events=10)
    lines = list(api.fetch_job_logs(job_id=job["id"], namespace=ns, follow=True))
    assert lines == [text for _, text in printed]
    assert hub.faults.requests.count(("GET", f"/api/jobs/{ns}/{job['id']}/logs")) >= 2


def test_cancel_a_live_job_and_not_a_finished_one(api: HfApi, ns: str) -> None:
    job = api.run_job(image=PYTORCH, command=["python", "train.py"], namespace=ns)
    api.cancel_job(job_id=job.id, namespace=ns)
    canceled = api.inspect_job(job_id=job.id, namespace=ns)
    assert canceled.status.stage == "CANCELED" and canceled.finished_at is not None
    with pytest.raises(HfHubHTTPError) as refused:
        api.cancel_job(job_id=job.id, namespace=ns)
    assert status_of(refused) == 409


def test_wait_for_a_sleep_job(api: HfApi, ns: str) -> None:
    job = api.run_job(image="alpine", command=["sleep", "1"], namespace=ns)
    assert job.status.stage == "SCHEDULING"
    started = time.monotonic()
    done = api.wait_for_job(job.id, namespace=ns, poll_interval=0.1, timeout=10)
    assert done.status.stage == "COMPLETED"
    assert time.monotonic() - started >= 1.1, "0.3 s scheduling, then 1 s running"
    assert done.durations is not None and done.durations.running_secs == 1
    assert done.started_at and done.finished_at
    assert (done.finished_at - done.started_at).total_seconds() == pytest.approx(1.0, abs=0.01)


def test_rerun_copies_the_spec(api: HfApi, ns: str) -> None:
    job = api.run_job(
        image="alpine", command=["echo", "again"], env={"K": "v"}, name="twice", namespace=ns
    )
    rerun = api.rerun_job(job_id=job.id, namespace=ns)
    assert rerun.id != job.id
    assert (rerun.command, rerun.environment, rerun.labels) == (
        job.command,
        job.environment,
        job.labels,
    )
    assert rerun.initiator and (rerun.initiator.type, rerun.initiator.id) == (
        "duplicated-job",
        job.id,
    )


def test_metrics_of_running_jobs_and_of_a_finished_one(api: HfApi, ns: str) -> None:
    cpu = api.run_job(image="alpine", command=["sleep", "5"], flavor="cpu-upgrade", namespace=ns)
    gpu = api.run_job(image="alpine", command=["sleep", "5"], flavor="a10g-small", namespace=ns)
    samples = {
        flavor: next(iter(api.fetch_job_metrics(job_id=job.id, namespace=ns)))
        for flavor, job in (("cpu-upgrade", cpu), ("a10g-small", gpu))
    }
    for sample in samples.values():
        assert set(sample) == METRIC_FIELDS
        assert 0 <= sample["cpu_usage_pct"] <= 100
        assert 0 < sample["memory_used_bytes"] <= sample["memory_total_bytes"]
    assert samples["cpu-upgrade"]["gpus"] == {}
    (gpu_sample,) = samples["a10g-small"]["gpus"].values()
    assert gpu_sample["memory_total_bytes"] == 24 * 10**9
    assert 0 <= gpu_sample["utilization"] <= 100
    for job in (cpu, gpu):
        api.cancel_job(job_id=job.id, namespace=ns)
    assert list(api.fetch_job_metrics(job_id=cpu.id, namespace=ns)) == []


def test_hardware_lists_every_flavor_at_the_published_price(api: HfApi) -> None:
    flavors = {hardware.name: hardware for hardware in api.list_jobs_hardware()}
    assert set(flavors) == set(PUBLISHED_HOURLY_USD) == {flavor.value for flavor in JobHardware}
    for name, hourly in PUBLISHED_HOURLY_USD.items():
        hardware = flavors[name]
        assert hardware.unit_label == "minute"
        assert hardware.unit_cost_micro_usd == round(hourly * 1e6 / 60)
        assert hardware.unit_cost_usd == pytest.approx(hourly / 60, abs=1e-6)
        assert (hardware.accelerator is None) == name.startswith("cpu-")
    a10g = flavors["a10g-small"]
    assert (a10g.pretty_name, a10g.cpu, a10g.ram) == ("Nvidia A10G - small", "4 vCPU", "15 GB")
    assert a10g.accelerator and (a10g.accelerator.model, a10g.accelerator.vram) == ("A10G", "24 GB")
    h200x8 = flavors["h200x8"].accelerator
    assert h200x8 and (h200x8.quantity, h200x8.vram) == ("8", "1128 GB")


def test_a_wrong_token_is_refused_with_401(hub: SimulatedHub, ns: str) -> None:
    intruder = HfApi(endpoint=hub.url, token="hf_not_the_right_token")
    with pytest.raises(HfHubHTTPError) as refused:
        intruder.whoami()
    assert status_of(refused) == 401
    with pytest.raises(HfHubHTTPError) as refused:
        list(intruder.list_jobs(namespace=ns))
    assert status_of(refused) == 401


def test_an_unknown_job_is_404(api: HfApi, ns: str) -> None:
    with pytest.raises(JobNotFoundError) as missing:
        api.inspect_job(job_id="0123456789abcdef01234567", namespace=ns)
    assert status_of(missing) == 404
    assert "0123456789abcdef01234567" in str(missing.value)


def test_another_namespace_is_403(api: HfApi) -> None:
    with pytest.raises(HfHubHTTPError) as refused:
        list(api.list_jobs(namespace="someone-else"))
    assert status_of(refused) == 403
    assert "someone-else" in str(refused.value)


def test_a_run_longer_than_its_timeout_ends_in_error(api: HfApi, ns: str) -> None:
    job = api.run_job(image="alpine", command=["sleep", "5"], timeout=1, namespace=ns)
    done = api.wait_for_job(job.id, namespace=ns, poll_interval=0.1, timeout=10)
    assert (done.status.stage, done.status.message) == ("ERROR", "Job timeout")
    assert done.durations is not None and done.durations.running_secs == 1


def test_restart_keeps_the_port_and_the_jobs(api: HfApi, hub: SimulatedHub, ns: str) -> None:
    job = api.run_job(image="alpine", command=["echo", "still here"], namespace=ns)
    port = hub.port
    hub.restart()
    assert hub.port == port
    assert list(api.fetch_job_logs(job_id=job.id, namespace=ns)) == ["still here"]


def test_the_official_cli_lists_the_jobs(hub: SimulatedHub, tmp_path: Path) -> None:
    hf = Path(sys.executable).parent / "hf"
    env = {
        **os.environ,
        "HF_ENDPOINT": hub.url,
        "HF_TOKEN": hub.token,
        "HF_HOME": str(tmp_path),
        "HF_HUB_DISABLE_UPDATE_CHECK": "1",
        "COLUMNS": "400",  # no truncated ids
    }
    result = subprocess.run(
        [str(hf), "jobs", "ps", "-a"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    newest = hub.world.list_jobs(hub.world.user)[0][:10]
    assert newest and all(job["id"] in result.stdout for job in newest)
