"""The simulated Hub's world on a fake clock: job lives, history, scenarios, schedules, logs."""

from __future__ import annotations

import ast
import random
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from types import FunctionType, ModuleType
from typing import Any

import pytest

import jobtui.sim
from jobtui.sim import SimulatedHub, World, scenarios
from jobtui.sim.cron import next_run
from jobtui.sim.errors import ApiError, BadRequest, Conflict, Forbidden, NotFound
from jobtui.sim.jobs import REQUEUED
from jobtui.sim.logs import log_script, oom_failure
from jobtui.sim.stamps import iso, started_marker

T0 = datetime(2026, 5, 12, 14, 57, 43, tzinfo=UTC).timestamp()
STAGES = {"SCHEDULING", "RUNNING", "COMPLETED", "ERROR", "CANCELED", "DELETED"}
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


class FakeClock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def empty_world(**kwargs: Any) -> tuple[World, FakeClock]:
    clock = FakeClock()
    return scenarios.build(jobs=0, clock=clock, **kwargs), clock


def build(**options: Any) -> World:
    """A history world at the fake clock's start."""
    return scenarios.build(clock=FakeClock(), **options)


def every_job(world: World) -> list[dict[str, Any]]:
    return [job for ns in world.namespaces for job in world.list_jobs(ns)[0]]


def run(world: World, *command: str, **spec: Any) -> dict[str, Any]:
    return world.create_job(world.user, {"dockerImage": "alpine", "command": list(command), **spec})


def lines(world: World, job_id: str) -> list[str]:
    return [text for _, text in world.logs(world.user, job_id).lines]


def test_a_sleep_job_schedules_then_runs_then_completes() -> None:
    world, clock = empty_world(scheduling_secs=2.0)
    job = run(world, "sleep", "10")
    assert job["status"] == {"stage": "SCHEDULING", "message": None}
    assert "startedAt" not in job and "finishedAt" not in job
    clock.advance(1.5)
    now = world.job(world.user, job["id"])
    assert now["status"]["stage"] == "SCHEDULING"
    assert now["durations"] == {"schedulingSecs": None, "runningSecs": None, "totalSecs": 1}
    clock.advance(1)
    now = world.job(world.user, job["id"])
    assert now["status"]["stage"] == "RUNNING" and now["startedAt"] == iso(T0 + 2)
    assert now["durations"] == {"schedulingSecs": 2, "runningSecs": 0, "totalSecs": 2}
    clock.advance(9)
    assert world.job(world.user, job["id"])["durations"]["runningSecs"] == 9
    clock.advance(1)
    done = world.job(world.user, job["id"])
    assert done["status"]["stage"] == "COMPLETED" and done["finishedAt"] == iso(T0 + 12)
    assert done["durations"] == {"schedulingSecs": 2, "runningSecs": 10, "totalSecs": 12}
    assert lines(world, job["id"]) == []
    clock.advance(3600)
    assert world.job(world.user, job["id"]) == done, "a finished job never changes"


def test_echo_and_seq_complete_at_once() -> None:
    world, _ = empty_world()
    echo = run(world, "echo", "hello", "world\nbye")
    assert echo["status"]["stage"] == "COMPLETED"
    assert echo["createdAt"] == echo["startedAt"] == echo["finishedAt"] == iso(T0)
    assert lines(world, echo["id"]) == ["hello world", "bye"]
    seq = run(world, "seq", "3")
    assert seq["status"]["stage"] == "COMPLETED"
    assert lines(world, seq["id"]) == ["1", "2", "3"]


def test_other_commands_run_a_minute_or_more_logging_and_some_fail() -> None:
    world, clock = empty_world(seed=5, scheduling_secs=1.0)
    jobs = [run(world, "python", "train.py") for _ in range(12)]
    jobs += [run(world, "python", "report.py") for _ in range(12)]
    clock.advance(1 + 30)
    assert all(world.job(world.user, job["id"])["status"]["stage"] == "RUNNING" for job in jobs)
    printed_early = {job["id"]: len(lines(world, job["id"])) for job in jobs}
    assert all(printed_early.values()), "output starts with the run"
    clock.advance(3600)
    outcomes: Counter[str] = Counter()
    for job in jobs:
        done = world.job(world.user, job["id"])
        ran = done["durations"]["runningSecs"]
        training = job["command"] == ["python", "train.py"]
        assert ran >= (120 if training else 60)
        assert len(lines(world, job["id"])) > printed_early[job["id"]]
        outcomes[done["status"]["stage"]] += 1
        if done["status"]["stage"] == "ERROR":
            assert done["status"]["message"]
            log = lines(world, job["id"])
            assert "Traceback (most recent call last):" in log[-8:]
    assert set(outcomes) == {"COMPLETED", "ERROR"} and outcomes["COMPLETED"] > outcomes["ERROR"]


