"""Saving a job's whole log to a file: fetched from the Hub (not what a pane holds), as plain
text with each line's timestamp; the file is written off the UI's thread."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from jobtui.hub.models import JobInfo
from jobtui.monitor.logs import LogFeed

WRITE_EVERY_LINES = 5_000


def default_log_path(job: JobInfo) -> Path:
    """`./<job-name>-<id8>.log`, or `./<id>.log` for a job without a name; whatever a file
    name cannot hold becomes `-`."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", job.name or "").strip(".-")[:80]
    return Path(f"{name}-{job.id[:8]}.log" if name else f"{job.id}.log")


def stamped(text: str, stamp: datetime | None) -> str:
    """One line of the file: the Hub's timestamp (UTC, to the millisecond), then the text."""
    if stamp is None:
        return text
    return f"{stamp:%Y-%m-%dT%H:%M:%S}.{stamp.microsecond // 1000:03d}Z {text}"


async def save_log(
    feed: LogFeed,
    job: JobInfo,
    path: Path,
    clean: Callable[[str], str],
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Write the job's whole log to `path`, which must not exist yet (never overwritten);
    returns the lines written. `clean` turns a line into plain text (no escapes). On any
    failure (or cancel) the partial file is removed and the error raised."""
    out: IO[str] = await asyncio.to_thread(path.open, "x", encoding="utf-8", newline="\n")
    written = 0
    batch: list[Any] = []

    def write(lines: list[Any]) -> None:
        out.write("".join(stamped(clean(line.text), line.timestamp) + "\n" for line in lines))

    try:
        async for line in feed.whole(job):
            batch.append(line)
            if len(batch) >= WRITE_EVERY_LINES:
                await asyncio.to_thread(write, batch)
                written += len(batch)
                batch = []
                if on_progress is not None:
                    on_progress(written)
        await asyncio.to_thread(write, batch)
        written += len(batch)
        await asyncio.to_thread(out.close)
    except BaseException:
        out.close()
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    return written
