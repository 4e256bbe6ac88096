"""LogFeed: the lines of one job's log, from the Hub, for whoever shows them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from jobtui.hub.models import JobInfo, JobStage

LOG_TAIL_LINES = 1_000

StatusCallback = Callable[[str, str], None]


class LogSource(Protocol):
    """The part of the Hub client that streams a log."""

    def stream_logs(
        self, namespace: str, job_id: str, *, tail: int | None = ..., on_status: Any = ...
    ) -> AsyncIterator[Any]: ...


@dataclass
class LogFeed:
    """Opens the tail of a job's log and follows it until the job ends."""

    source: LogSource
    tail: int = LOG_TAIL_LINES

    async def lines(self, job: JobInfo, on_status: StatusCallback) -> AsyncIterator[str]:
        async for line in self.source.stream_logs(
            job.owner.name, job.id, tail=self.tail, on_status=on_status
        ):
            yield line.text


def waiting_note(job: JobInfo) -> str:
    """What an empty log means before the first line comes."""
    return "waiting for the job to start" if job.status.stage == JobStage.SCHEDULING else ""