def test_a_run_longer_than_its_timeout_ends_in_job_timeout() -> None:
    world, clock = empty_world(scheduling_secs=1.0)
    job = run(world, "sleep", "100", timeoutSeconds=5)
    clock.advance(5.9)
    assert world.job(world.user, job["id"])["status"]["stage"] == "RUNNING"
    clock.advance(0.2)
    done = world.job(world.user, job["id"])
    assert done["status"] == {"stage": "ERROR", "message": "Job timeout"}
    assert done["finishedAt"] == iso(T0 + 6)


def test_cancel_while_scheduling_or_running_but_not_once_finished() -> None:
    world, clock = empty_world(scheduling_secs=2.0)
    waiting, running = run(world, "sleep", "60"), run(world, "sleep", "60")
    canceled = world.cancel_job(world.user, waiting["id"])
    assert canceled["status"]["stage"] == "CANCELED" and "startedAt" not in canceled
    clock.advance(5)
    stopped = world.cancel_job(world.user, running["id"])
    assert stopped["status"]["stage"] == "CANCELED"
    assert (stopped["startedAt"], stopped["finishedAt"]) == (iso(T0 + 2), iso(T0 + 5))
    clock.advance(100)
    assert world.job(world.user, running["id"]) == stopped
    for job_id in (waiting["id"], running["id"], run(world, "echo", "done")["id"]):
        with pytest.raises(Conflict) as refused:
            world.cancel_job(world.user, job_id)
        assert refused.value.status == 409 and job_id in refused.value.message


def test_the_same_seed_and_clock_make_the_same_world() -> None:
    first, second = build(seed=7), build(seed=7)
    assert every_job(first) == every_job(second)
    assert first.schedules.list(first.user) == second.schedules.list(second.user)
    running = next(job for job in every_job(first) if job["status"]["stage"] == "RUNNING")
    assert first.logs(first.user, running["id"]) == second.logs(second.user, running["id"])
    other = build(seed=8)
    assert {job["id"] for job in every_job(other)}.isdisjoint(job["id"] for job in every_job(first))


def test_the_history_has_every_stage_and_realistic_variety() -> None:
    world = build(seed=0, jobs=40)
    jobs = every_job(world)
    assert len(jobs) == 40 and len({job["id"] for job in jobs}) == 40
    assert {job["status"]["stage"] for job in jobs} == STAGES
    assert 2 <= sum(job["owner"]["type"] == "org" for job in jobs) <= 10
    messages = {job["status"]["message"] for job in jobs if job["status"]["stage"] == "ERROR"}
    assert "Job timeout" in messages and len(messages) >= 2
    assert len({job["flavor"] for job in jobs}) >= 6
    assert any("spaceId" in job for job in jobs) and any("dockerImage" in job for job in jobs)
    assert sum("name" in job["labels"] for job in jobs) >= 0.7 * len(jobs)
    assert {job["initiator"]["type"] for job in jobs} >= {"user", "scheduled-job"}
    assert any(job["volumes"] for job in jobs) and any(job["secrets"] for job in jobs)
    for job in jobs:
        assert re.fullmatch(r"[0-9a-f]{24}", job["id"])
        assert all(
            ISO.fullmatch(job[key])
            for key in ("createdAt", "startedAt", "finishedAt")
            if key in job
        )
        assert T0 - 4 * 86_400 < datetime.fromisoformat(job["createdAt"]).timestamp() <= T0
        if job["status"]["stage"] == "RUNNING":
            assert job["flavor"].startswith(("t4", "l4", "l40s", "a10g", "a100", "h200", "rtx"))


