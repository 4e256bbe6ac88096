"""Preloaded worlds: a few days of job history, or a lively demo, built from job recipes."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from jobtui.sim.hardware import FLAVORS
from jobtui.sim.jobs import Job, Plan, ScheduledJob, Spec, spec_for_image
from jobtui.sim.logs import Failure, kind_of, log_script, oom_failure, pick_failure

if TYPE_CHECKING:
    from jobtui.sim.world import World

DAY = 86_400.0
PYTHON = "python:3.12"
PYTORCH = "pytorch/pytorch:2.6.0-cuda12.4-cudnn9-devel"
UV = "ghcr.io/astral-sh/uv:python3.12-bookworm"
TERMINAL_MIX = {"COMPLETED": 60, "ERROR": 22, "CANCELED": 12, "DELETED": 6}


@dataclass(frozen=True)
class Recipe:
    """A kind of job people run, with the machines and run times it usually gets."""

    name: str
    image: str
    command: tuple[str, ...]
    flavors: tuple[str, ...]
    run_secs: tuple[float, float]
    environment: dict[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()
    volumes: tuple[dict[str, str], ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    expose: tuple[int, ...] = ()

    def spec(self, flavor: str, timeout_secs: int | None = None) -> Spec:
        return spec_for_image(
            self.image,
            self.command,
            environment=self.environment,
            secret_names=self.secrets,
            flavor=flavor,
            timeout_secs=timeout_secs,
            volumes=self.volumes,
            expose_ports=self.expose,
        )

    @property
    def gpu_flavors(self) -> tuple[str, ...]:
        return tuple(name for name in self.flavors if FLAVORS[name].gpu_count)


_FINEWEB = {"type": "dataset", "source": "HuggingFaceFW/fineweb-edu", "mountPath": "/data"}
_OUTPUT = {"type": "bucket", "source": "alice/job-outputs", "mountPath": "/output"}

RECIPES: dict[str, Recipe] = {
    recipe.name: recipe
    for recipe in (
        Recipe(
            "qwen-sft",
            PYTORCH,
            ("accelerate", "launch", "train.py", "--config", "configs/sft.yaml"),
            ("a10g-large", "a100-large", "h200", "l40sx1"),
            (1200, 7200),
            {"HF_HUB_ENABLE_HF_TRANSFER": "1", "ACCELERATE_MIXED_PRECISION": "bf16"},
            ("HF_TOKEN",),
            labels={"team": "post-training", "model": "qwen2.5"},
        ),
        Recipe(
            "grpo-math",
            UV,
            (
                "uv",
                "run",
                "https://huggingface.co/datasets/trl-lib/scripts/raw/main/grpo.py",
                "--model_name_or_path",
                "Qwen/Qwen2.5-1.5B-Instruct",
            ),  # fmt: skip
            ("h200", "h200x2", "a100x4"),
            (1800, 10800),
            {"WANDB_PROJECT": "grpo-math"},
            ("HF_TOKEN", "WANDB_API_KEY"),
            labels={"team": "post-training"},
        ),
        Recipe(
            "whisper-finetune",
            PYTORCH,
            ("torchrun", "--nproc-per-node", "4", "finetune_whisper.py", "--language", "de"),
            ("a10g-largex4", "l4x4"),
            (1800, 7200),
            secrets=("HF_TOKEN",),
            labels={"team": "speech"},
        ),
        Recipe(
            "tokenize-fineweb",
            PYTHON,
            ("python", "tokenize_dataset.py", "--shards", "64", "--num-proc", "8"),
            ("cpu-upgrade", "cpu-xl", "cpu-performance"),
            (600, 3600),
            {"HF_DATASETS_CACHE": "/tmp/cache"},
            ("HF_TOKEN",),
            (_FINEWEB, _OUTPUT),
            {"team": "data"},
        ),
        Recipe(
            "mmlu-eval",
            UV,
            ("lighteval", "vllm", "model_name=Qwen/Qwen2.5-7B-Instruct", "leaderboard|mmlu|5"),
            ("l4x1", "a10g-large", "l40sx1"),
            (600, 2400),
            secrets=("HF_TOKEN",),
            labels={"team": "evals"},
        ),
        Recipe(
            "duckdb-refresh",
            "hf.co/spaces/lhoestq/duckdb",
            (
                "duckdb",
                "-c",
                "COPY (SELECT * FROM '/data/**/*.parquet' LIMIT 5) TO '/output/first-rows.parquet'",
            ),  # fmt: skip
            ("cpu-basic", "cpu-upgrade"),
            (60, 600),
            volumes=(_FINEWEB, _OUTPUT),
        ),
        Recipe(
            "hello-world",
            PYTHON,
            ("python", "-c", "print('Hello from HF compute!')"),
            ("cpu-basic",),
            (10, 60),
        ),
        Recipe(
            "nightly-report",
            PYTHON,
            ("python", "report.py", "--since", "24h"),
            ("cpu-basic",),
            (60, 400),
            {"REPORT_CHANNEL": "#ml-nightly"},
            ("SLACK_WEBHOOK_URL",),
            labels={"schedule": "nightly"},
        ),
        Recipe(
            "embed-corpus",
            PYTORCH,
            ("python", "embed.py", "--model", "BAAI/bge-m3", "--batch-size", "256"),
            ("t4-medium", "a10g-small", "l4x1"),
            (900, 5400),
            secrets=("HF_TOKEN",),
            volumes=(_FINEWEB,),
        ),
        Recipe(
            "vllm-serve",
            "vllm/vllm-openai:v0.8.5",
            ("vllm", "serve", "Qwen/Qwen2.5-7B-Instruct", "--port", "8000"),
            ("l40sx1", "a100-large"),
            (1800, 7200),
            secrets=("HF_TOKEN",),
            labels={"team": "serving"},
            expose=(8000,),
        ),
        Recipe(
            "matmul-bench",
            PYTORCH,
            ("python", "bench_matmul.py", "--dtype", "bf16"),
            ("rtx-pro-6000", "h200", "a100-large", "t4-small"),
            (120, 900),
            labels={"team": "infra"},
        ),
    )
}
GPU_RECIPES = tuple(recipe for recipe in RECIPES.values() if recipe.gpu_flavors)
SCHEDULES = (  # recipe, schedule, in the org namespace, suspended
    ("nightly-report", "@daily", False, False),
    ("duckdb-refresh", "*/30 * * * *", True, False),
    ("mmlu-eval", "0 9 * * 1", False, True),
)
_SUFFIXES = ("v2", "v3", "lr3e-5", "bs64", "run4", "ablation", "final", "debug", "fix", "long")


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
) -> Job:
    """Add one preloaded job; its logs are written when first asked for."""
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
    return world.add_job(
        namespace,
        recipe.spec(flavor, timeout_secs),
        plan,
        write_logs,
        labels=labels,
        initiator=initiator,
        canceled_at=None if canceled_at is None else round(canceled_at, 3),
    )


def _scheduled_jobs(world: World, rng: random.Random, now: float) -> dict[str, ScheduledJob]:
    found = {}
    for recipe_name, schedule, in_org, suspended in SCHEDULES:
        recipe = RECIPES[recipe_name]
        found[recipe_name] = world.add_scheduled_job(
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
    name = f"{recipe.name}-{rng.choice(_SUFFIXES)}" if rng.random() < 0.9 else None
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
        name=f"{recipe.name}-{rng.choice(_SUFFIXES)}",
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


def history(world: World, rng: random.Random, now: float, count: int) -> None:
    """`count` jobs over the past three days, every stage, about one in seven in the org."""
    scheduled = _scheduled_jobs(world, rng, now)
    jobs: list[tuple[Job, Recipe]] = []
    finished: list[tuple[Job, Recipe]] = []  # kept as we go: rescanning `jobs` is quadratic
    for index, stage in enumerate(_stage_mix(rng, count)):
        namespace = world.org if index % 7 == 3 else world.user
        if stage in ("RUNNING", "SCHEDULING"):
            jobs.append(_live_run(world, rng, now, stage, namespace))
        else:
            jobs.append(_finished_run(world, rng, now, stage, namespace, scheduled, finished))
            if not jobs[-1][0].state(now).live:
                finished.append(jobs[-1])
    _link_last_runs(scheduled, jobs)


DEMO_LIVE = (  # name, recipe, flavor, seconds since it started (negative: not yet), seconds left
    ("qwen2.5-7b-sft", "qwen-sft", "h200", 1260, 5400),
    ("whisper-large-v3-de", "whisper-finetune", "a10g-largex4", 380, 3600),
    ("fineweb-edu-tokenize", "tokenize-fineweb", "cpu-xl", 200, 2400),
    ("mmlu-eval-qwen2.5-7b", "mmlu-eval", "l4x1", 70, 1500),
    ("qwen2.5-7b-serve", "vllm-serve", "l40sx1", 2900, 7200),
    ("embed-corpus-bge-m3", "embed-corpus", "l4x1", -10, 2700),
)
DEMO_FAILING = ("grpo-math-1.5b", "grpo-math", "a100-large", 150, 40)
DEMO_FINISHED = ["COMPLETED"] * 9 + ["ERROR"] * 4 + ["CANCELED"] * 3 + ["DELETED"] * 2


def demo(world: World, rng: random.Random, now: float) -> None:
    """About 25 jobs: several running and logging, one crashing with CUDA out of memory about
    40 s in, one that leaves SCHEDULING after about 10 s, and a finished history."""
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
        jobs.append((job, recipe))
    for index, stage in enumerate(DEMO_FINISHED):
        namespace = world.org if index % 5 == 2 else world.user
        finished.append(_finished_run(world, rng, now, stage, namespace, scheduled, finished))
    jobs += finished
    _link_last_runs(scheduled, jobs)
