"""The simulated Hub's metrics, as `hf jobs stats` and the official client read them: samples
shaped as the Hub's, sized by the flavor and smooth in time; an idle GPU job and a job near
its timeout in both scenarios; 406 after the end; and the count of open streams. All on a
fake clock, over real loopback HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest
from huggingface_hub import HfApi

from jobtui.hub import HubClient, Token
from jobtui.sim import SimulatedHub, World, demo, scenarios
from jobtui.sim.featured import (
    HISTORY_IDLE_AFTER,
    HISTORY_IDLE_FOR,
    HISTORY_WARN_AFTER,
    IDLE_GPU,
    NEAR_TIMEOUT,
)
from jobtui.sim.hardware import FLAVORS
from jobtui.sim.metrics import sample
from jobtui.sim.spec import spec_for_image

T0 = datetime(2026, 5, 12, 14, 50, tzinfo=UTC).timestamp()
HF = Path(sys.executable).parent / "hf"
FIELDS = [  # in the Hub's order
    "cpu_usage_pct",
    "cpu_millicores",
    "memory_used_bytes",
    "memory_total_bytes",
    "rx_bps",
    "tx_bps",
    "gpus",
    "replica",
]
GPU_FIELDS = ["utilization", "memory_used_bytes", "memory_total_bytes"]


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def hub(clock: FakeClock) -> Iterator[SimulatedHub]:
    """Three days of history (three jobs running) at T0; time moves when the test says so."""
    with SimulatedHub(scenarios.build("history", seed=3, jobs=40, clock=clock)) as hub:
        yield hub


@pytest.fixture
def api(hub: SimulatedHub) -> HfApi:
    return HfApi(endpoint=hub.url, token=hub.token)


@pytest.fixture
def http(hub: SimulatedHub) -> Iterator[httpx2.Client]:
    headers = {"Authorization": f"Bearer {hub.token}"}
    with httpx2.Client(base_url=hub.url, headers=headers, timeout=10) as client:
        yield client


def now_sample(api: HfApi, hub: SimulatedHub, job_id: str) -> dict[str, Any]:
    """The current sample, as `hf jobs stats` (no --follow) takes it."""
    samples = list(api.fetch_job_metrics(job_id=job_id, namespace=hub.world.user))
    assert len(samples) == 1
    return samples[0]


def utilizations(world: World, job_id: str) -> list[int]:
    state, metrics = world.metrics(world.user, job_id)
    assert state.stage == "RUNNING" and metrics is not None
    return [gpu["utilization"] for gpu in metrics["gpus"].values()]


def every_second(clock: FakeClock, start: float, end: float) -> Iterator[float]:
    """Move the clock through [start, end) one second at a time."""
    moment = start
    while moment < end:
        clock.now = moment
        yield moment
        moment += 1


def mean(values: list[int]) -> float:
    return sum(values) / len(values)


# ---- the samples ---------------------------------------------------------------------------


@pytest.mark.parametrize("flavor", ["cpu-basic", "a10g-small", "l4x4", "h200x8"])
def test_a_sample_has_the_hubs_fields_and_the_flavors_totals(
    hub: SimulatedHub, api: HfApi, clock: FakeClock, flavor: str
) -> None:
    job = api.run_job(image="alpine", command=["python", "train.py"], flavor=flavor)
    clock.now += 100  # scheduled, set up, at work (it runs 2 to 10 minutes)
    metrics = now_sample(api, hub, job.id)
    hardware = FLAVORS[flavor]
    assert list(metrics) == FIELDS
    assert all(type(metrics[key]) is int for key in FIELDS[:6])
    assert metrics["cpu_millicores"] == hardware.vcpus * 875
    assert metrics["memory_total_bytes"] == hardware.ram_gb * 10**9
    assert 0 < metrics["memory_used_bytes"] < metrics["memory_total_bytes"]
    assert 0 <= metrics["cpu_usage_pct"] <= 100
    assert metrics["rx_bps"] >= 0 and metrics["tx_bps"] >= 0
    assert isinstance(metrics["replica"], str) and metrics["replica"]
    assert len(metrics["gpus"]) == hardware.gpu_count
    for gpu_id, gpu in metrics["gpus"].items():
        assert len(gpu_id) == 8 and list(gpu) == GPU_FIELDS
        assert all(type(gpu[key]) is int for key in GPU_FIELDS)
        assert gpu["memory_total_bytes"] == hardware.vram_gb * 10**9
        assert 0 < gpu["memory_used_bytes"] < gpu["memory_total_bytes"]
        assert 50 <= gpu["utilization"] <= 100, "a training job keeps its GPUs busy"


def test_samples_are_repeatable_and_move_smoothly() -> None:
    spec = spec_for_image("vllm/vllm-openai", ("vllm", "serve", "Qwen/Qwen2.5-7B-Instruct"))
    flavor = FLAVORS["l40sx4"]
    seconds = range(60, 1260)
    samples = [sample("6a0300aa11bb22cc33dd44ee", flavor, spec.command, t) for t in seconds]
    again = [sample("6a0300aa11bb22cc33dd44ee", flavor, spec.command, t) for t in seconds]
    assert samples == again, "a function of the job and the time"
    other = sample("6a0300aa11bb22cc33dd44ef", flavor, spec.command, 600)
    assert other != samples[600 - 60], "another job, other values"

    def series(pick: Callable[[dict[str, Any]], int]) -> list[int]:
        return [pick(one) for one in samples]

    cpu = series(lambda one: one["cpu_usage_pct"])
    gpu = series(lambda one: next(iter(one["gpus"].values()))["utilization"])
    memory = series(lambda one: one["memory_used_bytes"] * 100 // one["memory_total_bytes"])
    for values in (cpu, gpu, memory):
        steps = [abs(b - a) for a, b in zip(values, values[1:], strict=False)]
        assert max(steps) <= 6, "no jumps from one second to the next"
        assert max(values) - min(values) >= 3 or values is memory, "but they do move"
    assert max(gpu) - min(gpu) >= 20, "a server's GPUs follow its traffic"


def test_each_kind_of_work_loads_its_machine_its_own_way() -> None:
    at_work = range(300, 900, 7)

    def average(command: tuple[str, ...], flavor: str, pick: Callable[..., int]) -> float:
        values = [pick(sample("6a03" + "0" * 20, FLAVORS[flavor], command, t)) for t in at_work]
        return mean(values)

    def gpu(one: dict[str, Any]) -> int:
        return int(mean([g["utilization"] for g in one["gpus"].values()]))

    def cpu(one: dict[str, Any]) -> int:
        return int(one["cpu_usage_pct"])

    train = ("accelerate", "launch", "train.py")
    tokenize = ("python", "tokenize_dataset.py")
    assert average(train, "a100x4", gpu) > 80
    assert average(train, "a100x4", cpu) < 50
    assert average(tokenize, "cpu-xl", cpu) > 70
    assert sample("6a03" + "0" * 20, FLAVORS["cpu-xl"], tokenize, 300)["gpus"] == {}
    setting_up = sample("6a03" + "0" * 20, FLAVORS["a100x4"], train, 5)
    assert gpu(setting_up) < 5 and setting_up["rx_bps"] > 10e6, "first it downloads"


def test_a_finished_job_answers_406_and_the_official_client_stops_quietly(
    hub: SimulatedHub, api: HfApi, http: httpx2.Client, clock: FakeClock
) -> None:
    job = api.run_job(image="alpine", command=["sleep", "30"], flavor="t4-small")
    clock.now += 10
    assert now_sample(api, hub, job.id)["gpus"]
    clock.now += 60
    answer = http.get(f"/api/jobs/{hub.world.user}/{job.id}/metrics")
    assert answer.status_code == 406 and "COMPLETED" in answer.json()["error"]
    assert list(api.fetch_job_metrics(job_id=job.id, namespace=hub.world.user)) == []
    assert list(api.fetch_job_metrics(job_id=job.id, namespace=hub.world.user, follow=True)) == []


# ---- the idle GPU job and the job near its timeout -----------------------------------------


def test_the_history_has_a_gpu_job_that_goes_idle_and_comes_back(
    hub: SimulatedHub, clock: FakeClock
) -> None:
    world = hub.world
    job_id = world.featured[IDLE_GPU]
    assert FLAVORS[world.job(world.user, job_id)["flavor"]].gpu_count
    assert mean(utilizations(world, job_id)) > 50, "busy when the world is built"
    idle_from, idle_to = T0 + HISTORY_IDLE_AFTER, T0 + HISTORY_IDLE_AFTER + HISTORY_IDLE_FOR
    for _ in every_second(clock, T0, idle_from):
        assert mean(utilizations(world, job_id)) > 5
    for _ in every_second(clock, idle_from, idle_to):
        assert max(utilizations(world, job_id)) < 2, "every GPU, every second"
        state, metrics = world.metrics(world.user, job_id)
        assert metrics is not None
        assert all(gpu["memory_used_bytes"] > 0 for gpu in metrics["gpus"].values())
    clock.now = idle_to + 60
    assert mean(utilizations(world, job_id)) > 50, "busy again"
    log = [line for _, line in world.logs(world.user, job_id).lines]
    stalled = next(i for i, line in enumerate(log) if "Downloading data:  37%" in line)
    assert "Downloading data: 100%" in log[stalled + 1], "quiet while it waits"


def test_the_history_has_a_job_that_reaches_its_last_tenth_a_minute_in(
    hub: SimulatedHub, http: httpx2.Client, clock: FakeClock, api: HfApi
) -> None:
    job_id = hub.world.featured[NEAR_TIMEOUT]

    def used() -> float:
        job = http.get(f"/api/jobs/{hub.world.user}/{job_id}").json()
        assert job["status"]["stage"] == "RUNNING"
        return float(job["durations"]["runningSecs"] / job["timeoutSeconds"])

    assert 0.8 < used() < 0.9
    clock.now = T0 + HISTORY_WARN_AFTER - 2
    assert used() < 0.9
    clock.now = T0 + HISTORY_WARN_AFTER + 3  # a second of rounding either way
    assert used() >= 0.9
    timeout = http.get(f"/api/jobs/{hub.world.user}/{job_id}").json()["timeoutSeconds"]
    assert timeout * 0.1 < 600, "killed within minutes"
    clock.now = T0 + HISTORY_WARN_AFTER + timeout * 0.1 + 2
    ended = api.inspect_job(job_id=job_id, namespace=hub.world.user)
    assert (ended.status.stage, ended.status.message) == ("ERROR", "Job timeout")
    assert list(api.fetch_job_metrics(job_id=job_id, namespace=hub.world.user)) == []


def test_hf_jobs_stats_shows_the_idle_gpu(hub: SimulatedHub, clock: FakeClock) -> None:
    clock.now = T0 + HISTORY_IDLE_AFTER + 60
    env = {
        **os.environ,
        "HF_ENDPOINT": hub.url,
        "HF_TOKEN": hub.token,
        "HF_HUB_DISABLE_UPDATE_CHECK": "1",
    }
    done = subprocess.run(
        [str(HF), "jobs", "stats", "--json"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    rows = {row["job_id"]: row for row in json.loads(done.stdout)}
    running = hub.world.list_jobs(hub.world.user, stages=["RUNNING"])[0]
    assert set(rows) == {job["id"] for job in running}
    idle = rows[hub.world.featured[IDLE_GPU]]
    assert [gpu["utilization"] < 2 for gpu in idle["gpus"].values()] == [True] * len(idle["gpus"])
    busy = [row for job_id, row in rows.items() if job_id != hub.world.featured[IDLE_GPU]]
    assert all(mean([g["utilization"] for g in row["gpus"].values()]) > 5 for row in busy)


def test_the_demo_shows_an_idle_gpu_and_a_countdown_from_the_start() -> None:
    clock = FakeClock()
    world = scenarios.build("demo", seed=7, clock=clock)
    idle_id, near_id = world.featured[IDLE_GPU], world.featured[NEAR_TIMEOUT]
    running = {job["id"] for job in world.list_jobs(world.user, stages=["RUNNING"])[0]}
    assert {idle_id, near_id} <= running
    idle = world.job(world.user, idle_id)
    assert FLAVORS[idle["flavor"]].gpu_count == 4
    assert idle["durations"]["runningSecs"] > 10 * 60
    # Idle for the ten minutes before the demo starts, and for as long as anyone watches.
    for _ in every_second(clock, T0 - 10 * 60, T0 + 10 * 60):
        assert max(utilizations(world, idle_id)) < 2
    clock.now = T0
    near = world.job(world.user, near_id)
    assert near["durations"]["runningSecs"] / near["timeoutSeconds"] == pytest.approx(0.92)
    assert FLAVORS[near["flavor"]].gpu_count == 0
    clock.now = T0 + near["timeoutSeconds"] - near["durations"]["runningSecs"] + 1
    assert world.job(world.user, near_id)["status"] == {"stage": "ERROR", "message": "Job timeout"}
    assert world.job(world.user, idle_id)["status"]["stage"] == "RUNNING"


def test_the_demo_is_otherwise_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    """The featured jobs come last: every other job keeps its id, name and plan."""

    def every_job(world: World) -> list[dict[str, Any]]:
        return [job for ns in world.namespaces for job in world.list_jobs(ns)[0]]

    with_long = every_job(scenarios.build("demo", seed=7, clock=lambda: T0))
    monkeypatch.setattr(demo, "_add_long_log", lambda world, now: None)
    featured = every_job(scenarios.build("demo", seed=7, clock=lambda: T0))
    long_log = [job for job in with_long if job not in featured]
    assert [job["labels"]["name"] for job in long_log] == [demo.DEMO_LONG[0]]
    monkeypatch.setattr(demo, "_add_featured_demo", lambda world, now: None)
    plain = every_job(scenarios.build("demo", seed=7, clock=lambda: T0))
    names = [job["labels"]["name"] for job in featured if job not in plain]
    assert sorted(names) == ["fineweb-2-tokenize", "qwen2.5-32b-sft"]
    assert [job for job in featured if job["labels"].get("name") not in names] == plain


# ---- streams: pace and count ----------------------------------------------------------------


def metric_samples(response: httpx2.Response) -> Iterator[dict[str, Any]]:
    for line in response.iter_lines():
        if line.startswith("data: "):
            yield json.loads(line[len("data: ") :])


def test_a_moved_clock_gets_a_sample_of_the_new_time_at_once(
    hub: SimulatedHub, http: httpx2.Client, clock: FakeClock
) -> None:
    job_id = hub.world.featured[IDLE_GPU]
    with http.stream("GET", f"/api/jobs/{hub.world.user}/{job_id}/metrics") as response:
        samples = metric_samples(response)
        first = next(samples)
        assert mean([gpu["utilization"] for gpu in first["gpus"].values()]) > 50
        asked = time.monotonic()
        for minutes in range(3, 8):  # five moves of the clock, five samples at once
            clock.now = T0 + HISTORY_IDLE_AFTER + minutes * 60
            moved = next(samples)
            assert max(gpu["utilization"] for gpu in moved["gpus"].values()) < 2
        assert time.monotonic() - asked < 3.0, "not a second of real time each"


def wait_for(condition: Callable[[], bool], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, condition.__name__
        time.sleep(0.02)


def test_open_streams_are_counted_until_the_client_hangs_up(
    hub: SimulatedHub, http: httpx2.Client, clock: FakeClock
) -> None:
    ns, idle = hub.world.user, hub.world.featured[IDLE_GPU]
    near = hub.world.featured[NEAR_TIMEOUT]
    assert hub.open_streams() == {"logs": 0, "metrics": 0}
    with contextlib.ExitStack() as streams:
        first = streams.enter_context(http.stream("GET", f"/api/jobs/{ns}/{idle}/metrics"))
        second = streams.enter_context(http.stream("GET", f"/api/jobs/{ns}/{near}/metrics"))
        log = streams.enter_context(http.stream("GET", f"/api/jobs/{ns}/{idle}/logs"))
        reading = metric_samples(first)  # (dropping an unfinished iterator hangs up)
        next(reading)
        assert hub.open_streams() == {"logs": 1, "metrics": 2}
        report = http.get("/_sim/requests").json()
        assert report["openStreams"] == {"logs": 1, "metrics": 2}
        assert report["byRoute"]["GET /api/jobs/{namespace}/{job_id}/metrics"] == 2
        assert hub.open_streams("hf_someone_else") == {"logs": 0, "metrics": 0}

        first.close()
        started = time.monotonic()

        def one_metrics_stream_left() -> bool:
            return hub.open_streams() == {"logs": 1, "metrics": 1}

        wait_for(one_metrics_stream_left)
        assert time.monotonic() - started < 2.0, "noticed at once (0.25 s unloaded)"
        log.close()

        def no_log_stream_left() -> bool:
            return hub.open_streams()["logs"] == 0

        wait_for(no_log_stream_left)
        clock.now = T0 + 3600  # the job near its timeout is over: its stream ends
        assert len(list(metric_samples(second))) <= 2

        def none_left() -> bool:
            return hub.open_streams() == {"logs": 0, "metrics": 0}

        wait_for(none_left)


async def test_jobtuis_client_closing_its_stream_leaves_none_open(
    hub: SimulatedHub, clock: FakeClock
) -> None:
    """What the UI does when a job is deselected: close the stream it was reading."""
    job_id = hub.world.featured[IDLE_GPU]
    async with HubClient(hub.url, Token(hub.token, "--token")) as client:
        stream = client.stream_metrics(hub.world.user, job_id)
        got = await anext(stream)
        assert list(got) == FIELDS
        assert hub.open_streams()["metrics"] == 1
        await stream.aclose()
        deadline = time.monotonic() + 2
        while hub.open_streams()["metrics"] and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert hub.open_streams() == {"logs": 0, "metrics": 0}
