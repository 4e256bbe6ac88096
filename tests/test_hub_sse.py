"""The SSE parser: lines end at CR, LF or CRLF only, wherever the chunks split, and a huge
line is cut to a bounded size instead of failing the stream."""

from __future__ import annotations

import random

import pytest

from jobtui.hub.sse import LINE_CAP, TAIL_KEEP, Event, SSEParser

STREAM = (
    b": keep-alive\r\n\r\n"
    b'data: {"data": "one \xe2\x80\xa8 still one"}\n\n'  # U+2028 is not a line end in SSE
    b"event: metric\rdata: a\rdata: b\r\r"  # CR alone ends lines too
    b"data: caf\xc3\xa9 \xff\r\n\r\n"  # invalid UTF-8 becomes U+FFFD
    b"id: 7\nretry: 10\nunknown: x\ndata:no space\n\n"
    b"data: unfinished at the end"
)

EXPECTED = [
    Event("message", '{"data": "one \u2028 still one"}'),
    Event("metric", "a\nb"),
    Event("message", "café \ufffd"),
    Event("message", "no space"),
]


def parse(chunks: list[bytes]) -> list[Event]:
    parser = SSEParser()
    return [event for chunk in chunks for event in parser.feed(chunk)]


def test_a_stream_in_one_piece() -> None:
    assert parse([STREAM]) == EXPECTED


@pytest.mark.parametrize("seed", range(40))
def test_any_chunking_gives_the_same_events(seed: int) -> None:
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(1, len(STREAM)), rng.randint(1, 30)))
    chunks = [STREAM[a:b] for a, b in zip([0, *cuts], [*cuts, len(STREAM)], strict=True)]
    assert parse(chunks) == EXPECTED


def test_byte_by_byte_gives_the_same_events() -> None:
    assert parse([STREAM[i : i + 1] for i in range(len(STREAM))]) == EXPECTED


# What servers send: LF only (read by a faster path that must give the same events).
LF_STREAM = (
    b": keep-alive\n\n"
    b'data: {"data": "one \xe2\x80\xa8 still one"}\n\n'
    b"event: metric\ndata: a\ndata: b\n\n"
    b"data: caf\xc3\xa9 \xff\n\n"
    b"id: 7\nretry: 10\nunknown: x\ndata:no space\n\n"
    b"data: x\n\n\n\ndata: \n\n"  # blank lines with no event between: nothing dispatched
    b"data: unfinished at the end"
)
LF_EXPECTED = [*EXPECTED, Event("message", "x"), Event("message", "")]


@pytest.mark.parametrize("seed", range(40))
def test_lf_only_streams_give_the_same_events_however_chunked(seed: int) -> None:
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(1, len(LF_STREAM)), rng.randint(0, 30)))
    chunks = [LF_STREAM[a:b] for a, b in zip([0, *cuts], [*cuts, len(LF_STREAM)], strict=True)]
    assert parse(chunks) == LF_EXPECTED


@pytest.mark.parametrize("chunk", [7, 65_536, 10 * LINE_CAP])
def test_a_huge_line_keeps_its_head_and_tail_and_the_stream_goes_on(chunk: int) -> None:
    line = b"data: " + b"h" * LINE_CAP + b"m" * (3 * LINE_CAP) + b"t" * TAIL_KEEP + b"\n\n"
    stream = line + b"data: next\n\n"
    events = parse([stream[i : i + chunk] for i in range(0, len(stream), chunk)])
    assert [e.cut for e in events] == [True, False]
    huge, after = events
    assert len(huge.data) == LINE_CAP - len("data: ") and set(huge.data) == {"h"}
    assert huge.tail == "t" * TAIL_KEEP
    assert after.data == "next"
