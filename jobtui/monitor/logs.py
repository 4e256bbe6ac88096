"""LogFeed: the lines of one job's log, from the Hub, for whoever shows them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from jobtui.hub.models import JobInfo, JobStage
from jobtui.monitor.log_lines import NO_STAMP

LOG_TAIL_LINES = 1_000

StatusCallback = Callable[[str, str], None]
Batch = tuple[list[str], list[float]]
"""Log lines as shown, and their Hub stamps in seconds (NO_STAMP for a line without one)."""


class LogSource(Protocol):
    """The part of the Hub client that streams a log."""

    def stream_log_batches(
        self,
        namespace: str,
        job_id: str,
        *,
        tail: int | None = ...,
        follow: bool = ...,
        on_status: Any = ...,
    ) -> AsyncIterator[list[Any]]: ...

    def stream_logs(
        self,
        namespace: str,
        job_id: str,
        *,
        tail: int | None = ...,
        follow: bool = ...,
        on_status: Any = ...,
    ) -> AsyncIterator[Any]: ...


@dataclass
class LogFeed:
    """Opens the tail of a job's log and follows it until the job ends; or the whole log."""

    source: LogSource
    tail: int = LOG_TAIL_LINES

    async def batches(
        self, job: JobInfo, on_status: StatusCallback, *, whole: bool = False
    ) -> AsyncIterator[Batch]:
        """The tail (or with `whole`, the whole log from its first line: one stream, no
        `tail`), followed while the job is live; a batch for each read from the Hub."""
        async for lines in self.source.stream_log_batches(
            job.owner.name,
            job.id,
            tail=None if whole else self.tail,
            follow=job.is_live or not whole,
            on_status=on_status,
        ):
            texts = [
                restart_separator(line) if getattr(line, "is_restart", False) else line.text
                for line in lines
            ]
            yield texts, [_seconds(line) for line in lines]

    async def whole(self, job: JobInfo) -> AsyncIterator[Any]:
        """Every line the Hub has of the log now, as it sends them (`LogLine`s): one stream
        without `tail`, not followed."""
        async for line in self.source.stream_logs(job.owner.name, job.id, follow=False):
            yield line


def _seconds(line: Any) -> float:
    stamp = getattr(line, "timestamp", None)
    return stamp.timestamp() if stamp is not None else NO_STAMP


# Bold yellow, so a restart stands out in the log (the view keeps SGR colours).
RESTART_STYLE = "\x1b[1;33m"
RESET = "\x1b[0m"


def restart_separator(line: Any) -> str:
    """The Hub's second `===== Job started … =====`: the job was re-queued (a node lost) and
    began again. Said plainly, as a line nobody can miss."""
    stamp = line.timestamp
    when = f" at {stamp:%H:%M:%S} UTC" if stamp is not None else ""
    return f"{RESTART_STYLE}──── restarted{when} (re-queued: started again) ────{RESET}"


def waiting_note(job: JobInfo) -> str:
    """What an empty log means before the first line comes."""
    return "waiting for the job to start" if job.status.stage == JobStage.SCHEDULING else ""


# What a failure looks like in a log, first match wins. One table: add a line to teach it more.
FAILURE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a Python traceback", re.compile(r"^Traceback \(most recent call last\):")),
    ("CUDA out of memory", re.compile(r"CUDA out of memory|OutOfMemoryError")),
    ("killed", re.compile(r"(^|\s)Killed(\s|$)|\bOOMKilled\b")),
    ("an error", re.compile(r"\bERROR\b|\b[A-Z]\w*Error:|^Error:")),
    ("a non-zero exit", re.compile(r"exit(ed)?( with)?( status| code)? [1-9]\d*\b", re.I)),
)


# Every line a pattern above matches holds one of these words (in lower case): a quick sieve
# over a whole buffer before the patterns run. Add the word when you add a pattern.
FAILURE_HINT = re.compile(r"traceback|out of memory|killed|error|exit")


def failure_kind(line: str) -> str | None:
    """Which failure pattern a (colourless) log line matches, if any."""
    for kind, pattern in FAILURE_PATTERNS:
        if pattern.search(line):
            return kind
    return None