def test_a_bigger_history_has_reruns_and_a_few_live_jobs() -> None:
    jobs = every_job(build(seed=1, jobs=120))
    initiators = {job["initiator"]["type"] for job in jobs}
    assert initiators == {"user", "scheduled-job", "duplicated-job"}
    live = [job for job in jobs if job["status"]["stage"] in ("RUNNING", "SCHEDULING")]
    assert 3 <= len(live) <= 15


def test_secret_values_are_dropped_at_once() -> None:
    world, _ = empty_world()
    secret = "hf_the_secret_value_9f8e7d"
    job = world.create_job(
        world.user,
        {
            "dockerImage": "alpine",
            "command": ["echo", "x"],
            "secrets": {"HF_TOKEN": secret},
            "labels": {"name": "keep-this-label"},
        },
    )
    assert job["secrets"] == ["HF_TOKEN"]
    kept = strings_reachable_from(world)
    assert any("keep-this-label" in text for text in kept), "the search does see what is kept"
    assert not any(secret in text for text in kept)


def strings_reachable_from(root: object) -> list[str]:
    """Every string an object holds, through containers, attributes and closures."""
    found: list[str] = []
    seen: set[int] = set()
    pending = [root]
    while pending:
        item = pending.pop()
        if id(item) in seen or isinstance(item, type | ModuleType):
            continue
        seen.add(id(item))
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            pending.extend([*item.keys(), *item.values()])
        elif isinstance(item, list | tuple | set | frozenset):
            pending.extend(item)
        elif isinstance(item, partial):
            pending.extend([*item.args, *item.keywords.values()])
        elif isinstance(item, FunctionType):
            pending.extend(cell.cell_contents for cell in item.__closure__ or ())
        elif hasattr(item, "__dict__"):
            pending.extend(vars(item).values())
    return found


def test_bad_requests_name_what_is_wrong() -> None:
    world, _ = empty_world()
    bad_bodies = {
        "dockerImage or spaceId": {"command": ["echo"]},
        "exactly one": {"dockerImage": "a", "spaceId": "b/c", "command": ["echo"]},
        "command": {"dockerImage": "alpine", "command": "echo hi"},
        "list of strings": {"dockerImage": "alpine", "command": ["sleep", 3]},
        "flavor": {"dockerImage": "alpine", "command": ["echo"], "flavor": "tpu-v9"},
        "labels": {"dockerImage": "alpine", "command": ["echo"], "labels": {"a": 1}},
        "timeoutSeconds": {"dockerImage": "alpine", "command": ["echo"], "timeoutSeconds": -1},
        "ssh must be": {"dockerImage": "alpine", "command": ["echo"], "ssh": True},
        "network must": {"dockerImage": "alpine", "command": ["echo"], "network": {"aliases": []}},
        "network.aliases": {
            "dockerImage": "alpine",
            "command": ["echo"],
            "network": {"group": "g", "aliases": "master"},
        },
        "portsPublic must be a subset": {
            "dockerImage": "alpine",
            "command": ["echo"],
            "expose": {"ports": [8000], "portsPublic": [7860]},
        },
        "Invalid label 'model=Qwen3-0.6B'": {
            "dockerImage": "alpine",
            "command": ["echo"],
            "labels": {"model": "Qwen3-0.6B"},
        },
        "resourceGroupId": {"dockerImage": "alpine", "command": ["echo"], "resourceGroupId": 7},
    }
    for words, body in bad_bodies.items():
        with pytest.raises(BadRequest, match=words) as refused:
            world.create_job(world.user, body)
        assert refused.value.status == 400
    errors: list[tuple[ApiError, int, str]] = []
    for call, status, named in (
        (lambda: world.list_jobs("mallory"), 403, "mallory"),
        (lambda: run(world, "echo") and world.job("mallory", "x"), 403, "mallory"),
        (lambda: world.job(world.user, "feedfacefeedfacefeedface"), 404, "feedface"),
    ):
        with pytest.raises((Forbidden, NotFound)) as caught:
            call()
        errors.append((caught.value, status, named))
    assert all(e.status == status and named in e.message for e, status, named in errors)


