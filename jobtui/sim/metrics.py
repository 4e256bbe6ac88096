"""A running job's load, as the Hub's metrics stream sends it: one sample a second.

A sample has exactly the fields `hf jobs stats` reads (`HfApi.fetch_job_metrics`):

    {"cpu_usage_pct": 37, "cpu_millicores": 7000, "memory_used_bytes": 9873000000,
     "memory_total_bytes": 30000000000, "rx_bps": 4210000, "tx_bps": 630000,
     "gpus": {"1f0c3a9e": {"utilization": 94, "memory_used_bytes": 19870000000,
                           "memory_total_bytes": 24000000000}},
     "replica": "8c2d1"}

Totals come from the flavor (a CPU-only flavor has no GPUs: `"gpus": {}`); levels from the kind
of work (training keeps its GPUs busy, a tokenizer its CPUs, a server follows its traffic).
Every value is a smooth function of the job's id and the seconds since it started, so a sample
is the same however often, and in whatever order, it is asked for.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jobtui.sim.hardware import Flavor
from jobtui.sim.logs import kind_of

SETUP_SECS = 60.0  # installing and loading: CPU and network busy, GPUs not yet
SAVE_EVERY_SECS = 600.0  # a training job saves (and pushes) a checkpoint this often...
SAVE_SECS = 20.0  # ...for this long: its GPUs wait, its upload is busy
IDLE_UTILIZATION_MAX = 1  # what an idle GPU reports, at most (percent)
_SERVE_WORDS = ("serve", "text-generation-launcher")


@dataclass(frozen=True)
class Profile:
    """How a kind of work loads a machine: each field is a (low, high) range it drifts in.
    `cpu`, `memory`, `gpu` and `vram` are shares of the total; `rx` and `tx` bytes/s."""

    cpu: tuple[float, float]
    memory: tuple[float, float]
    gpu: tuple[float, float]
    vram: tuple[float, float]
    rx: tuple[float, float]
    tx: tuple[float, float]


PROFILES = {
    "train": Profile((0.15, 0.45), (0.25, 0.45), (0.86, 0.99), (0.72, 0.9), (1e6, 9e6), (2e5, 2e6)),
    "eval": Profile((0.1, 0.3), (0.2, 0.35), (0.45, 0.95), (0.6, 0.85), (2e5, 3e6), (5e4, 5e5)),
    "serve": Profile((0.05, 0.2), (0.15, 0.3), (0.1, 0.85), (0.9, 0.92), (5e5, 8e6), (1e6, 25e6)),
    "data": Profile((0.7, 0.98), (0.35, 0.75), (0.6, 0.95), (0.3, 0.6), (15e6, 90e6), (3e6, 40e6)),
    "script": Profile((0.03, 0.25), (0.04, 0.15), (0.15, 0.6), (0.1, 0.3), (0.0, 1e6), (0.0, 3e5)),
}
# What every job does first: installing packages and downloading weights.
SETUP = Profile((0.3, 0.7), (0.03, 0.08), (0.0, 0.0), (0.0, 0.0), (20e6, 120e6), (1e5, 5e5))


def load_kind(command: Sequence[str]) -> str:
    """The kind of work a command does: "serve", or what `logs.kind_of` says."""
    text = " ".join(command).lower()
    return "serve" if any(word in text for word in _SERVE_WORDS) else kind_of(command)


def _unit(key: str) -> float:
    """A number in [0, 1) fixed by `key`."""
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _drift(key: str, t: float, period: float) -> float:
    """Smooth noise in [0, 1]: a level fixed by `key` every `period` seconds, eased between."""
    knot, frac = divmod(t / period, 1.0)
    a, b = _unit(f"{key}:{int(knot)}"), _unit(f"{key}:{int(knot) + 1}")
    return a + (b - a) * (1 - math.cos(math.pi * frac)) / 2


def _smoothstep(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return x * x * (3 - 2 * x)


def _mix(a: float, b: float, share: float) -> float:
    return a + (b - a) * share


class _Levels:
    """The levels of one job at one moment, each drifting in its profile's range."""

    def __init__(self, job_id: str, elapsed: float) -> None:
        self.job_id, self.elapsed = job_id, elapsed

    def __call__(self, channel: str, span: tuple[float, float]) -> float:
        key, t = f"{self.job_id}:{channel}", self.elapsed
        share = 0.8 * _drift(key, t, 45.0) + 0.2 * _drift(key + ":fast", t, 4.0)
        return _mix(span[0], span[1], share)


