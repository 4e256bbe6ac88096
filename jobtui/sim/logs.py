"""Synthetic log scripts: what a simulated job prints, and when, as (seconds after start, line)."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

LogScript = list[tuple[float, str]]

GREEN, YELLOW, RED, BOLD, RESET = "\x1b[32m", "\x1b[33m", "\x1b[31m", "\x1b[1m", "\x1b[0m"
INFO = f"{GREEN}INFO{RESET}"
WARNING = f"{YELLOW}WARNING{RESET}"

_TRAIN_WORDS = ("train", "accelerate", "torchrun", "trl", "sft", "grpo", "dpo", "finetune")
_EVAL_WORDS = ("eval", "bench", "mmlu")
_DATA_WORDS = ("tokeniz", "dataset", "preprocess", "duckdb", "parquet", "embed", "dedup")


def kind_of(command: Sequence[str]) -> str:
    """Guess what a command does: "train", "eval", "data" or "script" (anything else)."""
    text = " ".join(command).lower()
    for kind, words in (("train", _TRAIN_WORDS), ("eval", _EVAL_WORDS), ("data", _DATA_WORDS)):
        if any(word in text for word in words):
            return kind
    return "script"


@dataclass(frozen=True)
class Failure:
    """How a job fails: the status message the Hub shows and the traceback it printed last."""

    message: str
    traceback: tuple[str, ...]


_TRACE_HEAD = "Traceback (most recent call last):"
_OOM = Failure(
    "CUDA out of memory",
    (
        _TRACE_HEAD,
        '  File "/app/train.py", line 142, in <module>',
        "    trainer.train()",
        '  File "/usr/local/lib/python3.12/site-packages/transformers/trainer.py", line 2241,'
        " in train",
        "    return inner_training_loop(",
        '  File "/usr/local/lib/python3.12/site-packages/torch/nn/modules/module.py", line 1751,'
        " in _wrapped_call_impl",
        "    return self._call_impl(*args, **kwargs)",
        "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total"
        " capacity of 22.05 GiB of which 1.10 GiB is free. Of the allocated memory 19.87 GiB is"
        " allocated by PyTorch, and 612.54 MiB is reserved by PyTorch but unallocated. If reserved"
        " but unallocated memory is large try setting"
        " PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.",
    ),
)
_VALUE_ERROR = Failure(
    "ValueError: Unable to create tensor, you should probably activate truncation and/or padding",
    (
        _TRACE_HEAD,
        '  File "/app/prepare.py", line 57, in <module>',
        "    batch = tokenizer(texts, return_tensors='pt')",
        '  File "/usr/local/lib/python3.12/site-packages/transformers/tokenization_utils_base.py",'
        " line 3021, in __call__",
        "    encodings = self._call_one(text=text, **all_kwargs)",
        "ValueError: Unable to create tensor, you should probably activate truncation and/or"
        " padding with 'padding=True' 'truncation=True' to have batched tensors with the same"
        " length.",
    ),
)
_MISSING_MODULE = Failure(
    "Exit code 1",
    (
        _TRACE_HEAD,
        '  File "/app/main.py", line 3, in <module>',
        "    import flash_attn",
        "ModuleNotFoundError: No module named 'flash_attn'",
    ),
)
_KEY_ERROR = Failure(
    "KeyError: 'text'",
    (
        _TRACE_HEAD,
        '  File "/app/main.py", line 88, in <module>',
        "    lengths = [len(row['text']) for row in rows]",
        '  File "/app/main.py", line 88, in <listcomp>',
        "    lengths = [len(row['text']) for row in rows]",
        "KeyError: 'text'",
    ),
)


def pick_failure(rng: random.Random, *, gpu: bool) -> Failure:
    """A plausible way for a job to crash; CUDA errors only on GPU machines."""
    choices = [_VALUE_ERROR, _MISSING_MODULE, _KEY_ERROR]
    if gpu:
        choices += [_OOM, _OOM]
    return rng.choice(choices)


def oom_failure() -> Failure:
    """The CUDA out-of-memory crash, for scenarios that need exactly that one."""
    return _OOM


class _Writer:
    """Collects lines at increasing offsets, never past the end of the run."""

    def __init__(self, rng: random.Random, run_secs: float) -> None:
        self.rng = rng
        self.run_secs = run_secs
        self.now = 0.0
        self.lines: LogScript = []

    @property
    def left(self) -> float:
        return self.run_secs - self.now

    def wait(self, low: float, high: float) -> None:
        self.now = min(self.run_secs, self.now + self.rng.uniform(low, high))

    def print(self, *lines: str) -> None:
        for line in lines:
            self.lines.append((round(self.now, 3), line))


def _clock(secs: float) -> str:
    minutes, seconds = divmod(int(secs), 60)
    return f"{minutes:02d}:{seconds:02d}"


def tqdm_line(desc: str, total: int, unit: str, secs: float, frames: int = 10) -> str:
    """One tqdm bar as a pipe captures it: every refresh on the same line, separated by CR."""
    parts = []
    for frame in range(frames + 1):
        done = total * frame // frames
        pct = 100 * done // total
        elapsed = secs * frame / frames
        rate = done / elapsed if elapsed else 0.0
        left = "?" if not rate else _clock((total - done) / rate)
        bar = ("█" * (pct // 10)).ljust(10)
        speed = f"{_clock(elapsed)}<{left}, {rate:.2f}{unit}/s"
        parts.append(f"{desc}: {pct:3d}%|{bar}| {done}/{total} [{speed}]")
    return "\r".join(parts)


_PACKAGES = (
    "torch==2.6.0",
    "transformers==4.51.3",
    "datasets==3.5.0",
    "accelerate==1.6.0",
    "trl==0.17.0",
    "peft==0.15.2",
    "huggingface-hub==0.30.2",
    "safetensors==0.5.3",
    "tokenizers==0.21.1",
    "numpy==2.2.5",
    "pyarrow==19.0.1",
    "tqdm==4.67.1",
)


def _install(out: _Writer) -> None:
    packages = out.rng.sample(_PACKAGES, out.rng.randint(4, len(_PACKAGES)))
    if out.rng.random() < 0.5:
        out.print(f"Resolved {len(packages) + 31} packages in {out.rng.uniform(0.3, 2):.2f}s")
        out.wait(1, 6)
        out.print(f"Prepared {len(packages) + 31} packages in {out.rng.uniform(3, 20):.2f}s")
        out.print(f"Installed {len(packages) + 31} packages in {out.rng.randint(80, 900)}ms")
        out.print(*(f" + {package}" for package in sorted(packages)))
        return
    for package in packages:
        name, version = package.split("==")
        out.print(f"Collecting {package}")
        size = 766.7 if name == "torch" else out.rng.uniform(0.1, 12)
        out.print(
            f"  Downloading {name.replace('-', '_')}-{version}-py3-none-any.whl ({size:.1f} MB)"
        )
        out.wait(0.1, 1.5)
    out.print(
        "Installing collected packages: " + ", ".join(p.split("==")[0] for p in packages),
        "Successfully installed " + " ".join(p.replace("==", "-") for p in packages),
        f"{WARNING}: Running pip as the 'root' user can result in broken permissions. It is"
        " recommended to use a virtual environment instead.",
    )


def _training_arguments(rng: random.Random) -> str:
    settings = {
        "output_dir": "/output",
        "per_device_train_batch_size": rng.choice([4, 8, 16]),
        "gradient_accumulation_steps": rng.choice([1, 2, 4, 8]),
        "learning_rate": rng.choice(["2e-05", "3e-05", "5e-05", "0.0001"]),
        "num_train_epochs": 3,
        "lr_scheduler_type": "cosine",
        "warmup_ratio": 0.03,
        "bf16": True,
        "gradient_checkpointing": True,
        "logging_steps": 10,
        "save_strategy": "steps",
        "save_steps": 500,
        "eval_strategy": "steps",
        "eval_steps": 500,
        "max_grad_norm": 1.0,
        "optim": "adamw_torch_fused",
        "weight_decay": 0.0,
        "report_to": ["trackio"],
        "push_to_hub": True,
        "hub_model_id": "alice/qwen2.5-0.5b-sft",
        "seed": 42,
        "dataloader_num_workers": 4,
        "ddp_find_unused_parameters": False,
        "max_length": 2048,
        "packing": True,
    }
    return "SFTConfig(" + ", ".join(f"{key}={value!r}" for key, value in settings.items()) + ")"


def _train(out: _Writer) -> list[str]:
    out.print(f"{INFO} Loading model Qwen/Qwen2.5-0.5B in bfloat16")
    out.wait(2, 8)
    out.print(tqdm_line("Loading checkpoint shards", 4, "it", out.rng.uniform(3, 20), frames=4))
    out.print(_training_arguments(out.rng))
    out.wait(1, 4)
    out.print(tqdm_line("Map", 50_000, " examples", out.rng.uniform(8, 40)))
    interval = max(1.5, (out.left - 10) / 2000)
    total_steps = max(10, int((out.left - 10) / interval) * 10)
    peak_lr = out.rng.choice([2e-5, 3e-5, 5e-5])
    step, loss = 0, out.rng.uniform(2.2, 3.2)
    while out.left > 10:
        out.wait(interval * 0.6, interval * 1.4)
        step += 10
        loss = max(0.05, loss * out.rng.uniform(0.985, 1.004))
        epoch = min(3, 1 + 3 * step // total_steps)
        lr = peak_lr * 0.5 * (1 + math.cos(math.pi * min(1.0, step / total_steps)))
        out.print(f"epoch {epoch} step {step} loss {loss:.3f} lr {lr:.1e}")
        if step % 500 == 0:
            out.print(f"{INFO} Saving model checkpoint to /output/checkpoint-{step}")
    return [f"{INFO} Training completed. Pushing to the Hub: alice/qwen2.5-0.5b-sft"]


def _data(out: _Writer) -> list[str]:
    shards = out.rng.choice([16, 32, 64])
    out.print(f"{INFO} Reading 'HuggingFaceFW/fineweb-edu' (sample-10BT), {shards} shards")
    shard = 0
    while out.left > 5 and shard < shards * 50:
        shard += 1
        out.wait(3, 15)
        rows = out.rng.randint(80_000, 200_000)
        # A long run goes over the data again: number shards within each pass.
        number, pass_ = (shard - 1) % shards + 1, (shard - 1) // shards + 1
        label = f"shard {number}" if pass_ == 1 else f"pass {pass_} shard {number}"
        out.print(tqdm_line(f"Map (num_proc=8) {label}", rows, " examples", out.rng.uniform(2, 12)))
        out.print(f"Processed {label}/{shards} ({rows:,} rows)")
    return [f"{INFO} Wrote {shard} shards to /output/tokenized"]


def _eval(out: _Writer) -> list[str]:
    tasks = ["mmlu", "hellaswag", "arc_challenge", "gsm8k", "truthfulqa_mc2", "winogrande"]
    out.print(f"{INFO} Evaluating on {len(tasks)} tasks")
    scores: list[tuple[str, float]] = []
    while out.left > 5:
        task = tasks[len(scores) % len(tasks)]
        out.wait(5, 30)
        out.print(tqdm_line(f"Running {task}", out.rng.randint(500, 14_000), "it", 20))
        scores.append((task, out.rng.uniform(0.3, 0.8)))
    table = [f"|{task:<15}|{score:7.4f}|" for task, score in scores[-len(tasks) :]]
    return ["|     Task      | Value |", "|---------------|-------|", *table]


def _script(out: _Writer) -> list[str]:
    # Terminal titles, Unicode line separators and replacement characters do occur in real logs.
    out.print(f"\x1b]0;{out.rng.choice(['job', 'worker', 'main'])}\x07{INFO} starting")
    out.print(f"{BOLD}config{RESET}: batch=32\u2028workers=4 (loaded from \ufffdconfig.yaml)")
    n = 0
    while out.left > 5:
        out.wait(2, 20)
        n += 1
        if out.rng.random() < 0.1:
            out.print(f"{WARNING} slow response from upstream ({out.rng.uniform(1, 9):.1f}s)")
        else:
            out.print(f"{INFO} processed batch {n} ({out.rng.randint(100, 5000)} items)")
    return [f"{INFO} done"]


_BODIES = {"train": _train, "data": _data, "eval": _eval, "script": _script}


def log_script(
    kind: str, rng: random.Random, *, run_secs: float, failure: Failure | None = None
) -> LogScript:
    """Everything a job of this kind prints over `run_secs` seconds, ending in `failure` if any."""
    out = _Writer(rng, run_secs)
    out.print(
        f"{INFO} Job container started on {rng.choice(['ip-10-0-', 'node-'])}{rng.randint(1, 250)}"
    )
    _install(out)
    if rng.random() < 0.3:
        out.print(f"{WARNING} env: " + " ".join(f"VAR_{i}=value-{i:04d}" for i in range(40)))
    if failure is not None:
        out.run_secs = max(out.now, run_secs - 1)  # leave a second for the crash
    closing = _BODIES[kind](out)
    out.run_secs = out.now = run_secs
    out.print(*(closing if failure is None else failure.traceback))
    return out.lines


def requeued_script(
    first: LogScript, second: LogScript, *, lost: float, back: float, marker: str
) -> LogScript:
    """The log of a job whose node was lost `lost` seconds after it started: what the first
    run printed until then, the "Job started" marker again when it starts anew `back` seconds
    after the first start, then the second run (`second`, timed from its own start)."""
    lines = [(offset, line) for offset, line in first if offset < lost]
    lines.append((back, marker))
    lines += [(round(back + offset, 3), line) for offset, line in second]
    return lines


_RETRIED = (
    _TRACE_HEAD,
    '  File "/app/dedup.py", line 212, in fetch_shard',
    "    response = session.get(url, timeout=30)",
    '  File "/usr/local/lib/python3.12/site-packages/requests/adapters.py", line 700, in send',
    "    raise ReadTimeout(e, request=request)",
    "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='huggingface.co', port=443):"
    " Read timed out. (read timeout=30)",
)
LONG_FAILURE = Failure(
    "RuntimeError: shard 1873 is corrupt (parquet footer missing)",
    (
        _TRACE_HEAD,
        '  File "/app/dedup.py", line 301, in <module>',
        "    main()",
        '  File "/app/dedup.py", line 288, in main',
        "    table = pq.read_table(path)",
        "RuntimeError: shard 1873 is corrupt (parquet footer missing)",
    ),
)


def long_script(rng: random.Random, *, run_secs: float, lines: int) -> LogScript:
    """A very long log (`lines` lines over `run_secs`) with a few tracebacks of retried
    downloads on the way and a fatal one at the end: the log `f`, `/` and `e` are for."""
    step = run_secs / (lines + 1)
    retried_at = {lines * share // 100 for share in (12, 41, 67)}
    out: LogScript = [(0.0, f"{INFO} Deduplicating HuggingFaceFW/fineweb (CC-MAIN-2024-10)")]
    n, rand = 1, rng.random
    while len(out) < lines - len(LONG_FAILURE.traceback):
        moment = round(n * step, 3)
        if n in retried_at:
            out.extend((moment, line) for line in _RETRIED)
            out.append((moment, f"{WARNING} retrying shard {n // 100} (attempt 2 of 5)"))
        elif n % 1000 == 0:
            out.append((moment, f"{INFO} {n:,} batches, {rng.randint(10, 40)}% duplicates"))
        else:
            docs = 800 + int(400 * rand())
            out.append((moment, f"batch {n}: {docs} docs, {int(docs * rand()) // 3} dups"))
        n += 1
    moment = round(run_secs, 3)
    out.extend((moment, line) for line in LONG_FAILURE.traceback)
    return out
