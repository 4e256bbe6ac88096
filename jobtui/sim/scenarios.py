"""Preloaded worlds: a few days of job history, or a lively demo, built from job recipes.

`build()` makes a world and fills it; the world itself knows nothing of scenarios.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import TypedDict

from jobtui.sim.featured import (
    IDLE_GPU,
    NEAR_TIMEOUT,
    WARN_SHARE,
    feature_history,
    go_idle,
)
from jobtui.sim.hardware import FLAVORS
from jobtui.sim.jobs import Job, Plan
from jobtui.sim.logs import (
    WARNING,
    Failure,
    kind_of,
    log_script,
    oom_failure,
    pick_failure,
    requeued_script,
)
from jobtui.sim.recipes import (
    DAY,
    GPU_RECIPES,
    PYTHON,
    RECIPES,
    SCHEDULES,
    SUFFIXES,
    TERMINAL_MIX,
    Recipe,
)
from jobtui.sim.schedules import ScheduledJob
from jobtui.sim.spec import spec_for_image
from jobtui.sim.stamps import started_marker
from jobtui.sim.world import World

SCENARIOS = ("history", "demo")


class ScenarioOptions(TypedDict, total=False):
    """The keyword arguments of `build()`."""

    scenario: str
    seed: int
    jobs: int
    scheduling_secs: float
    user: str
    org: str
    clock: Callable[[], float] | None


def build(
    scenario: str = "history",
    *,
    seed: int = 0,
    jobs: int = 40,
    scheduling_secs: float = 3.0,
    user: str = "alice",
    org: str = "acme-ml",
    clock: Callable[[], float] | None = None,
) -> World:
    """A world filled by a scenario: "history" preloads `jobs` jobs from the past three days;
    "demo" preloads its own lively set of about 25 and ignores `jobs`."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}: use 'history' or 'demo'")
    world = World(
        seed=seed, scheduling_secs=scheduling_secs, user=user, org=org, clock=clock or time.time
    )
    if scenario == "demo":
        add_demo(world)
    else:
        add_history(world, jobs)
    return world


def _add_run(
    world: World,
    rng: random.Random,
    recipe: Recipe,
    namespace: str,
    *,
    flavor: str,
    created: float,
    scheduling: float,
    run_secs: float,
    name: str | None,
    failure: Failure | None = None,
    outcome: str = "COMPLETED",
    timeout_secs: int | None = None,
    canceled_at: float | None = None,
    initiator: dict[str, str] | None = None,
    may_requeue: bool = False,
) -> Job:
    """Add one preloaded job; its logs are written when first asked for. `may_requeue`: about
    one in twelve that run long enough lose their node once and start again."""
    plan = Plan(
        created_at=round(created, 3),
        scheduling_secs=round(scheduling, 3),
        run_secs=round(run_secs, 3),
        outcome="ERROR" if failure else outcome,
        message=failure.message if failure else None,
        timeout_secs=timeout_secs,
    )
    logs_rng = random.Random(rng.getrandbits(64))
    write_logs = partial(
        log_script, kind_of(recipe.command), logs_rng, run_secs=plan.run_secs, failure=failure
    )
    labels = dict(recipe.labels)
    if name is not None:
        labels["name"] = name
    job = world.add_job(
        namespace,
        recipe.spec(flavor, timeout_secs),
        plan,
        write_logs,
        labels=labels,
        initiator=initiator,
        canceled_at=None if canceled_at is None else round(canceled_at, 3),
    )
    if may_requeue and canceled_at is None and timeout_secs is None and plan.run_secs >= 300:
        # A die of its own, so that the rest of the world comes out the same either way.
        die = random.Random(f"requeue:{job.id}")
        lost = round(plan.run_secs * die.uniform(0.1, 0.6), 3)
        back = round(lost + die.uniform(20, 150), 3)
        now = world.clock()
        # The second start must come before the planned end (a short run and a long gap
        # would not fit: the ids, and so the dice, change with the clock).
        fits = back < plan.run_secs
        if die.random() < 0.08 and fits and not lost <= now - plan.started_at < back:
            requeue(job, lost=lost, back=back, failure=failure)
    return job