def test_list_filters_and_pages() -> None:
    world = build(seed=2, jobs=60)
    everything, cursor = world.list_jobs(world.user)
    assert cursor is None
    with_team = world.list_jobs(world.user, labels=["team"])[0]
    assert with_team and all("team" in job["labels"] for job in with_team)
    assert len(with_team) < len(everything)
    done = world.list_jobs(world.user, stages=["completed", "Error"])[0]
    assert {job["status"]["stage"] for job in done} == {"COMPLETED", "ERROR"}
    pages, cursor = [], None
    while True:
        page, cursor = world.list_jobs(world.user, after=cursor, limit=7)
        pages.append(page)
        if cursor is None:
            break
    assert [job for page in pages for job in page] == everything
    assert all(len(page) == 7 for page in pages[:-1]) and 0 < len(pages[-1]) <= 7


def test_demo_scenario() -> None:
    clock = FakeClock()
    world = scenarios.build("demo", clock=clock)
    jobs = every_job(world)
    assert 20 <= len(jobs) <= 30
    stages = Counter(job["status"]["stage"] for job in jobs)
    assert stages["RUNNING"] >= 4 and stages["SCHEDULING"] == 1
    assert {"COMPLETED", "ERROR", "CANCELED"} <= set(stages)
    assert all("name" in job["labels"] for job in jobs if job["status"]["stage"] == "RUNNING")
    running = {job["id"]: job for job in jobs if job["status"]["stage"] == "RUNNING"}
    waiting = next(job for job in jobs if job["status"]["stage"] == "SCHEDULING")
    printed = {job_id: world.logs(world.user, job_id).printed for job_id in running}

    clock.advance(12)
    assert world.job(world.user, waiting["id"])["status"]["stage"] == "RUNNING"
    clock.advance(48)
    after = {job_id: world.job(world.user, job_id) for job_id in running}
    failed = [job for job in after.values() if job["status"]["stage"] == "ERROR"]
    assert len(failed) == 1 and failed[0]["status"]["message"] == "CUDA out of memory"
    assert lines(world, failed[0]["id"])[-1].startswith("torch.OutOfMemoryError")
    still = [job_id for job_id, job in after.items() if job["status"]["stage"] == "RUNNING"]
    assert len(still) == len(running) - 1
    idle = world.featured["idle-gpu"]  # its dataloader hangs: its log is quiet
    assert world.logs(world.user, idle).printed == printed[idle]
    assert all(
        world.logs(world.user, job_id).printed > printed[job_id]
        for job_id in still
        if job_id != idle
    )


def test_scheduled_jobs_lifecycle() -> None:
    world, clock = empty_world(scheduling_secs=1.0)
    preloaded = [s for ns in world.namespaces for s in world.schedules.list(ns)]
    assert len(preloaded) >= 2 and all(s["jobSpec"]["command"] for s in preloaded)
    body = {
        "jobSpec": {
            "dockerImage": "alpine",
            "command": ["sleep", "30"],
            "secrets": {"TOKEN": "never-kept-123"},
            "labels": {"name": "nightly"},
        },
        "schedule": "@hourly",
    }
    created = world.schedules.create(world.user, body)
    sid = created["id"]
    assert created["jobSpec"]["secrets"] == ["TOKEN"] and "never-kept" not in str(created)
    assert created["status"] == {"lastJob": None, "nextJobRunAt": iso(next_run("@hourly", T0))}
    assert world.schedules.suspend(world.user, sid, True)["status"]["nextJobRunAt"] is None
    assert world.schedules.suspend(world.user, sid, False)["status"]["nextJobRunAt"]
    job = world.schedules.trigger(world.user, sid)
    assert job["initiator"] == {"type": "scheduled-job", "id": sid}
    assert job["labels"] == {"name": "nightly"}
    assert world.schedules.get(world.user, sid)["status"]["lastJob"]["id"] == job["id"]
    with pytest.raises(Conflict):
        world.schedules.trigger(world.user, sid)
    clock.advance(40)
    assert world.schedules.trigger(world.user, sid)["id"] != job["id"]
    relabeled = world.schedules.set_labels(world.user, sid, {"labels": {"team": "ops"}})
    assert relabeled["jobSpec"]["labels"] == {"team": "ops"}
    with pytest.raises(BadRequest, match="schedule"):
        world.schedules.set_schedule(world.user, sid, {"schedule": "every tuesday"})
    world.schedules.delete(world.user, sid)
    with pytest.raises(NotFound):
        world.schedules.get(world.user, sid)


