"""A job's log and metrics streams (Server-Sent Events), and how a broken log resumes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import AsyncGenerator, Callable, Hashable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from jobtui.hub.errors import HubError, RateLimitedError, RequestRejected, ServerError
from jobtui.hub.http import (
    NO_FOLLOW_READ_TIMEOUT,
    RETRYABLE,
    STREAM_READ_TIMEOUT,
)
from jobtui.hub.log_events import log_lines, logged_after
from jobtui.hub.models import LogLine
from jobtui.hub.wire import segment, shown

if TYPE_CHECKING:
    from jobtui.hub.client import HubClient

log = logging.getLogger(__name__)

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
) -> AsyncGenerator[LogLine]:
    """Yield a job's log lines one by one (see `stream_log_batches`)."""
    batches = stream_log_batches(
        client, namespace, job_id, tail=tail, follow=follow, on_status=on_status
    )
    async with contextlib.aclosing(batches):
        async for batch in batches:
            for line in batch:
                yield line


async def stream_log_batches(
    client: HubClient,
    namespace: str,
    job_id: str,
    *,
    tail: int | None = None,
    follow: bool = True,
    on_status: StatusCallback | None = None,
) -> AsyncGenerator[list[LogLine]]:
    """Yield a job's log lines, a batch for each read from the Hub (never empty); with
    `follow`, keep going until the job ends.

    A broken stream is reconnected with backoff (after asking whether the job is still
    live) and resumed after the last line yielded, so no line is doubled or skipped.
    Closing the generator (or cancelling its task) closes the connection at once.

    Without `follow`, a read that times out ends the log only while the job is live (the
    Hub has replayed what it has and waits for more); for a finished job it is an error,
    retried and then raised, never an empty or short log. The first `===== Job started`
    marker is dropped as the official client does; a later one (the Hub re-queued the job)
    is yielded, so that the restart shows (`LogLine.is_restart`).
    """
    notify = on_status or (lambda state, detail: None)
    path = f"/api/jobs/{segment(namespace, 'namespace')}/{segment(job_id, 'job')}/logs"
    what = f"job {shown(job_id)}"
    resume = _Resume()
    params: dict[str, Any] = {"tail": tail} if tail is not None else {}
    failures = 0
    while True:
        broken: HubError | None = None
        resume.begin_stream(tail=params.get("tail"))
        meta: dict[str, Any] = {}
        batches = client._event_batches(
            path,
            params,
            what=what,
            meta=meta,
            read_timeout=STREAM_READ_TIMEOUT if follow else NO_FOLLOW_READ_TIMEOUT,
            on_connect=lambda: notify("streaming", ""),
        )
        opening = True
        try:
            async with contextlib.aclosing(batches):
                async for events in batches:
                    lines = log_lines(events)
                    if opening and lines:
                        opening = False
                        if lines[0].is_restart:
                            del lines[0]  # every stream opens with the marker, a tail one too
                    done = False
                    if not follow:
                        answered = meta.get("date")
                        for at, line in enumerate(lines):
                            if logged_after(line, answered):
                                # without follow: what had been logged when the Hub answered
                                del lines[at:]
                                done = True
                                break
                    new = resume.accept_all(lines)
                    if new:
                        failures = 0
                        yield new
                    if done:
                        break
            new = resume.end_of_stream()
            if new:
                yield new
        except RETRYABLE as exc:
            broken = exc
        if broken is None and not follow:
            notify("ended", "")
            return
        # The stream stopped: a clean end for a finished job, or a break to resume.
        asked = True
        try:
            live = (await client.inspect_job(namespace, job_id)).is_live
        except RETRYABLE as exc:
            broken, live, asked = broken or exc, True, False
        if broken is None and not live:
            notify("ended", "")
            return
        if not follow and asked and live and meta.get("timed_out"):
            notify("ended", "")  # a live job's replay is drained: the Hub waits for more
            return
        failures += 1
        if broken is not None and failures > client.retries and (not live or not follow):
            raise broken  # a finished job's log that keeps failing is an error, not a loop
        if isinstance(broken, RateLimitedError) and broken.retry_after is not None:
            if broken.retry_after > client.max_retry_after:
                raise broken  # says when to try again; a shorter wait would only spend budget
            delay = broken.retry_after  # exactly what the Hub asked for
        else:
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
) -> AsyncGenerator[dict[str, Any]]:
    """Yield one metrics sample per second while the job runs; ends when it stops.

    A finished job's metrics answer 406 (older Hubs: 500): no more samples, not an error.
    """
    path = f"/api/jobs/{segment(namespace, 'namespace')}/{segment(job_id, 'job')}/metrics"
    batches = client._event_batches(path, {}, what=f"job {shown(job_id)}")
    try:
        async with contextlib.aclosing(batches):  # closing this closes the response now
            async for events in batches:
                for event in events:
                    if event.event != "metric" or event.cut:
                        continue
                    try:
                        sample = json.loads(event.data)
                    except (ValueError, RecursionError):  # deep nesting is not JSON to us
                        continue
                    if isinstance(sample, dict):
                        yield sample
    except (RequestRejected, ServerError) as exc:
        if exc.status in (406, 500):
            return  # the job has ended: no metrics any more
        raise


Key = tuple[str, datetime | None]


