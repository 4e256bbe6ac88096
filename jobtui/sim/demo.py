"""The demo's world: a lively set of about 25 jobs, fixed so screenshots never drift, with
an idle GPU job and one near its timeout."""

from __future__ import annotations

import math
import random

from jobtui.sim.featured import (
    IDLE_GPU,
    NEAR_TIMEOUT,
    WARN_SHARE,
    go_idle,
)
from jobtui.sim.jobs import Job
from jobtui.sim.logs import (
    LONG_FAILURE,
    WARNING,
    long_script,
    oom_failure,
)
from jobtui.sim.recipes import (
    DAY,
    PYTHON,
    RECIPES,
    Recipe,
)
from jobtui.sim.runs import add_run, finished_run, link_last_runs, requeue, scheduled_jobs
from jobtui.sim.spec import spec_for_image
from jobtui.sim.world import World

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
# A long log (f, /, e): 250,000 lines, three retried tracebacks and a fatal one; two days old.
DEMO_LONG = ("fineweb-tokenize-full", "tokenize-fineweb", "cpu-performance", 250_000)
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
    scheduled = scheduled_jobs(world, rng, now)
    jobs: list[tuple[Job, Recipe]] = []
    finished: list[tuple[Job, Recipe]] = []  # what a finished job may be a rerun of
    for name, recipe_name, flavor, since, left in (*DEMO_LIVE, DEMO_FAILING):
        recipe = RECIPES[recipe_name]
        scheduling = 30.0 if since < 0 else rng.uniform(10, 90)
        job = add_run(
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
        finished.append(finished_run(world, rng, now, stage, namespace, scheduled, finished))
    jobs += finished
    link_last_runs(scheduled, jobs)
    # Added last, so every job above comes out as it always did.
    world.schedules.add(
        world.user,
        spec_for_image(PYTHON, ("python", "check_queue.py", "--alert-after", "15m")),
        DEMO_SCHEDULE,
        labels={"name": "queue-health-check"},
        created_at=now - 2 * DAY,
    )
    _add_featured_demo(world, now)
    _add_long_log(world, now)


def _add_long_log(world: World, now: float) -> None:
    """The demo's job with a very long log (its own die, added last: the rest stays)."""
    name, recipe, flavor, lines = DEMO_LONG
    rng = random.Random(f"demo-long:{world.seed}")
    run_secs = 5 * 3600.0
    job = add_run(
        world,
        rng,
        RECIPES[recipe],
        world.user,
        flavor=flavor,
        created=now - 2 * DAY,
        scheduling=40,
        run_secs=run_secs,
        name=name,
        failure=LONG_FAILURE,
    )
    job.write_logs = lambda: long_script(rng, run_secs=run_secs, lines=lines)


def _add_featured_demo(world: World, now: float) -> None:
    """The demo's idle GPU job and its job near the timeout (started an hour or more ago, so
    they sort below the other running jobs). Their own die: the rest is as it always was."""
    rng = random.Random(f"demo-featured:{world.seed}")

    def running(
        name: str,
        recipe: str,
        flavor: str,
        since: float,
        scheduling: float,
        timeout: int,
        overrun: float,
    ) -> Job:
        """A job that started `since` seconds ago with `timeout`, planned to run `overrun`
        times as long (so the timeout, not its end, stops it)."""
        return add_run(
            world,
            rng,
            RECIPES[recipe],
            world.user,
            flavor=flavor,
            created=now - since - scheduling,
            scheduling=scheduling,
            run_secs=timeout * overrun,
            name=name,
            timeout_secs=timeout,
        )

    name, recipe_name, flavor, since, idle_from = DEMO_IDLE
    job = running(name, recipe_name, flavor, since, 45, DEMO_IDLE_TIMEOUT, 1.5)
    stalled = f"{WARNING} DataLoader worker 3 has not returned a batch; training is waiting"
    go_idle(job, idle_from, math.inf, stalled=stalled)
    world.featured[IDLE_GPU] = job.id
    name, recipe_name, flavor, since = DEMO_NEAR_TIMEOUT
    job = running(name, recipe_name, flavor, since, 20, DEMO_NEAR_TIMEOUT_SECS, 1.3)
    assert since / DEMO_NEAR_TIMEOUT_SECS > WARN_SHARE
    world.featured[NEAR_TIMEOUT] = job.id
