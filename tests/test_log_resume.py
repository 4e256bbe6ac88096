"""Resuming a log after a broken stream: every line once, none skipped, whatever the stamps."""

from __future__ import annotations

import functools
import random
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


def stream(
    resume: _Resume,
    lines: list[LogLine],
    *,
    cut_after: int | None = None,
    tail: int | None = None,
) -> list[str]:
    """Feed one connection's lines; `cut_after` breaks it (no clean end)."""
    resume.begin_stream(tail=tail)
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
    "every 10th line stamped early": ([n - 3 if n % 10 == 0 else n for n in range(300)], 139),
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
    got = stream(resume, first, cut_after=cut_at, tail=tail)
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


def test_new_lines_come_out_at_once_after_the_replayed_ones() -> None:
    lines = log(["a", "b", "c", "d"], [0, 0, 0, 0])
    resume = _Resume()
    assert stream(resume, lines[:2], cut_after=None) == ["a", "b"]
    resume.begin_stream()
    assert [line.text for line in resume.accept(lines[0])] == []
    assert [line.text for line in resume.accept(lines[1])] == []
    # "c" is new and comes out at once, without waiting for a later stamp or the end.
    assert [line.text for line in resume.accept(lines[2])] == ["c"]


def test_a_replay_that_no_longer_holds_the_lines_shown_keeps_the_newer_ones() -> None:
    # The Hub lost the start of the log (say a job re-queued on a new node): what is newer
    # than what was shown still comes, and nothing shown comes twice.
    resume = _Resume()
    first = log(["a", "b", "c"], [0, 1, 2])
    assert stream(resume, first, cut_after=None, tail=3) == ["a", "b", "c"]
    assert stream(resume, log(["x", "c2", "d"], [1, 3, 4])) == ["c2", "d"]


# ---- the property: random logs, random cuts ----------------------------------------------

SIZES = [1, 2, 7, 60, 1_000, 20_000, 200_000]
PATTERNS = ["unique", "coarse", "jittered backwards", "none"]
# Repetitive texts, as real logs are ("epoch done", blank lines): stamps and count decide.
WORDS = ["epoch done", "", "saving", "step"]