class _Resume:
    """Remembers where a log stream got to, so that a replay yields exactly the lines after it.

    A replay of the whole log is placed by counting, as the official client does: the lines
    of the log already behind us (`index`) are skipped by number, whatever their stamps (they
    may go backwards, repeat, or be missing). After a `tail` stream the place of its lines in
    the whole log is unknown: the replay is then searched for the last lines yielded (text
    and stamp, up to `WINDOW` of them), and what follows their first match is new. The first
    match can only be at or before the true place, so a line is never lost; from there on
    the count is known again.
    """

    WINDOW = 1024
    # Lines newer than what was shown that may come before our place in a replay (stamps
    # jittered backwards). Past this many with no place found, the log changed: they are new.
    GIVE_UP_AFTER = 10_000
    # What a replay without stamps holds back while it searches (only an end decides there).
    MAX_HELD = 200_000

    def __init__(self) -> None:
        self.count = 0  # lines yielded in all
        self.index: int | None = 0  # lines of the whole log behind us; None: not known
        self.position = 0  # lines of the current stream so far
        self._recent: deque[Key] = deque(maxlen=self.WINDOW)
        self._mode = "new"
        self._finder: _Finder | None = None
        # While searching: lines that would be new if our place never shows (the log
        # changed), that is, stamped after the newest line shown (or all, without stamps).
        self._held: deque[LogLine] = deque(maxlen=self.MAX_HELD)
        self._newest: datetime | None = None
        self._stamp: datetime | None = None  # the latest stamp of this stream

    def begin_stream(self, *, tail: int | None = None) -> None:
        """A new connection: `tail` says it asked for the last lines only."""
        self.position = 0
        self._held.clear()
        self._stamp = None
        if self.count == 0:
            # Nothing shown yet: a tail stream's first line is not the log's first.
            self.index = None if tail is not None else 0
            self._mode = "new"
        elif tail is not None or self.index is None:
            self._mode = "find"
        else:
            self._mode = "skip" if self.index else "new"
        if self._mode == "find":
            self._finder = _Finder(list(self._recent))
            self._newest = max((s for _, s in self._recent if s is not None), default=None)
        else:
            self._finder = None

    def accept(self, line: LogLine) -> list[LogLine]:
        """The lines to yield now, given the next line of the current stream."""
        self.position += 1
        key = (line.text, line.timestamp)
        if self._mode == "new":
            self._record(key)
            return [line]
        if self._mode == "skip":
            assert self.index is not None
            if self.position == self.index:
                self._mode = "new"
                if self._recent and key != self._recent[-1]:
                    log.warning("a log replay differs from what was shown; resuming by count")
            return []
        assert self._finder is not None
        if self._finder.step(key):
            self.index, self._mode = self.position, "new"
            self._held.clear()
            return []
        # A line without a stamp is taken to be stamped like the one before it.
        self._stamp = line.timestamp or self._stamp
        if self._newest is None:
            self._held.append(line)
        elif self._stamp is not None and self._stamp > self._newest:
            self._held.append(line)
            if len(self._held) > self.GIVE_UP_AFTER:
                return self._give_up()
        return []

    def accept_all(self, lines: list[LogLine]) -> list[LogLine]:
        """`accept` for each of a batch of lines: what to yield now, in order."""
        if self._mode == "new":  # past our place: all of them, counted in one go
            count = len(lines)
            self.position += count
            self.count += count
            if self.index is not None:
                self.index += count
            self._recent.extend((line.text, line.timestamp) for line in lines[-self.WINDOW :])
            return lines
        out: list[LogLine] = []
        for at, line in enumerate(lines):
            out.extend(self.accept(line))
            if self._mode == "new":  # our place found (or given up on): the rest are new
                return out + self.accept_all(lines[at + 1 :])
        return out

    def end_of_stream(self) -> list[LogLine]:
        """Lines held back that turn out to be new when a stream ends cleanly."""
        if self._mode == "find" and self._held:
            return self._give_up()
        return []

    def _give_up(self) -> list[LogLine]:
        """The replay never showed our place: the log changed. What is newer than what was
        shown is new (a log without stamps: all of it)."""
        log.warning("a log replay does not hold the lines shown; showing what is newer")
        fresh = list(self._held)
        self._held.clear()
        self._mode, self.index = "new", None
        for line in fresh:
            self._record((line.text, line.timestamp))
        return fresh

    def _record(self, key: Key) -> None:
        self.count += 1
        if self.index is not None:
            self.index += 1
        self._recent.append(key)


class _Finder:
    """Where a sequence first ends in a stream of items (Knuth-Morris-Pratt: O(1) a step)."""

    def __init__(self, pattern: Sequence[Hashable]) -> None:
        self.pattern = pattern
        self.k = 0
        self.fail = [0] * len(pattern)
        k = 0
        for i in range(1, len(pattern)):
            while k and pattern[i] != pattern[k]:
                k = self.fail[k - 1]
            if pattern[i] == pattern[k]:
                k += 1
            self.fail[i] = k

    def step(self, item: Hashable) -> bool:
        pattern, k = self.pattern, self.k
        if not pattern:
            return False
        while k and pattern[k] != item:
            k = self.fail[k - 1]
        if pattern[k] == item:
            k += 1
        if k == len(pattern):
            self.k = self.fail[k - 1]
            return True
        self.k = k
        return False