@pytest.mark.parametrize(
    ("schedule", "after", "expected"),
    [
        ("@hourly", "2026-05-12T14:57:43", "2026-05-12T15:00:00"),
        ("@daily", "2026-05-12T14:57:43", "2026-05-13T00:00:00"),
        ("*/30 * * * *", "2026-05-12T14:30:00", "2026-05-12T15:00:00"),
        ("0 9 * * 1", "2026-05-12T14:57:43", "2026-05-18T09:00:00"),  # the next Monday
        ("15 6 1 1 *", "2026-05-12T14:57:43", "2027-01-01T06:15:00"),
    ],
)
def test_next_run_of_a_schedule(schedule: str, after: str, expected: str) -> None:
    start = datetime.fromisoformat(after).replace(tzinfo=UTC).timestamp()
    assert (
        next_run(schedule, start)
        == datetime.fromisoformat(expected).replace(tzinfo=UTC).timestamp()
    )


def test_log_scripts_look_like_real_program_output() -> None:
    scripts = [
        log_script(kind, random.Random(seed), run_secs=900)
        for seed in range(6)
        for kind in ("train", "data", "eval", "script")
    ]
    every_line = [line for script in scripts for _, line in script]
    tqdm = [line for line in every_line if "%|" in line]
    assert tqdm and all("\r" in line and "\n" not in line for line in tqdm)
    assert any("\x1b[32mINFO\x1b[0m" in line for line in every_line)
    assert any(
        re.fullmatch(r"epoch \d+ step \d+ loss \d\.\d{3} lr \S+", line) for line in every_line
    )
    assert any(len(line) > 500 for line in every_line)
    assert any(line.startswith(("Collecting ", "Resolved ")) for line in every_line)
    for script in scripts:
        offsets = [offset for offset, _ in script]
        assert offsets == sorted(offsets) and offsets[0] >= 0 and offsets[-1] <= 900
    failing = log_script("train", random.Random(1), run_secs=300, failure=oom_failure())
    assert failing[-1][0] == 300
    assert failing[-1][1].startswith(
        "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate"
    )
    assert log_script("data", random.Random(3), run_secs=300) == log_script(
        "data", random.Random(3), run_secs=300
    )


