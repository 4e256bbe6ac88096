"""Job recipes: the kinds of jobs people run on the Hub, with their machines and run times."""

from __future__ import annotations

from dataclasses import dataclass, field

from jobtui.sim.hardware import FLAVORS
from jobtui.sim.spec import Spec, spec_for_image

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
SUFFIXES = ("v2", "v3", "lr3e-5", "bs64", "run4", "ablation", "final", "debug", "fix", "long")
