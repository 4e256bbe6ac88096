"""How a held log line reads: the stamp shown before it, the cells it takes, and finding the
lines a test accepts (with a sieve for the lines a pattern may match)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime

from rich.cells import cell_len

from jobtui.ui.terminal_text import clean_log_line, without_colour

STAMP_MODES = ("off", "absolute", "relative")
STAMP_STYLE = "bright_black"


def stamp_prefix(stamp: float, mode: str, *, origin: float, local: bool) -> str:
    """A line's stamp as the view shows it before the line (blank when it has none)."""
    if mode == "absolute":
        if math.isnan(stamp):
            return " " * 20
        moment = datetime.fromtimestamp(stamp, None if local else UTC)
        return f"{moment:%Y-%m-%d %H:%M:%S} "
    if math.isnan(stamp) or math.isnan(origin):
        return " " * 11
    secs = stamp - origin
    sign = "-" if secs < 0 else "+"
    minutes, seconds = divmod(int(abs(secs)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{sign}{hours}:{minutes:02d}:{seconds:02d}".rjust(10) + " "


def cells(line: str) -> int:
    """The cells a cleaned line takes: colour codes take none; tabs are expanded when drawn
    (widths stay approximate). Printable ASCII, most log lines, is one cell a character:
    Rich's measure would first look each unique line up in (and push it into) its cache."""
    plain = without_colour(line)
    return len(plain) if plain.isascii() and plain.isprintable() else cell_len(plain)


def clean_lines(raw_lines: Sequence[str]) -> tuple[list[str], list[int]]:
    """Lines as the view holds them (cleaned), and the cells each takes."""
    cleaned = [clean_log_line(line) for line in raw_lines]
    return cleaned, list(map(cells, cleaned))


def sieve(lines: list[str], first: int, last: int, hint: re.Pattern[str]) -> Iterator[int]:
    """The indexes in [first, last) of the lines whose colourless lower-case text `hint` finds,
    in order: one search over the joined text, not one per line."""
    text = without_colour("\n".join(lines[first:last])).lower()
    line, counted = first, 0
    seen = -1
    for match in hint.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        if line != seen:
            seen = line
            yield line


def next_match(
    lines: list[str],
    test: Callable[[str], object],
    after: int | None,
    hint: re.Pattern[str] | None = None,
) -> int | None:
    """The first line after `after` (from the top if None) whose text `test` accepts, wrapping
    round once; its index. `hint`: a pattern (lower case) that every line `test` accepts
    contains, to sieve the lines in one pass instead of testing each line."""
    start = 0 if after is None else after + 1
    for first, last in ((start, len(lines)), (0, min(start, len(lines)))):
        if hint is None:
            candidates: Iterable[int] = range(first, last)
        else:
            candidates = sieve(lines, first, last, hint)
        for index in candidates:
            if test(without_colour(lines[index])):
                return index
    return None
