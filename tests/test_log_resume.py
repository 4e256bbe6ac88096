"""Resuming a log after a broken stream: every line once, none skipped, whatever the stamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jobtui.hub.logs import _Resume
from jobtui.hub.models import LogLine

T0 = datetime(2026, 5, 12, 14, 0, tzinfo=UTC)


def log(texts: list[str], stamps: list[int | None]) -> list[LogLine]:
    return [
        LogLine(text, None if s is None else T0 + timedelta(seconds=s))
        for text, s in zip(texts, stamps, strict=True)
    ]


def stream(resume: _Resume, lines: list[LogLine], *, cut_after: int | None = None) -> list[str]:
    """Feed one connection's lines; `cut_after` breaks it (no clean end)."""
    resume.begin_stream()
    out: list[str] = []
    for number, line in enumerate(lines):
        if cut_after is not None and number == cut_after:
            return out
        out += [new.text for new in resume.accept(line)]
    return out + [new.text for new in resume.end_of_stream()]


CASES = {
    "every line its own second": (list(range(300)), 137),
    "all in one instant (a job that printed at once)": ([0] * 300, 137),
    "runs of equal stamps": ([n // 7 for n in range(300)], 100),
    "no stamps at all": ([None] * 300, 150),
    "a few unstamped lines among stamped ones": (
        [None if n % 50 == 10 else n for n in range(300)],
        61,
    ),
}


@pytest.mark.parametrize(("stamps", "cut"), CASES.values(), ids=CASES.keys())
@pytest.mark.parametrize("tail", [None, 100])
def test_full_replay_after_a_cut_yields_each_line_once(
    stamps: list[int | None], cut: int, tail: int | None
) -> None:
    texts = [f"line {n}" for n in range(300)]
    lines = log(texts, stamps)
    first = lines if tail is None else lines[-tail:]
    cut_at = min(cut, len(first) - 1)
    resume = _Resume()
    got = stream(resume, first, cut_after=cut_at)
    got += stream(resume, lines)  # the reconnect replays the whole log
    expected = texts if tail is None else texts[-tail:]
    assert got == expected


def test_repeated_identical_lines_are_neither_lost_nor_doubled() -> None:
    texts = ["epoch done"] * 5 + ["saving"] + ["epoch done"] * 5
    lines = log(texts, [0] * len(texts))
    resume = _Resume()
    got = stream(resume, lines, cut_after=3)
    got += stream(resume, lines, cut_after=8)
    got += stream(resume, lines)
    assert got == texts


def test_new_lines_at_the_same_instant_are_not_held_back() -> None:
    lines = log(["a", "b", "c", "d"], [0, 0, 0, 0])
    resume = _Resume()
    assert stream(resume, lines[:2], cut_after=None) == ["a", "b"]
    resume.begin_stream()
    assert [line.text for line in resume.accept(lines[0])] == []
    assert [line.text for line in resume.accept(lines[1])] == []
    # The run "a b" has gone by: "c" is new and comes out at once, without waiting for a
    # later stamp or the end of the stream.
    assert [line.text for line in resume.accept(lines[2])] == ["c"]
