"""A Server-Sent Events parser that never gives up on a stream because of one huge line.

Lines end at CR, LF or CRLF only (as the SSE spec says; JSON may carry U+2028 unescaped).
A line longer than `LINE_CAP` bytes keeps its first `LINE_CAP` bytes and its last
`TAIL_KEEP` bytes (where a log event's timestamp sits); the middle is dropped as it arrives,
so memory stays bounded whatever the server sends. The event is marked `cut`.
"""

from __future__ import annotations

from typing import NamedTuple

LINE_CAP = 1024 * 1024
TAIL_KEEP = 4096
# An event of many data lines is bounded too: past this, its further lines are dropped.
MAX_EVENT_BYTES = 16 * 1024 * 1024


class Event(NamedTuple):
    """One event (a tuple: a log firehose makes tens of thousands a second)."""

    event: str
    data: str
    cut: bool = False
    tail: str = ""  # the last bytes of a cut line, decoded


class SSEParser:
    """Feed it bytes as they come; it returns the events completed so far."""

    def __init__(self) -> None:
        self._line = bytearray()  # the current line's first LINE_CAP bytes
        self._tail = b""  # ... and its last TAIL_KEEP bytes past the cap
        self._line_cut = False
        self._after_cr = False  # the last chunk ended with CR: a leading LF belongs to it
        self._name = ""
        self._data: list[str] = []
        self._size = 0
        self._cut = False
        self._cut_tail = ""
        self._pending = False

    def feed(self, chunk: bytes) -> list[Event]:
        events: list[Event] = []
        if self._after_cr and chunk.startswith(b"\n"):
            chunk = chunk[1:]
        self._after_cr = chunk.endswith(b"\r")
        if b"\r" not in chunk:
            self._feed_lf(chunk, events)
            return events
        for piece in chunk.splitlines(keepends=True):
            ended = piece.endswith((b"\n", b"\r"))
            body = piece.rstrip(b"\r\n") if ended else piece
            if ended and not self._line and not self._line_cut and len(body) <= LINE_CAP:
                event = self._field(body, False, b"")  # the common case: a whole line
            else:
                self._grow(body)
                if not ended:
                    continue
                event = self._field(bytes(self._line), self._line_cut, self._tail)
                self._line, self._tail, self._line_cut = bytearray(), b"", False
            if event is not None:
                events.append(event)
        return events

    def _feed_lf(self, chunk: bytes, events: list[Event]) -> None:
        """`feed` for a chunk whose lines all end in LF (what servers send): the same events,
        with the usual `data: ...` line and the blank line after it read inline (a log
        firehose is tens of thousands of them a second)."""
        lines = chunk.split(b"\n")
        rest = lines.pop()  # after the last LF: the start of a line still coming
        if lines and (self._line or self._line_cut):  # a line begun in an earlier chunk ends
            self._grow(lines[0])
            event = self._field(bytes(self._line), self._line_cut, self._tail)
            self._line, self._tail, self._line_cut = bytearray(), b"", False
            if event is not None:
                events.append(event)
            lines = lines[1:]
        data = self._data
        for body in lines:
            if not body:
                if len(data) == 1 and not (self._name or self._cut):  # one data line
                    events.append(Event("message", data[0]))
                    data.clear()
                    self._size, self._pending = 0, False
                elif self._pending:
                    events.append(self._dispatch())  # type: ignore[arg-type]
                    data = self._data
            elif (
                body[:6] == b"data: "
                and len(body) <= LINE_CAP
                and self._size + len(body) <= MAX_EVENT_BYTES
            ):
                self._pending = True
                self._size += len(body)
                data.append(body[6:].decode("utf-8", "replace"))
            elif len(body) <= LINE_CAP:
                event = self._field(body, False, b"")
                if event is not None:
                    events.append(event)
            else:
                self._grow(body)
                event = self._field(bytes(self._line), self._line_cut, self._tail)
                self._line, self._tail, self._line_cut = bytearray(), b"", False
                if event is not None:
                    events.append(event)
        if rest:
            self._grow(rest)

    def _grow(self, body: bytes) -> None:
        room = LINE_CAP - len(self._line)
        if len(body) <= room:
            self._line += body
            return
        self._line += body[:room]
        self._line_cut = True
        self._tail = (self._tail + body[room:])[-TAIL_KEEP:]

    def _field(self, raw: bytes, cut: bool, tail: bytes) -> Event | None:
        if not raw and not cut:
            return self._dispatch()
        if raw.startswith(b":"):
            return None  # a comment: the keep-alive
        line = raw.decode("utf-8", "replace")
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._pending = True
            if self._size + len(raw) > MAX_EVENT_BYTES:
                self._cut = True
                return None
            self._size += len(raw)
            self._data.append(value)
            if cut:
                self._cut = True
                self._cut_tail = tail.decode("utf-8", "replace")
        elif name == "event":
            self._name = value
            self._pending = True
        return None

    def _dispatch(self) -> Event | None:
        if not self._pending:
            return None
        event = Event(self._name or "message", "\n".join(self._data), self._cut, self._cut_tail)
        self._name, self._data, self._size = "", [], 0
        self._cut, self._cut_tail, self._pending = False, "", False
        return event