def requeue(job: Job, *, lost: float, back: float, failure: Failure | None = None) -> None:
    """Make `job` lose its node `lost` seconds after it started: it goes back to SCHEDULING,
    starts again from scratch `back` seconds after the first start (its log carries the "Job
    started" marker again) and ends as planned (with `failure`, if it fails)."""
    plan = job.plan
    if not 0 < lost < back < plan.run_secs:
        raise ValueError("a job is lost after it starts, and back before it ends")
    first, kind = job.write_logs, kind_of(job.spec.command)
    die = random.Random(f"second-run:{job.id}")
    second = partial(log_script, kind, die, run_secs=plan.run_secs - back, failure=failure)
    marker = started_marker(plan.started_at + back)
    job.plan = replace(plan, requeue=(lost, back))
    job.write_logs = lambda: requeued_script(first(), second(), lost=lost, back=back, marker=marker)


def _scheduled_jobs(world: World, rng: random.Random, now: float) -> dict[str, ScheduledJob]:
    found = {}
    for recipe_name, schedule, in_org, suspended in SCHEDULES:
        recipe = RECIPES[recipe_name]
        found[recipe_name] = world.schedules.add(
            world.org if in_org else world.user,
            recipe.spec(recipe.flavors[0]),
            schedule,
            labels={**recipe.labels, "name": recipe_name},
            suspend=suspended,
            created_at=now - rng.uniform(10, 60) * DAY,
        )
    return found


def _finished_run(
    world: World,
    rng: random.Random,
    now: float,
    stage: str,
    namespace: str,
    scheduled: dict[str, ScheduledJob],
    earlier: list[tuple[Job, Recipe]],
    *,
    may_requeue: bool = False,
) -> tuple[Job, Recipe]:
    """A job that ended (as `stage`) sometime in the last three days."""
    recipe = rng.choice(list(RECIPES.values()))
    flavor = rng.choice(recipe.flavors)
    initiator: dict[str, str] | None = None
    original: Job | None = None
    trigger = scheduled.get(recipe.name)
    if trigger is not None and rng.random() < 0.8:
        namespace = trigger.namespace
        initiator = {"type": "scheduled-job", "id": trigger.id}
    elif earlier and rng.random() < 0.12:
        original, recipe = rng.choice(earlier)
        namespace, flavor = original.namespace, original.spec.flavor
        initiator = {"type": "duplicated-job", "id": original.id}

    run_secs = rng.uniform(*recipe.run_secs)
    scheduling = rng.uniform(2, 90)
    ran = run_secs  # seconds from start to the end, negative when it never started
    failure, timeout = None, None
    if stage == "ERROR" and rng.random() < 0.3:
        timeout = rng.choice([600, 1800, 3600])
        run_secs, ran = timeout * rng.uniform(1.2, 2.0), timeout
    elif stage == "ERROR":
        run_secs = ran = run_secs * rng.uniform(0.05, 0.6)
        failure = pick_failure(rng, gpu=FLAVORS[flavor].gpu_count > 0)
    elif stage == "CANCELED" and rng.random() < 0.15:  # canceled while waiting for a machine
        scheduling = rng.uniform(10, 300)
        ran = -scheduling * rng.uniform(0.2, 0.8)
    elif stage == "CANCELED":
        ran = run_secs * rng.uniform(0.1, 0.9)
    oldest_end = now - 3 * DAY
    if original is not None:  # a rerun starts after the job it copies
        oldest_end = min(now - 120, original.plan.created_at + scheduling + ran + 60)
    ended = rng.uniform(oldest_end, now - 120)
    name = f"{recipe.name}-{rng.choice(SUFFIXES)}" if rng.random() < 0.9 else None
    job = _add_run(
        world,
        rng,
        recipe,
        namespace,
        flavor=flavor,
        created=ended - ran - scheduling,
        scheduling=scheduling,
        run_secs=run_secs,
        name=name,
        failure=failure,
        outcome="DELETED" if stage == "DELETED" else "COMPLETED",
        timeout_secs=timeout,
        canceled_at=ended if stage == "CANCELED" else None,
        initiator=initiator,
        may_requeue=may_requeue,
    )
    return job, recipe


