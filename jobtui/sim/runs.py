"""How a preloaded job is made: its plan, its recipe, its logs; finished, live or
re-queued runs, and the scheduled jobs they may be runs of. The scenarios use these."""

from __future__ import annotations

import random
from dataclasses import replace
from functools import partial

from jobtui.sim.hardware import FLAVORS
from jobtui.sim.jobs import Job, Plan
from jobtui.sim.logs import (
    Failure,
    kind_of,
    log_script,
    pick_failure,
    requeued_script,
)
from jobtui.sim.recipes import (
    DAY,
    GPU_RECIPES,
    RECIPES,
    SCHEDULES,
    SUFFIXES,
    TERMINAL_MIX,
    Recipe,
)
from jobtui.sim.schedules import ScheduledJob
from jobtui.sim.stamps import started_marker
from jobtui.sim.world import World


def add_run(
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


def scheduled_jobs(world: World, rng: random.Random, now: float) -> dict[str, ScheduledJob]:
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


def finished_run(
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
    job = add_run(
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


def live_run(
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
    job = add_run(
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


def stage_mix(rng: random.Random, count: int) -> list[str]:
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


def link_last_runs(scheduled: dict[str, ScheduledJob], jobs: list[tuple[Job, Recipe]]) -> None:
    for trigger in scheduled.values():
        runs = [job for job, _ in jobs if job.initiator.get("id") == trigger.id]
        trigger.last_job = max(runs, key=lambda job: job.plan.created_at, default=None)