@functools.cache
def random_log(size: int, pattern: str, seed: int) -> tuple[LogLine, ...]:
    texts = random.Random(seed).choices(WORDS, k=size)
    ms = timedelta(milliseconds=1)
    stamps: list[datetime | None]
    if pattern == "unique":
        stamps = [T0 + 5 * n * ms for n in range(size)]
    elif pattern == "coarse":  # 1 s resolution, a burst of lines each second
        seconds = [T0 + timedelta(seconds=s) for s in range(size // 997 + 1)]
        stamps = [seconds[n // 997] for n in range(size)]
    elif pattern == "jittered backwards":
        # stdout and stderr interleaved: every 10th line is stamped before the one above it
        stamps = [T0 + (5 * n - (7 if n % 10 == 9 else 0)) * ms for n in range(size)]
    else:
        stamps = [None] * size
    return tuple(map(LogLine, texts, stamps))


def replay_with_cuts(
    lines: tuple[LogLine, ...],
    rng: random.Random,
    *,
    tail: int | None,
    batches: random.Random | None = None,
) -> tuple[list[LogLine], list[LogLine]]:
    """A live job's log followed through 1-4 broken streams; the log grows in between.
    The lines are taken one by one, or with `batches`, in batches of random sizes (as each
    read from the Hub brings them).

    Returns (what the client yielded, what it should have yielded).
    """
    size = len(lines)
    grown = sorted(rng.randint(1, size) for _ in range(rng.randint(1, 4))) + [size]
    resume = _Resume()
    out: list[LogLine] = []
    start = 0
    for number, length in enumerate(grown):
        last = number == len(grown) - 1
        if tail is not None and resume.count == 0:  # the client asks for the tail again
            start = max(0, length - tail)
            shown = lines[start:length]
            resume.begin_stream(tail=tail)
        else:
            shown = lines[:length]
            resume.begin_stream()
        cut = len(shown) if last else rng.randint(0, len(shown))
        if not last and rng.random() < 0.5:  # just before a line stamped early, often
            cut = min(len(shown), cut - cut % 10 + 9 - (start % 10))
        if batches is None:
            for line in shown[:cut]:
                out += resume.accept(line)
        else:
            at = 0
            while at < cut:
                size = min(cut - at, batches.choice((1, 2, 17, 500, 4_000)))
                out += resume.accept_all(list(shown[at : at + size]))
                at += size
        if last:
            out += resume.end_of_stream()
    return out, list(lines[start:])


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("size", SIZES)
def test_random_cuts_lose_nothing_and_double_nothing(size: int, pattern: str) -> None:
    lines = random_log(size, pattern, seed=size)
    rng = random.Random(f"{size}-{pattern}")
    for _ in range(3 if size < 100_000 else 1):
        got, expected = replay_with_cuts(lines, rng, tail=None)
        assert len(got) == len(expected), f"{len(got) - len(expected):+d} lines"
        assert got == expected


@pytest.mark.parametrize("pattern", ["unique", "jittered backwards"])
@pytest.mark.parametrize("size", SIZES)
def test_random_cuts_after_a_tail_lose_nothing_and_double_nothing(size: int, pattern: str) -> None:
    lines = random_log(size, pattern, seed=size)
    rng = random.Random(f"tail-{size}-{pattern}")
    for _ in range(3 if size < 100_000 else 1):
        got, expected = replay_with_cuts(lines, rng, tail=rng.randint(1, size))
        assert got == expected


@pytest.mark.parametrize("pattern", ["coarse", "none"])
@pytest.mark.parametrize("size", [60, 1_000, 20_000])
def test_after_a_tail_a_log_without_telling_stamps_never_loses_a_line(
    size: int, pattern: str
) -> None:
    # With repeated texts and no distinct stamps, the tail's place in the whole log can be
    # ambiguous: the earliest place that fits is taken, so lines may repeat but never go.
    lines = random_log(size, pattern, seed=size)
    rng = random.Random(f"tail-{size}-{pattern}")
    for _ in range(5):
        got, expected = replay_with_cuts(lines, rng, tail=rng.randint(1, size))
        assert is_subsequence(expected, got)
        # ... and with texts that tell lines apart, exactly.
        numbered = tuple(
            LogLine(f"{n} {line.text}", line.timestamp) for n, line in enumerate(lines)
        )
        got, expected = replay_with_cuts(numbered, rng, tail=rng.randint(1, size))
        assert got == expected


def is_subsequence(needle: list[LogLine], haystack: list[LogLine]) -> bool:
    rest = iter(haystack)
    return all(any(line == other for other in rest) for line in needle)


def test_a_tail_near_the_end_of_a_long_log_is_found_however_far_in() -> None:
    # 300,000 lines, the tail's place 299,990 lines into the replay: searching holds back
    # nothing that is not newer than what was shown, and never gives up early.
    lines = random_log(300_000, "unique", seed=3)
    resume = _Resume()
    shown = stream(resume, list(lines[-20:]), cut_after=10, tail=20)
    rest = stream(resume, list(lines))
    assert shown + rest == [line.text for line in lines[-20:]]


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("tail", [None, 300])
def test_lines_taken_in_batches_come_out_as_taken_one_by_one(
    pattern: str, tail: int | None
) -> None:
    lines = random_log(20_000, pattern, seed=5)
    for attempt in range(4):
        one_by_one = replay_with_cuts(lines, random.Random(attempt), tail=tail)
        batched = replay_with_cuts(
            lines, random.Random(attempt), tail=tail, batches=random.Random(-attempt)
        )
        assert batched == one_by_one
