"""What a stage change says in a notification (one per job, or one for a burst), what an
idle GPU job's does, and a job near its timeout's."""

from __future__ import annotations

from collections.abc import Sequence

from msgspec import Struct

from jobtui.hub.models import JobInfo, JobStage
from jobtui.monitor.costs import TimeLeft
from jobtui.monitor.idle import IdleSettings, IdleStretch
from jobtui.monitor.store import StageChange
from jobtui.ui.format import long_duration, money
from jobtui.ui.terminal_text import clean_text

MAX_SINGLE_NOTICES = 1
NAMES_IN_A_SUMMARY = 3


class Notice(Struct, frozen=True):
    message: str
    failed: bool


def stage_notices(changes: Sequence[StageChange]) -> list[Notice]:
    """One notice per change, or a single summary when a burst came at once (a first poll
    after a while offline, say)."""
    if len(changes) > MAX_SINGLE_NOTICES:
        by_stage: dict[str, list[str]] = {}
        for change in changes:
            name = clean_text(change.job.display_name, max_length=30)
            by_stage.setdefault(clean_text(change.after).lower(), []).append(name)
        parts = []
        for stage, names in sorted(by_stage.items(), key=lambda item: -len(item[1])):
            shown = ", ".join(names[:NAMES_IN_A_SUMMARY])
            more = len(names) - NAMES_IN_A_SUMMARY
            parts.append(
                f"{len(names)} {stage}: {shown}" + (f" and {more} more" if more > 0 else "")
            )
        failed = any(change.after == JobStage.ERROR for change in changes)
        return [Notice("; ".join(parts), failed=failed)]
    notices = []
    for change in changes:
        job = change.job
        name = clean_text(job.display_name, max_length=40)
        message = (
            f"{name}: {clean_text(change.before).lower()} → {clean_text(change.after).lower()}"
        )
        if job.status.message:
            message += f" — {clean_text(job.status.message, max_length=120)}"
        notices.append(Notice(message, failed=change.after == JobStage.ERROR))
    return notices


def idle_notice(job: JobInfo | None, stretch: IdleStretch, settings: IdleSettings) -> str:
    """Said once when a GPU job's idle stretch reaches the window: what it has cost so far."""
    name = clean_text(job.display_name, max_length=40) if job is not None else stretch.job_id
    gpus = "its GPU has" if stretch.gpus == 1 else f"its {stretch.gpus} GPUs have"
    cost = (
        f"{money(stretch.cost)} spent while idle ({money(stretch.price_per_hour)}/h)"
        if stretch.cost is not None
        else "its price is unknown"
    )
    return (
        f"Idle GPU: {name}: {gpus} sat under {settings.gpu_percent:g}% for "
        f"{long_duration(stretch.seconds)}; {cost}. Stuck? c cancels it."
    )


def timeout_notice(job: JobInfo, left: TimeLeft) -> str:
    return (
        f"{clean_text(job.display_name, max_length=40)} has used {left.used:.0%} of its "
        f"{long_duration(left.limit)} timeout: {long_duration(left.left)} left before "
        "the Hub stops it."
    )