def gpu_ids(job_id: str, count: int) -> list[str]:
    """The ids the Hub gives a job's GPUs (8 hex digits), in index order."""
    return [hashlib.sha1(f"{job_id}:{index}".encode()).hexdigest()[:8] for index in range(count)]


def sample(
    job_id: str,
    flavor: Flavor,
    command: Sequence[str],
    elapsed: float,
    idle: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """The load of job `job_id` on `flavor`, `elapsed` seconds after it (last) started.
    `idle` is a stretch of its run (seconds after the start, end excluded) during which its
    GPUs sit idle, at most IDLE_UTILIZATION_MAX %, as when it waits on a download or its
    dataloader died: memory stays allocated, the CPU nearly still, the network a trickle."""
    profile, level = PROFILES[load_kind(command)], _Levels(job_id, elapsed)
    ready = _smoothstep(elapsed / SETUP_SECS)  # 0 while setting up, 1 once at work
    saving = (
        profile is PROFILES["train"]
        and elapsed > SETUP_SECS
        and elapsed % SAVE_EVERY_SECS >= SAVE_EVERY_SECS - SAVE_SECS
    )
    idling = idle is not None and idle[0] <= elapsed < idle[1]

    cpu = _mix(level("cpu-setup", SETUP.cpu), level("cpu", profile.cpu), ready)
    rx = _mix(level("rx-setup", SETUP.rx), level("rx", profile.rx), ready)
    tx = _mix(level("tx-setup", SETUP.tx), level("tx", profile.tx), ready)
    memory = _mix(level("memory-setup", SETUP.memory), level("memory", profile.memory), ready)
    if saving:
        tx += 60e6 * level("tx-save", (0.6, 1.0))
    if idling:
        cpu = level("cpu-idle", (0.005, 0.03))
        rx, tx = level("rx-idle", (0.0, 30e3)), level("tx-idle", (0.0, 5e3))

    memory_total = flavor.ram_gb * 10**9
    vram_total = flavor.vram_gb * 10**9
    gpus: dict[str, dict[str, int]] = {}
    for index, gpu_id in enumerate(gpu_ids(job_id, flavor.gpu_count)):
        # GPUs of one job work in step: a shared level, and a little of their own.
        busy = 0.85 * level("gpu", profile.gpu) + 0.15 * level(f"gpu{index}", profile.gpu)
        if saving:
            busy *= 0.3
        utilization = round(100 * ready * busy)
        if idling:
            nudge = _unit(f"{job_id}:gpu{index}-idle:{int(elapsed)}")
            utilization = IDLE_UTILIZATION_MAX if nudge < 0.25 else 0
        vram = ready * level(f"vram{index}", profile.vram)
        gpus[gpu_id] = {
            "utilization": min(100, max(0, utilization)),
            "memory_used_bytes": round(vram * vram_total),
            "memory_total_bytes": vram_total,
        }
    return {
        "cpu_usage_pct": min(100, max(0, round(100 * cpu))),
        "cpu_millicores": flavor.vcpus * 875,  # the Hub reports 3500 for 4 vCPU
        "memory_used_bytes": round(min(1.0, memory) * memory_total),
        "memory_total_bytes": memory_total,
        "rx_bps": max(0, round(rx)),
        "tx_bps": max(0, round(tx)),
        "gpus": gpus,
        "replica": hashlib.sha1(job_id.encode()).hexdigest()[:5],
    }
