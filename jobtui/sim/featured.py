"""Jobs a scenario shapes for a purpose: a GPU job that goes idle, a job close to its timeout.

A scenario records them in `World.featured` (role: job id), so a test finds them without
searching: `world.featured[IDLE_GPU]`, `world.featured[NEAR_TIMEOUT]`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from jobtui.sim.jobs import Job
from jobtui.sim.logs import LogScript

IDLE_GPU = "idle-gpu"
NEAR_TIMEOUT = "near-timeout"
WARN_SHARE = 0.9  # "in its last 10%": this share of the timeout is used up

# The history scenario's idle GPU job: busy when the world is built, idle from this many
# seconds after that, for this long (a stalled download), then busy again until it ends.
HISTORY_IDLE_AFTER = 120.0
HISTORY_IDLE_FOR = 1200.0
# Its job near the timeout enters its last 10% this many seconds after the world is built.
HISTORY_WARN_AFTER = 60.0


def go_idle(
    job: Job,
    start: float,
    end: float,
    *,
    stalled: str | None = None,
    resumed: str | None = None,
) -> None:
    """Make `job`'s GPUs sit idle from `start` to `end` seconds after it started (see
    `metrics.sample`). Its log is quiet meanwhile: `stalled` is its last line before, and
    `resumed` (if the stretch ends before the job does) its first line after."""
    job.idle = (start, end)
    write = job.write_logs

    def quieted() -> LogScript:
        lines = [(offset, line) for offset, line in write() if not start <= offset < end]
        if stalled is not None:
            lines.append((start, stalled))
        if resumed is not None and end < job.plan.run_secs:
            lines.append((end, resumed))
        return sorted(lines, key=lambda item: item[0])

    job.write_logs = quieted
    for written in ("script", "_line_times"):  # cached, should they have been read
        job.__dict__.pop(written, None)


def set_timeout(job: Job, timeout_secs: int) -> None:
    """Give `job` a timeout (the Hub echoes it as timeoutSeconds and kills the job there)."""
    job.spec = replace(job.spec, timeout_secs=timeout_secs)
    job.plan = replace(job.plan, timeout_secs=timeout_secs)


def download_bars(secs: float) -> tuple[str, str]:
    """A download bar as it stalls, and as it ends `secs` later."""
    minutes, seconds = divmod(int(secs) + 41, 60)
    return (
        "Downloading data:  37%|███▋      | 11/30 [00:41<01:11,  3.74s/files]",
        f"Downloading data: 100%|██████████| 30/30 [{minutes:02d}:{seconds:02d}<00:00,"
        f" {(secs + 41) / 30:.2f}s/files]",
    )


def feature_history(featured: dict[str, str], jobs: Sequence[Job], now: float) -> None:
    """Of the jobs running at `now` (GPU jobs, never re-queued), the first goes idle
    HISTORY_IDLE_AFTER seconds from `now` for HISTORY_IDLE_FOR seconds, and the second gets a
    timeout whose last 10% begins HISTORY_WARN_AFTER seconds from `now`. Records them in
    `featured`; with fewer running jobs, fewer roles are filled."""
    running = [
        job
        for job in jobs
        if job.state(now).stage == "RUNNING"
        and job.plan.requeue is None
        and job.spec.hardware.gpu_count
    ]
    if running:
        job = running[0]
        start = now - job.plan.started_at + HISTORY_IDLE_AFTER
        end = min(start + HISTORY_IDLE_FOR, job.plan.run_secs)
        stalled, resumed = download_bars(end - start)
        go_idle(job, start, end, stalled=stalled, resumed=resumed)
        featured[IDLE_GPU] = job.id
    if len(running) > 1:
        job = running[1]
        used_at_warning = now - job.plan.started_at + HISTORY_WARN_AFTER
        set_timeout(job, math.ceil(used_at_warning / WARN_SHARE))
        featured[NEAR_TIMEOUT] = job.id
