"""What a job costs and how long it has left: the arithmetic no other Jobs tool does for you.

Billing: the Jobs pricing is per minute of hardware time; jobtui counts each started minute
of a job's run (start to finish, or to now), at its flavor's per-minute price. Scheduling
time is not billed. Timeout: only a timeout the Hub echoes is counted down; without one,
jobtui says it does not know (the Hub's documented default is 30 minutes, but jobs are seen
running past it, so assuming it would cry wolf).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime

from msgspec import Struct

from jobtui.hub.models import JobHardwareInfo, JobInfo, JobStage

BILLING_RULE = "each started minute of run time"
DEFAULT_TIMEOUT_SECONDS = 30 * 60
"""The Hub's documented default for a job whose spec names no timeout (not counted down)."""
LAST_STRETCH = 0.10
"""A job in the last tenth of its timeout is marked in the list."""


def running_seconds(job: JobInfo, now: datetime) -> float | None:
    """How long the job has run (or ran): from its start to its finish, or to now while it
    runs; the Hub's own durations where the times are missing."""
    if job.started_at is not None:
        end = job.finished_at or (now if job.is_live else None)
        if end is not None:
            return max(0.0, (end - job.started_at).total_seconds())
    if job.durations is not None and job.durations.running_secs is not None:
        return float(job.durations.running_secs)
    return None


def billed_cost(job: JobInfo, flavor: JobHardwareInfo | None, now: datetime) -> float | None:
    """The job's cost by BILLING_RULE; None without a price or before it started."""
    seconds = running_seconds(job, now)
    if flavor is None or seconds is None:
        return None
    return math.ceil(seconds / 60) * flavor.price_per_hour / 60


def stretch_cost(flavor: JobHardwareInfo | None, seconds: float) -> float | None:
    """What `seconds` of a running job's time cost, pro rata of its flavor's price (the part
    of its bill a stretch of its run accounts for, e.g. one its GPUs sat idle through)."""
    if flavor is None:
        return None
    return max(0.0, seconds) * flavor.price_per_hour / 3600


def burn_rate(jobs: Iterable[JobInfo], hardware: Mapping[str, JobHardwareInfo]) -> float:
    """Dollars per hour that the running jobs among `jobs` cost right now."""
    return sum(
        flavor.price_per_hour
        for job in jobs
        if job.status.stage == JobStage.RUNNING
        and (flavor := hardware.get(job.flavor or "")) is not None
    )


class TimeLeft(Struct, frozen=True):
    limit: float
    """The timeout in seconds."""
    left: float
    """Seconds until the Hub stops the job (never negative)."""

    @property
    def used(self) -> float:
        return 1.0 - self.left / self.limit if self.limit else 1.0

    @property
    def last_stretch(self) -> bool:
        return self.used >= 1.0 - LAST_STRETCH


def time_left(job: JobInfo, now: datetime) -> TimeLeft | None:
    """How long a running job has before its timeout; None for a job not running or one
    whose timeout the Hub did not echo."""
    timeout = job.timeout_seconds
    if job.status.stage != JobStage.RUNNING or not timeout:
        return None
    seconds = running_seconds(job, now)
    if seconds is None:
        return None
    return TimeLeft(limit=float(timeout), left=max(0.0, timeout - seconds))


def timeout_warnings(
    jobs: Iterable[JobInfo], share: float, now: datetime
) -> tuple[list[tuple[JobInfo, TimeLeft]], float]:
    """The jobs that have used `share` of their timeout at `now`, with what they have left,
    and the moment (a Unix time) the next of the others will have: inf when none will (no
    timeout echoed, not running, or no start to count from). Checked at that moment, not
    every few seconds: 700 live jobs cost a millisecond each look."""
    due: list[tuple[JobInfo, TimeLeft]] = []
    after = math.inf
    for job in jobs:
        left = time_left(job, now)
        if left is None:
            continue
        if left.used >= share:
            due.append((job, left))
        elif job.started_at is not None:  # what time_left counts from
            after = min(after, job.started_at.timestamp() + share * left.limit)
    return due, after
