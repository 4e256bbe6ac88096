"""A log stream's events read as log lines: the JSON of each event, a line cut at 1 MB, and
which lines were logged after the Hub answered."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from jobtui.hub.models import LogLine, parse_timestamp
from jobtui.hub.sse import Event

CUT_NOTE = " … [line cut at 1 MB]"

# The JSON scanner itself: one C call a line where json.loads costs a few Python calls more.
# (Its type is not in the stubs: it takes the text and where to start, and returns the value
# and where it ended, or raises StopIteration.)
_scan_json: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def log_lines(events: list[Event]) -> list[LogLine]:
    """The log lines among a batch of events, in order."""
    lines = []
    for event in events:
        if event.event not in ("message", ""):
            continue
        line = _plain_line(event.data) if not event.cut else None
        if line is None:
            line = _log_line(event)  # anything but one JSON object: the careful way
        if line is not None:
            lines.append(line)
    return lines


def _plain_line(data: str) -> LogLine | None:
    """The usual event, read fast: one JSON object and nothing around it (else None)."""
    try:
        payload, end = _scan_json(data, 0)
    except (StopIteration, ValueError, RecursionError):
        return None
    if end != len(data) or not isinstance(payload, dict):
        return None
    return _from_payload(payload)


def _log_line(event: Event) -> LogLine | None:
    if event.cut:
        return _cut_line(event.data, event.tail)
    try:
        payload = json.loads(event.data)
    except (ValueError, RecursionError):  # deep nesting is not JSON to us
        return LogLine(text=event.data, timestamp=None)  # not JSON: show it as it came
    if not isinstance(payload, dict):
        return None
    return _from_payload(payload)


def _from_payload(payload: dict[str, Any]) -> LogLine:
    text = payload.get("data")
    return LogLine(
        text=text if isinstance(text, str) else "" if text is None else str(text),
        timestamp=parse_timestamp(payload.get("timestamp")),
    )


_DATA_START = re.compile(r'\s*\{\s*"data"\s*:\s*"')
_STAMP = re.compile(r'"timestamp"\s*:\s*"([^"\\]{1,64})"')


def _cut_line(head: str, tail: str) -> LogLine:
    """A log event too long to keep: the start of its text, a note, and its stamp (read
    from the event's last bytes, where the Hub puts it)."""
    start = _DATA_START.match(head)
    text = head
    if start is not None:
        fragment = head[start.end() :]
        try:  # the text ended within what was kept
            text = json.JSONDecoder().raw_decode('"' + fragment)[0]
        except ValueError:
            # cut inside the string, maybe inside an escape: drop up to one escape's length
            for trim in range(0, 12):
                try:
                    text = json.loads('"' + fragment[: len(fragment) - trim] + '"')
                    break
                except ValueError:
                    continue
    stamp = _STAMP.search(tail) or _STAMP.search(head[-4096:])
    return LogLine(text + CUT_NOTE, parse_timestamp(stamp.group(1)) if stamp else None)


def logged_after(line: LogLine, answered_at: datetime | None) -> bool:
    """Whether a line was logged after the Hub answered (its Date header has 1 s steps)."""
    if answered_at is None or line.timestamp is None:
        return False
    return (line.timestamp - answered_at).total_seconds() > 1.0
