"""LogLines: the lines a log pane holds, bounded, with each line's Hub timestamp.

Following a tail, the oldest lines go first. Holding a whole log (`keep_head`), the first
half of the room is kept for the start of the log and the lines dropped are those from the
middle, so the first error and the end both stay reachable.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterator, Sequence

NO_STAMP = math.nan
"""The stamp of a line that came without one."""


class LogLines:
    """Up to `cap` lines, each with its stamp (seconds since the epoch, NO_STAMP if none).

    Texts sit in plain lists (a pointer a line); stamps in arrays of doubles (8 bytes a line):
    a float object each would cost 32.
    """

    def __init__(self, cap: int, *, keep_head: bool = False) -> None:
        self.cap = max(1, cap)
        self.reset(keep_head=keep_head)

    def reset(self, *, keep_head: bool = False) -> None:
        """Empty; `keep_head`: a whole log, whose start is kept when the middle must go."""
        self.keep_head = keep_head
        self.head_cap = self.cap // 2 if keep_head and self.cap > 1 else 0
        self.ring_cap = self.cap - self.head_cap
        self._head: list[str] = []
        self._head_stamps = array("d")
        self._ring: list[str] = []
        self._ring_stamps = array("d")
        self._head_widths = array("I")
        self._ring_widths = array("I")
        self._start = 0  # index in _ring of the oldest ring line, once the ring is full
        self.dropped = 0  # lines that had to go (from the top, or from the middle)

    def __len__(self) -> int:
        return len(self._head) + len(self._ring)

    @property
    def head_len(self) -> int:
        """Lines at the top that never move (a whole log's start)."""
        return len(self._head)

    def __getitem__(self, index: int) -> str:
        head = self._head
        if index < len(head):
            return head[index]
        ring = self._ring
        return ring[(self._start + index - len(head)) % len(ring)]

    def stamp(self, index: int) -> float:
        head = self._head
        if index < len(head):
            return self._head_stamps[index]
        return self._ring_stamps[(self._start + index - len(head)) % len(self._ring)]

    def width(self, index: int) -> int:
        """The cells a line takes on screen (without a stamp)."""
        head = self._head
        if index < len(head):
            return self._head_widths[index]
        return self._ring_widths[(self._start + index - len(head)) % len(self._ring)]

    def widths(self) -> list[int]:
        """Every line's width, in order."""
        ring, at = self._ring_widths, self._start
        return [*self._head_widths, *ring[at:], *ring[:at]]

    def key(self, index: int) -> int:
        """A number for a line that stays the same while it is held (lines above it may go)."""
        return index if index < len(self._head) else index + self.dropped

    def texts(self, start: int = 0) -> list[str]:
        """The lines from `start` on, in order."""
        head = self._head
        out = head[start:] if start < len(head) else []
        # The ring in order is ring[at:] + ring[:at]; only the part asked for is copied (a
        # search takes in each flush's few new lines of up to 200,000 held).
        ring, at = self._ring, self._start
        skip = max(0, start - len(head))
        if skip < len(ring) - at:
            out.extend(ring[at + skip :])
            out.extend(ring[:at])
        else:
            out.extend(ring[skip - (len(ring) - at) : at])
        return out

    def __iter__(self) -> Iterator[str]:
        return iter(self.texts())

    def extend(self, texts: Sequence[str], stamps: Sequence[float], widths: Sequence[int]) -> int:
        """Append lines (with their stamps and widths); returns how many held lines had to go
        for them."""
        texts_at = 0
        count = len(texts)
        if len(self._head) < self.head_cap:
            take = min(count, self.head_cap - len(self._head))
            self._head.extend(texts[:take])
            self._head_stamps.extend(stamps[:take])
            self._head_widths.extend(widths[:take])
            texts_at = take
        if texts_at >= count:
            return 0
        ring, ring_stamps, cap = self._ring, self._ring_stamps, self.ring_cap
        ring_widths = self._ring_widths
        before = self.dropped
        if count - texts_at > cap:  # more than the ring holds: the first of them go unseen
            skipped = count - texts_at - cap
            self.dropped += len(ring) + skipped
            ring.clear()
            del ring_stamps[:]
            del ring_widths[:]
            self._start = 0
            texts_at += skipped
        room = cap - len(ring)
        if room:
            take = min(room, count - texts_at)
            ring.extend(texts[texts_at : texts_at + take])
            ring_stamps.extend(stamps[texts_at : texts_at + take])
            ring_widths.extend(widths[texts_at : texts_at + take])
            texts_at += take
        start = self._start
        while texts_at < count:  # full: overwrite the oldest, a slice at a time
            take = min(count - texts_at, cap - start)
            end = texts_at + take
            ring[start : start + take] = texts[texts_at:end]
            ring_stamps[start : start + take] = array("d", stamps[texts_at:end])
            ring_widths[start : start + take] = array("I", widths[texts_at:end])
            start = (start + take) % cap
            self.dropped += take
            texts_at = end
        self._start = start
        return self.dropped - before

    def first_stamp(self) -> float:
        """The first line's stamp that is known (NO_STAMP if none is)."""
        for index in range(min(len(self), 1000)):
            stamp = self.stamp(index)
            if not math.isnan(stamp):
                return stamp
        return NO_STAMP
