"""Idle GPUs: which running GPU jobs have had every GPU nearly still for a while, and what
that stretch has cost.

The Hub's metrics stream has no history, so the watch builds its own from sparse samples: it
opens each running GPU job's stream at most once per `sample_every` seconds, reads one sample
and hangs up (one request), never more than `samples_per_minute` such reads a minute in all,
or per poll interval when the list is refreshed less often than once a minute.
Samples the Details panel and the stats view already stream are fed in too (`observe`), and a
job streamed that way is not sampled again. A job counts as idle from its first idle sample:
what happened before the watch looked is unknown, so it never guesses a stretch longer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from msgspec import Struct

from jobtui.hub.errors import HubError
from jobtui.hub.models import JobHardwareInfo, JobInfo, JobStage
from jobtui.monitor.costs import stretch_cost
from jobtui.monitor.metrics import MetricsSample, MetricsSource
from jobtui.monitor.store import JobStore

log = logging.getLogger(__name__)

SAMPLE_TIMEOUT = 10.0
"""Seconds a short read may take (the Hub sends a sample a second)."""
MIN_SAMPLE_EVERY, MAX_SAMPLE_EVERY = 10.0, 60.0


class IdleSettings(Struct, frozen=True):
    """What counts as an idle GPU job, and what watching costs. The command line fills it
    (`--idle-gpu-percent`, `--idle-gpu-minutes`); a config file may later too."""

    gpu_percent: float = 5.0
    """Every GPU of the job under this utilisation (percent)..."""
    minutes: float = 10.0
    """...for this long."""
    samples_per_minute: int = 4
    """At most this many short metrics reads a minute, whatever the number of jobs."""

    @property
    def window(self) -> float:
        return self.minutes * 60

    @property
    def sample_every(self) -> float:
        """How often one job is sampled: twice per window, at most once a minute."""
        return min(MAX_SAMPLE_EVERY, max(MIN_SAMPLE_EVERY, self.window / 2))


DEMO_IDLE = IdleSettings(minutes=0.5, samples_per_minute=30)
"""What `--demo` uses unless told otherwise: a 30-second window (its idle job shows its badge
in the first minute), and the simulated Hub's budget is nobody's."""


class IdleStretch(Struct, frozen=True):
    """A job whose GPUs have sat idle for the whole window: since when, and what it cost."""

    job_id: str
    since: float
    seconds: float
    cost: float | None
    """Dollars the idle stretch has cost (None without a price)."""
    price_per_hour: float | None
    gpus: int


class IdleChanged(Struct, frozen=True):
    """The set of idle jobs changed; `started` are the stretches that just reached the
    window (each says so once)."""

    idle: frozenset[str]
    started: tuple[IdleStretch, ...] = ()


def has_gpu(flavor: JobHardwareInfo | None) -> bool:
    accelerator = flavor.accelerator if flavor is not None else None
    return accelerator is not None and accelerator.type.lower() == "gpu"


@dataclass
class IdleWatch:
    source: MetricsSource
    store: JobStore
    hardware: Callable[[], Mapping[str, JobHardwareInfo]]
    report: Callable[[IdleChanged], None]
    settings: IdleSettings = field(default_factory=IdleSettings)
    clock: Callable[[], float] = time.time
    sample_every: float | None = None
    """Seconds between two reads of one job (default: the settings'); tests shorten it."""
    poll_interval: float = 0.0
    """Seconds between the list's refreshes. Above a minute, the cap on reads is per interval:
    whoever asks for few refreshes (`--interval 3600`) gets few reads too."""
    _since: dict[str, float] = field(default_factory=dict, init=False)
    """Running GPU jobs idle at their last sample: since their first idle sample."""
    _seen: dict[str, float] = field(default_factory=dict, init=False)
    """When each job's last sample was taken, whoever read it."""
    _idle: frozenset[str] = field(default=frozenset(), init=False)
    _sent: deque[float] = field(default_factory=deque, init=False)
    sent: int = field(default=0, init=False)
    """Short reads sent so far."""
    _gpu_key: tuple[int, int, int] = field(default=(-1, 0, 0), init=False)
    _gpu_jobs: list[JobInfo] = field(default_factory=list, init=False)
    _checked: tuple[int, int, int] = field(default=(-1, 0, 0), init=False)
    """The running GPU jobs' key when jobs not among them were last forgotten..."""
    _running: set[str] = field(default_factory=set, init=False)
    """...and their ids then."""

    @property
    def idle(self) -> frozenset[str]:
        return self._idle

    @property
    def period(self) -> float:
        return self.sample_every or self.settings.sample_every

    @property
    def cap_window(self) -> float:
        """Seconds over which at most `samples_per_minute` reads are made."""
        return max(60.0, self.poll_interval)

    def per_window(self, window: float) -> float:
        """Requests the watch spends per `window` seconds, at its pace of the last cap window
        (what the poller leaves it out of their shared budget)."""
        self._forget_sent(self.clock())
        return len(self._sent) * window / self.cap_window

    # ---- samples in ----------------------------------------------------------------------

    def observe(self, job_id: str, sample: MetricsSample) -> None:
        """A sample of a job, from any reader (the Details panel, the stats view, ours)."""
        self._seen[job_id] = sample.at
        if job_id not in self._running:
            self._checked = (-1, 0, 0)  # forgotten at the next check unless it runs on GPUs
        values = [gpu.utilization for gpu in sample.gpus if gpu.utilization is not None]
        if not values:
            return  # no GPU figures: nothing learnt
        if max(values) < self.settings.gpu_percent:
            self._since.setdefault(job_id, sample.at)
        else:
            self._since.pop(job_id, None)
        self._update(sample.at)

    # ---- the loop ------------------------------------------------------------------------

    async def run(self) -> None:
        """Sample for ever. Cancel the task to stop."""
        while True:
            await self.check_once()
            await asyncio.sleep(max(1.0, min(5.0, self.period / 3)))

    def gpu_jobs(self) -> list[JobInfo]:
        """The running GPU jobs. Worked out again only when the jobs or the hardware list
        changed: going through 700 live jobs every few seconds was most of an idle minute's
        CPU."""
        hardware = self.hardware()
        key = (self.store.version, id(hardware), len(hardware))
        if key != self._gpu_key:
            self._gpu_key = key
            self._gpu_jobs = [
                job
                for job_id in self.store.live_ids()
                if (job := self.store.get(job_id)) is not None
                and job.status.stage == JobStage.RUNNING
                and has_gpu(hardware.get(job.flavor or ""))
            ]
        return list(self._gpu_jobs)

    async def check_once(self) -> None:
        """Forget jobs no longer running; read one sample of each job due, within the cap."""
        now = self.clock()
        jobs = self.gpu_jobs()
        if self._checked != self._gpu_key:  # the running GPU jobs may have changed
            self._checked = self._gpu_key
            self._running = running = {job.id for job in jobs}
            for gone in set(self._seen) - running:
                self._seen.pop(gone, None)
            for gone in set(self._since) - running:
                self._since.pop(gone, None)
            self._update(now)
        self._forget_sent(now)
        room = self.settings.samples_per_minute - len(self._sent)
        if room <= 0:
            return  # most checks with many GPU jobs: the window's reads are spent
        due = [job for job in jobs if now - self._seen.get(job.id, -1e18) >= self.period]
        due.sort(key=lambda job: (self._seen.get(job.id, -1e18), job.id))  # longest unseen first
        chosen = due[: max(0, room)]
        if chosen:
            await asyncio.gather(*(self._read_one(job) for job in chosen))

    async def _read_one(self, job: JobInfo) -> None:
        now = self.clock()
        self._sent.append(now)
        self._seen[job.id] = now  # a read that fails is not retried before its time
        self.sent += 1
        stream = self.source.stream_metrics(job.owner.name, job.id)
        data: dict[str, Any] | None = None
        try:
            async with asyncio.timeout(SAMPLE_TIMEOUT):
                async with contextlib.aclosing(stream):  # type: ignore[type-var]
                    data = await anext(aiter(stream), None)
        except (HubError, TimeoutError) as exc:
            log.info("idle watch: no sample of %s: %s", job.id, exc)
        if data is not None and self.store.get(job.id) is not None:
            self.observe(job.id, MetricsSample.from_api(data, self.clock()))

    def _forget_sent(self, now: float) -> None:
        while self._sent and self._sent[0] <= now - self.cap_window:
            self._sent.popleft()

    # ---- what changed --------------------------------------------------------------------

    def _update(self, now: float) -> None:
        window = self.settings.window
        idle = frozenset(
            job_id
            for job_id, since in self._since.items()
            if self._seen.get(job_id, since) - since >= window
        )
        if idle == self._idle:
            return
        started = tuple(self._stretch(job_id) for job_id in sorted(idle - self._idle))
        self._idle = idle
        self.report(IdleChanged(idle, started))

    def _stretch(self, job_id: str) -> IdleStretch:
        since = self._since[job_id]
        seconds = self._seen.get(job_id, since) - since
        job = self.store.get(job_id)
        flavor = self.hardware().get(job.flavor or "") if job is not None else None
        quantity = flavor.accelerator.quantity if flavor and flavor.accelerator else ""
        return IdleStretch(
            job_id=job_id,
            since=since,
            seconds=seconds,
            cost=stretch_cost(flavor, seconds),
            price_per_hour=flavor.price_per_hour if flavor is not None else None,
            gpus=int(quantity) if quantity.isdigit() else 1,
        )