def _live_run(
    world: World, rng: random.Random, now: float, stage: str, namespace: str
) -> tuple[Job, Recipe]:
    """A job on a GPU that is running (logs streaming for an hour or more) or still scheduling."""
    recipe = rng.choice(GPU_RECIPES)
    if stage == "RUNNING":
        elapsed = rng.uniform(60, 1800)
        scheduling = rng.uniform(5, 120)
        created, run_secs = now - elapsed - scheduling, elapsed + rng.uniform(1800, 5400)
    else:
        waited = rng.uniform(3, 40)
        created, scheduling = now - waited, waited + rng.uniform(60, 300)
        run_secs = rng.uniform(*recipe.run_secs)
    job = _add_run(
        world,
        rng,
        recipe,
        namespace,
        flavor=rng.choice(recipe.gpu_flavors),
        created=created,
        scheduling=scheduling,
        run_secs=run_secs,
        name=f"{recipe.name}-{rng.choice(SUFFIXES)}",
        may_requeue=True,
    )
    return job, recipe


def _stage_mix(rng: random.Random, count: int) -> list[str]:
    """Every stage at least once (when there is room), a few live jobs, the rest finished."""
    live = ["RUNNING"] * max(1, count // 12) + ["SCHEDULING"] * (2 if count >= 20 else 1)
    base = live + list(TERMINAL_MIX)
    if count < len(base):
        stages = ["RUNNING", "SCHEDULING", *TERMINAL_MIX][:count]
    else:
        weights = list(TERMINAL_MIX.values())
        stages = base + rng.choices(list(TERMINAL_MIX), weights, k=count - len(base))
    rng.shuffle(stages)
    return stages


def _link_last_runs(scheduled: dict[str, ScheduledJob], jobs: list[tuple[Job, Recipe]]) -> None:
    for trigger in scheduled.values():
        runs = [job for job, _ in jobs if job.initiator.get("id") == trigger.id]
        trigger.last_job = max(runs, key=lambda job: job.plan.created_at, default=None)


def add_history(world: World, count: int) -> None:
    """`count` jobs over the past three days, every stage, about one in seven in the org."""
    rng, now = world.rng, world.clock()
    scheduled = _scheduled_jobs(world, rng, now)
    jobs: list[tuple[Job, Recipe]] = []
    finished: list[tuple[Job, Recipe]] = []  # kept as we go: rescanning `jobs` is quadratic
    for index, stage in enumerate(_stage_mix(rng, count)):
        namespace = world.org if index % 7 == 3 else world.user
        if stage in ("RUNNING", "SCHEDULING"):
            jobs.append(_live_run(world, rng, now, stage, namespace))
        else:
            jobs.append(
                _finished_run(
                    world, rng, now, stage, namespace, scheduled, finished, may_requeue=True
                )
            )
            if not jobs[-1][0].state(now).live:
                finished.append(jobs[-1])
    _link_last_runs(scheduled, jobs)
    feature_history(world.featured, [job for job, _ in jobs], now)


DEMO_LIVE = (  # name, recipe, flavor, seconds since it started (negative: not yet), seconds left
    ("qwen2.5-7b-sft", "qwen-sft", "h200", 1260, 5400),
    ("whisper-large-v3-de", "whisper-finetune", "a10g-largex4", 380, 3600),
    ("fineweb-edu-tokenize", "tokenize-fineweb", "cpu-xl", 200, 2400),
    ("mmlu-eval-qwen2.5-7b", "mmlu-eval", "l4x1", 70, 1500),
    ("qwen2.5-7b-serve", "vllm-serve", "l40sx1", 2900, 7200),
    ("embed-corpus-bge-m3", "embed-corpus", "l4x1", -10, 2700),
)
DEMO_FAILING = ("grpo-math-1.5b", "grpo-math", "a100-large", 150, 40)
# This one loses its node 75 s into the demo and starts again 25 s later.
DEMO_REQUEUED = "whisper-large-v3-de"
DEMO_FINISHED = ["COMPLETED"] * 9 + ["ERROR"] * 4 + ["CANCELED"] * 3 + ["DELETED"] * 2
DEMO_SCHEDULE = "*/5 * * * *"  # a schedule that runs while you watch the demo
# Its GPUs went idle 12 minutes before the demo starts (its dataloader hangs) and stay idle
# until its 4-hour timeout: name, recipe, flavor, seconds since it started, idle from (ditto).
DEMO_IDLE = ("qwen2.5-32b-sft", "qwen-sft", "a100x4", 4200, 3480)
DEMO_IDLE_TIMEOUT = 4 * 3600
# 92% through its 2-hour timeout when the demo starts: killed 9 min 36 s in ("Job timeout").
DEMO_NEAR_TIMEOUT = ("fineweb-2-tokenize", "tokenize-fineweb", "cpu-performance", 6624)
DEMO_NEAR_TIMEOUT_SECS = 2 * 3600


def add_demo(world: World) -> None:
    """About 25 jobs: several running and logging, one crashing with CUDA out of memory about
    40 s in, one that leaves SCHEDULING after about 10 s, one re-queued (back to SCHEDULING)
    after 75 s, and a finished history."""
    rng, now = world.rng, world.clock()
    scheduled = _scheduled_jobs(world, rng, now)
    jobs: list[tuple[Job, Recipe]] = []
    finished: list[tuple[Job, Recipe]] = []  # what a finished job may be a rerun of
    for name, recipe_name, flavor, since, left in (*DEMO_LIVE, DEMO_FAILING):
        recipe = RECIPES[recipe_name]
        scheduling = 30.0 if since < 0 else rng.uniform(10, 90)
        job = _add_run(
            world,
            rng,
            recipe,
            world.user,
            flavor=flavor,
            created=now - since - scheduling,
            scheduling=scheduling,
            run_secs=max(since, 0) + left,
            name=name,
            failure=oom_failure() if name == DEMO_FAILING[0] else None,
        )
        if name == DEMO_REQUEUED:
            requeue(job, lost=since + 75, back=since + 100)
        jobs.append((job, recipe))
    for index, stage in enumerate(DEMO_FINISHED):
        namespace = world.org if index % 5 == 2 else world.user
        finished.append(_finished_run(world, rng, now, stage, namespace, scheduled, finished))
    jobs += finished
    _link_last_runs(scheduled, jobs)
    # Added last, so every job above comes out as it always did.
    world.schedules.add(
        world.user,
        spec_for_image(PYTHON, ("python", "check_queue.py", "--alert-after", "15m")),
        DEMO_SCHEDULE,
        labels={"name": "queue-health-check"},
        created_at=now - 2 * DAY,
    )
    _add_featured_demo(world, now)


def _add_featured_demo(world: World, now: float) -> None:
    """The demo's idle GPU job and its job near the timeout (started an hour or more ago, so
    they sort below the other running jobs). Their own die: the rest is as it always was."""
    rng = random.Random(f"demo-featured:{world.seed}")
    name, recipe_name, flavor, since, idle_from = DEMO_IDLE
    job = _add_run(
        world,
        rng,
        RECIPES[recipe_name],
        world.user,
        flavor=flavor,
        created=now - since - 45,
        scheduling=45,
        run_secs=DEMO_IDLE_TIMEOUT * 1.5,
        name=name,
        timeout_secs=DEMO_IDLE_TIMEOUT,
    )
    stalled = f"{WARNING} DataLoader worker 3 has not returned a batch; training is waiting"
    go_idle(job, idle_from, math.inf, stalled=stalled)
    world.featured[IDLE_GPU] = job.id
    name, recipe_name, flavor, since = DEMO_NEAR_TIMEOUT
    job = _add_run(
        world,
        rng,
        RECIPES[recipe_name],
        world.user,
        flavor=flavor,
        created=now - since - 20,
        scheduling=20,
        run_secs=DEMO_NEAR_TIMEOUT_SECS * 1.3,
        name=name,
        timeout_secs=DEMO_NEAR_TIMEOUT_SECS,
    )
    assert since / DEMO_NEAR_TIMEOUT_SECS > WARN_SHARE
    world.featured[NEAR_TIMEOUT] = job.id
