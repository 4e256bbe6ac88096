"""A job's log and metrics streams (Server-Sent Events), and how a broken log resumes."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from jobtui.hub.errors import ServerError
from jobtui.hub.http import (
    NO_FOLLOW_READ_TIMEOUT,
    RETRYABLE,
    STREAM_READ_TIMEOUT,
)
from jobtui.hub.models import LogLine, parse_timestamp

if TYPE_CHECKING:
    from jobtui.hub.client import HubClient

JOB_STARTED_MARKER = "===== Job started"
StatusCallback = Callable[[str, str], None]
"""on_status(state, detail): state is "streaming", "reconnecting" or "ended"."""


async def stream_logs(
    client: HubClient,
    namespace: str,
    job_id: str,
    *,
    tail: int | None = None,
    follow: bool = True,
    on_status: StatusCallback | None = None,
) -> AsyncIterator[LogLine]:
    """Yield a job's log lines; with `follow`, keep going until the job ends.

    A broken stream is reconnected with backoff (after asking whether the job is still
    live) and resumed after the last line yielded, so no line is doubled or skipped.
    Closing the generator (or cancelling its task) closes the connection at once.
    """
    notify = on_status or (lambda state, detail: None)
    path = f"/api/jobs/{namespace}/{job_id}/logs"
    resume = _Resume()
    params: dict[str, Any] = {"tail": tail} if tail is not None else {}
    failures = 0
    while True:
        broken: Exception | None = None
        resume.begin_stream()
        meta: dict[str, Any] = {}
        events = client._events(
            path,
            params,
            what=f"job {job_id}",
            meta=meta,
            read_timeout=STREAM_READ_TIMEOUT if follow else NO_FOLLOW_READ_TIMEOUT,
            on_connect=lambda: notify("streaming", ""),
        )
        try:
            async with contextlib.aclosing(events):
                async for event in events:
                    if event.event not in ("message", ""):
                        continue
                    line = _log_line(event.data)
                    if line is None or line.text.startswith(JOB_STARTED_MARKER):
                        continue
                    if not follow and _after(line, meta.get("date")):
                        break  # without follow: what had been logged when the Hub answered
                    for new in resume.accept(line):
                        failures = 0
                        yield new
            for new in resume.end_of_stream():
                yield new
        except RETRYABLE as exc:
            broken = exc
        if not follow:
            # Without follow, a silent live job ends the read after a short wait.
            if broken is not None and not meta.get("timed_out"):
                raise broken
            notify("ended", "")
            return
        # The stream stopped: a clean end for a finished job, or a break to resume.
        try:
            job = await client.inspect_job(namespace, job_id)
            live = job.is_live
        except RETRYABLE as exc:
            broken, live = broken or exc, True
        if not live and broken is None:
            notify("ended", "")
            return
        failures += 1
        delay = client._delay(failures)
        detail = str(broken) if broken else "the stream closed before the job ended"
        notify("reconnecting", f"{detail}; retrying in {delay:.0f} s")
        await asyncio.sleep(delay)
        # Once lines have come, replay everything and skip what was already seen: a
        # second `tail` could leave a gap if many lines arrived in between.
        if resume.count:
            params = {}


async def stream_metrics(
    client: HubClient, namespace: str, job_id: str
) -> AsyncIterator[dict[str, Any]]:
    """Yield one metrics sample per second while the job runs; ends when it stops."""
    path = f"/api/jobs/{namespace}/{job_id}/metrics"
    events = client._events(path, {}, what=f"job {job_id}")
    try:
        async with contextlib.aclosing(events):  # closing this closes the response now
            async for event in events:
                if event.event != "metric":
                    continue
                try:
                    sample = event.json()
                except ValueError:
                    continue
                if isinstance(sample, dict):
                    yield sample
    except ServerError:
        return  # the Hub answers 500 once the job has finished: no more samples


class _Resume:
    """Remembers where a log stream got to, so that a replay yields exactly the lines after it.

    Log timestamps never go backwards. A line without one is taken to be stamped like the line
    before it in the same stream (a log with none at all is one long instant). On a replay,
    lines older than the last one yielded are skipped; lines stamped that same instant are held
    until the run of them already yielded is found among them, and only what follows that run
    is let through. This works for a replay of everything after a `tail` stream, too.
    """

    MAX_RUN = 50_000

    def __init__(self) -> None:
        self.count = 0
        self.last: datetime | None = None
        self.run: list[str] = []  # texts yielded with the stamp `last`, in order
        self._replaying = False
        self._stamp: datetime | None = None  # the stamp of the stream's latest line
        self._held: list[LogLine] = []

    def begin_stream(self) -> None:
        self._replaying = self.count > 0
        self._stamp = None
        self._held = []

    def accept(self, line: LogLine) -> list[LogLine]:
        """The lines to yield now, given the next line of the current stream."""
        stamp = self._stamp = line.timestamp or self._stamp
        if not self._replaying:
            self._record(line, stamp)
            return [line]
        if stamp is not None and self.last is not None and stamp < self.last:
            return []
        if stamp == self.last:
            self._held.append(line)
            # As soon as the whole run has gone by, what follows it is new.
            width, held = len(self.run), self._held
            # The cheap test first: the window is only compared when its last line fits.
            if (
                len(held) > width
                and held[-2].text == self.run[-1]
                and [h.text for h in held[-1 - width : -1]] == self.run
            ):
                return self._catch_up(held[-1:], stamp)
            return []
        return self._catch_up([*self._after_run(), line], stamp)

    def end_of_stream(self) -> list[LogLine]:
        """Held lines that turned out to be new when a stream ends cleanly."""
        if not self._replaying or not self._held:
            return []
        return self._catch_up(self._after_run(), self.last)

    def _after_run(self) -> list[LogLine]:
        held, run = self._held, self.run
        texts = [line.text for line in held]
        width = len(run)
        for end in range(width, len(texts) + 1):
            if texts[end - width : end] == run:
                return held[end:]
        return held[width:]  # the run was not found whole: trust its length

    def _catch_up(self, lines: list[LogLine], stamp: datetime | None) -> list[LogLine]:
        self._replaying = False
        self._held = []
        for line in lines:
            self._record(line, line.timestamp or stamp)
        return lines

    def _record(self, line: LogLine, stamp: datetime | None) -> None:
        self.count += 1
        if stamp == self.last and self.count > 1:
            if len(self.run) < self.MAX_RUN:
                self.run.append(line.text)
        else:
            self.last, self.run = stamp, [line.text]


def _log_line(data: str) -> LogLine | None:
    try:
        event = json.loads(data)
    except ValueError:
        return LogLine(text=data, timestamp=None)  # not JSON: show it as it came
    if not isinstance(event, dict):
        return None
    text = event.get("data")
    return LogLine(
        text=text if isinstance(text, str) else "" if text is None else str(text),
        timestamp=parse_timestamp(event.get("timestamp")),
    )


def _after(line: LogLine, answered_at: datetime | None) -> bool:
    """Whether a line was logged after the Hub answered (its Date header has 1 s steps)."""
    if answered_at is None or line.timestamp is None:
        return False
    return (line.timestamp - answered_at).total_seconds() > 1.0
