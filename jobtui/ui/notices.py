"""What a stage change says in a notification: one per job, or one for a burst."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from jobtui.hub.models import JobStage
from jobtui.monitor.store import StageChange
from jobtui.ui.terminal_text import clean_text

MAX_SINGLE_NOTICES = 3


@dataclass(frozen=True)
class Notice:
    message: str
    failed: bool


def stage_notices(changes: Sequence[StageChange]) -> list[Notice]:
    """One notice per change, or a single summary when a burst came at once (a first poll
    after a while offline, say)."""
    if len(changes) > MAX_SINGLE_NOTICES:
        stages = Counter(str(change.after).lower() for change in changes)
        summary = ", ".join(f"{count} {stage}" for stage, count in stages.most_common())
        return [
            Notice(
                f"{len(changes)} jobs changed stage: {clean_text(summary)}",
                failed=stages.get("error", 0) > 0,
            )
        ]
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
