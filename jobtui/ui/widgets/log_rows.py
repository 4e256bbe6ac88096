"""The log view's rows: where each held line starts when long lines wrap (a row map kept as
lines come and go, so a write counts only its new lines), and the lines already drawn."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

from textual.strip import Strip


def rows_of(width: int, prefix: int, wrap_width: int) -> int:
    """The rows a line of `width` cells takes after a stamp of `prefix` cells (1 when empty)."""
    return max(1, -(-(width + prefix) // wrap_width))


class WrapRows:
    """The row after each held line's last one, counted from `base` (the rows of lines that
    left the top since the whole buffer was counted)."""

    def __init__(self) -> None:
        self.ends: list[int] = []
        self.base = 0
        self.width = 0  # the wrap width the ends were counted for

    def clear(self) -> None:
        self.ends = []
        self.base = 0

    @property
    def rows(self) -> int:
        return self.ends[-1] - self.base if self.ends else 0

    def count(self, widths: Sequence[int], prefix: int, width: int) -> None:
        """Count the whole buffer again."""
        self.width = width
        self.base = 0
        self.ends = list(accumulate(rows_of(w, prefix, width) for w in widths))

    def more(
        self, widths: Sequence[int], overflow: int, prefix: int, width: int, held: int
    ) -> bool:
        """Lines were added at the end (`widths`) and `overflow` left the top: the lines gone
        leave (their rows become the base), the new ones are counted on. False when this
        cannot be done (another width, lines dropped mid-buffer): count the whole again."""
        ends = self.ends
        if width != self.width or len(ends) + len(widths) - overflow != held:
            return False
        if overflow:
            self.base = ends[overflow - 1]
            del ends[:overflow]
        last = ends[-1] if ends else self.base
        for w in widths:
            last += rows_of(w, prefix, width)
            ends.append(last)
        return True

    def row_of(self, index: int) -> int:
        """The first row line `index` is drawn on."""
        return self.ends[index - 1] - self.base if index > 0 else 0

    def line_at(self, row: int) -> int:
        """The line drawn on `row` (the last line for rows past the end)."""
        return min(bisect_right(self.ends, row + self.base), len(self.ends) - 1)

    def line_on(self, row: int) -> int:
        """The line drawn on `row`, unclamped (len(ends) past the end)."""
        return bisect_right(self.ends, row + self.base)


class DrawnLines:
    """Lines already drawn, kept for redraws (by a key that stays with the line), oldest
    first. Bounded by the cells they hold (a few 25k-character lines weigh more than
    thousands of short ones) and by their count: a followed firehose draws each line once, and
    every drawn line kept is garbage the collector scans again and again (with thousands kept,
    a full collection of ~70 ms came every 2 s)."""

    def __init__(self, max_lines: int = 400, max_cells: int = 1_000_000) -> None:
        self.max_lines = max_lines
        self.max_cells = max_cells
        self._strips: dict[int, Strip] = {}
        self._cells = 0

    def get(self, key: int) -> Strip | None:
        return self._strips.get(key)

    def keep(self, key: int, strip: Strip) -> None:
        strips = self._strips
        strips[key] = strip
        self._cells += strip.cell_length
        while len(strips) > self.max_lines or self._cells > self.max_cells:
            self._cells -= strips.pop(next(iter(strips))).cell_length

    def clear(self) -> None:
        self._strips.clear()
        self._cells = 0
