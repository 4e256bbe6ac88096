"""Preloaded worlds: a few days of job history (here), or a lively demo (demo.py), built from
job recipes (runs.py). `build()` makes a world and fills it; the world knows nothing of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypedDict

from jobtui.sim.demo import add_demo
from jobtui.sim.featured import feature_history
from jobtui.sim.jobs import Job
from jobtui.sim.recipes import Recipe
from jobtui.sim.runs import finished_run, link_last_runs, live_run, scheduled_jobs, stage_mix
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


def add_history(world: World, count: int) -> None:
    """`count` jobs over the past three days, every stage, about one in seven in the org."""
    rng, now = world.rng, world.clock()
    scheduled = scheduled_jobs(world, rng, now)
    jobs: list[tuple[Job, Recipe]] = []
    finished: list[tuple[Job, Recipe]] = []  # kept as we go: rescanning `jobs` is quadratic
    for index, stage in enumerate(stage_mix(rng, count)):
        namespace = world.org if index % 7 == 3 else world.user
        if stage in ("RUNNING", "SCHEDULING"):
            jobs.append(live_run(world, rng, now, stage, namespace))
        else:
            jobs.append(
                finished_run(
                    world, rng, now, stage, namespace, scheduled, finished, may_requeue=True
                )
            )
            if not jobs[-1][0].state(now).live:
                finished.append(jobs[-1])
    link_last_runs(scheduled, jobs)
    feature_history(world.featured, [job for job, _ in jobs], now)