def test_the_simulator_never_imports_the_monitor_or_textual() -> None:
    code = (
        "import sys, jobtui.sim, jobtui.sim.cli; "
        "banned = ('textual', 'jobtui.ui', 'jobtui.monitor', 'jobtui.store'); "
        "found = [n for n in sys.modules if n.startswith(banned)]; "
        "print(found); sys.exit(bool(found))"
    )
    done = subprocess.run([sys.executable, "-c", code], timeout=60, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def _sim_imports() -> dict[str, set[str]]:
    """Which sim modules each sim module imports, read from the source."""
    folder = Path(jobtui.sim.__file__).parent
    graph: dict[str, set[str]] = {}
    for path in folder.glob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "jobtui.sim":
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("jobtui.sim."):
                found.add((node.module or "").rsplit(".", 1)[1])
        graph[path.stem] = {name for name in found if (folder / f"{name}.py").exists()}
    return graph


def test_the_sim_modules_import_each_other_without_a_circle() -> None:
    graph = _sim_imports()

    def reachable(start: str) -> set[str]:
        seen: set[str] = set()
        todo = list(graph[start])
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(graph.get(name, ()))
        return seen

    assert "scenarios" in reachable("server")  # the check sees imports at all
    assert "scenarios" not in reachable("world")
    assert [name for name in graph if name in reachable(name)] == []


def test_a_new_world_is_empty() -> None:
    world = World(clock=FakeClock())
    assert all(world.list_jobs(ns) == ([], None) for ns in world.namespaces)
    assert all(world.schedules.list(ns) == [] for ns in world.namespaces)


def test_a_requeued_demo_job_goes_back_to_scheduling_and_starts_again() -> None:
    clock = FakeClock()
    world = scenarios.build("demo", clock=clock)
    (job,) = world.list_jobs(world.user, labels=["name=whisper-large-v3-de"])[0]
    before = world.logs(world.user, job["id"]).lines
    clock.advance(76)
    lost = world.job(world.user, job["id"])
    assert lost["status"] == {"stage": "SCHEDULING", "message": REQUEUED}
    assert lost["startedAt"] == job["startedAt"]  # it did start once
    assert not any("Job started" in line for line in lines(world, job["id"]))
    clock.advance(25)
    back = world.job(world.user, job["id"])
    assert back["status"]["stage"] == "RUNNING"
    log = world.logs(world.user, job["id"]).lines
    assert log[: len(before)] == before  # what was printed stays printed
    markers = [(moment, line) for moment, line in log if line.startswith("===== Job started at")]
    assert len(markers) == 1 and T0 + 75 < markers[0][0] <= T0 + 101
    assert markers[0][1] == started_marker(markers[0][0])


def test_the_history_has_a_few_requeued_jobs_with_a_second_start_in_their_log() -> None:
    world = build(seed=1, jobs=120)
    requeued = []
    for job in every_job(world):
        log = world.logs(job["owner"]["name"], job["id"]).lines
        starts = [moment for moment, line in log if line.startswith("===== Job started at")]
        if starts:
            requeued.append(job)
            assert len(starts) == 1 and [m for m, _ in log] == sorted(m for m, _ in log)
    assert 2 <= len(requeued) <= 20
    assert all(job["status"]["stage"] != "CANCELED" for job in requeued)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"jobSpec": {"dockerImage": "a", "command": ["x"]}, "schedule": "61 * * * *"}, "0-59"),
        ({"jobSpec": {"dockerImage": "a", "command": ["x"]}, "schedule": "0 0 31 2 *"}, "never"),
        ({"jobSpec": {"dockerImage": "a", "command": ["x"]}, "schedule": 5}, "schedule must"),
        (
            {"jobSpec": {"dockerImage": "a", "command": ["x"]}, "schedule": "@daily", "suspend": 1},
            "suspend must be true or false",
        ),
        ({"jobSpec": None, "schedule": "@daily"}, "JSON object"),
        (["not", "an", "object"], "jobSpec and schedule"),
    ],
)
def test_a_bad_schedule_is_refused_with_a_clear_400(body: Any, words: str) -> None:
    world = World(clock=FakeClock())
    with pytest.raises(BadRequest, match=words) as refused:
        world.schedules.create(world.user, body)
    assert refused.value.status == 400 and world.schedules.list(world.user) == []


def test_the_demo_has_a_schedule_that_runs_while_you_watch() -> None:
    clock = FakeClock()  # 14:57:43
    world = scenarios.build("demo", clock=clock)
    assert world.list_jobs(world.user, labels=["name=queue-health-check"])[0] == []
    clock.advance(140)
    (run,) = world.list_jobs(world.user, labels=["name=queue-health-check"])[0]
    (schedule,) = [s for s in world.schedules.list(world.user) if s["schedule"] == "*/5 * * * *"]
    assert run["initiator"] == {"type": "scheduled-job", "id": schedule["id"]}
    assert run["createdAt"] == "2026-05-12T15:00:00.000Z"
    assert schedule["status"]["lastJob"]["id"] == run["id"]
    assert schedule["status"]["nextJobRunAt"] == "2026-05-12T15:05:00.000Z"


def test_a_simulated_hub_serves_a_world_or_builds_one_from_the_old_keywords() -> None:
    clock = FakeClock()
    built = SimulatedHub(seed=4, jobs=12, scenario="history", clock=clock)
    given = SimulatedHub(scenarios.build(seed=4, jobs=12, clock=clock))
    assert every_job(built.world) == every_job(given.world) and len(every_job(given.world)) == 12
    assert built.token == given.token  # derived from the seed either way
    with pytest.raises(TypeError, match="not both"):
        SimulatedHub(given.world, seed=4)


def test_building_a_history_never_fails_whatever_the_clock() -> None:
    """Job ids, and so the re-queue dice, change with the clock: a re-queue that did not fit
    in its job's run failed a build now and then (and with it, a test run)."""
    for step in range(400):  # one of these clocks failed the old build
        scenarios.build(seed=1, jobs=120, clock=partial(float, 1_790_000_000 + step * 997))
