"""A running job's metrics: samples read tolerantly from the Hub's stream, and a few minutes
of them kept per job so switching away and back does not start the sparklines over."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

from msgspec import Struct

from jobtui.hub.models import JobInfo, JobStage

HISTORY_SAMPLES = 300
"""About five minutes at the Hub's one sample a second."""
JOBS_REMEMBERED = 16


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if 0 <= number < 1e18 else None


class GpuSample(Struct, frozen=True):
    utilization: float | None
    memory_used: float | None
    memory_total: float | None


class MetricsSample(Struct, frozen=True):
    """One second of a job, as the Hub's `event: metric` says it; odd fields become None."""

    at: float
    cpu_pct: float | None
    cpu_millicores: float | None
    memory_used: float | None
    memory_total: float | None
    rx_bps: float | None
    tx_bps: float | None
    gpus: tuple[GpuSample, ...]

    @classmethod
    def from_api(cls, data: dict[str, Any], at: float) -> MetricsSample:
        gpus = data.get("gpus")
        return cls(
            at=at,
            cpu_pct=_number(data.get("cpu_usage_pct")),
            cpu_millicores=_number(data.get("cpu_millicores")),
            memory_used=_number(data.get("memory_used_bytes")),
            memory_total=_number(data.get("memory_total_bytes")),
            rx_bps=_number(data.get("rx_bps")),
            tx_bps=_number(data.get("tx_bps")),
            gpus=tuple(
                GpuSample(
                    _number(gpu.get("utilization")),
                    _number(gpu.get("memory_used_bytes")),
                    _number(gpu.get("memory_total_bytes")),
                )
                for gpu in (gpus.values() if isinstance(gpus, dict) else ())
                if isinstance(gpu, dict)
            ),
        )

    @property
    def gpu_utilization(self) -> float | None:
        """The mean utilisation of the job's GPUs (None without GPUs)."""
        values = [gpu.utilization for gpu in self.gpus if gpu.utilization is not None]
        return sum(values) / len(values) if values else None


class MetricsSource(Protocol):
    def stream_metrics(self, namespace: str, job_id: str) -> AsyncIterator[dict[str, Any]]: ...


class MetricsFeed:
    """Streams a running job's samples and remembers the last few minutes of each job."""

    def __init__(self, source: MetricsSource, clock: Callable[[], float] = time.time) -> None:
        self.source = source
        self.clock = clock
        self._history: OrderedDict[str, deque[MetricsSample]] = OrderedDict()
        self.observers: list[Callable[[str, MetricsSample], None]] = []
        """Told of every sample streamed (the idle watch learns from them for free)."""

    def history(self, job_id: str) -> list[MetricsSample]:
        return list(self._history.get(job_id, ()))

    def keep(self, job_id: str, sample: MetricsSample) -> None:
        """Remember a sample of a job (the stream does; a screenshot preloads a history)."""
        samples = self._history.pop(job_id, None) or deque(maxlen=HISTORY_SAMPLES)
        samples.append(sample)
        self._history[job_id] = samples  # most recent last
        while len(self._history) > JOBS_REMEMBERED:
            self._history.popitem(last=False)

    async def samples(self, job: JobInfo) -> AsyncIterator[MetricsSample]:
        """Each sample as it comes, until the job ends (the Hub then answers 406: no error)."""
        if job.status.stage != JobStage.RUNNING:
            return
        async for data in self.source.stream_metrics(job.owner.name, job.id):
            sample = MetricsSample.from_api(data, self.clock())
            self.keep(job.id, sample)
            for observe in self.observers:
                observe(job.id, sample)
            yield sample
