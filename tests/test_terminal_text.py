"""Server strings must reach the screen as visible text only, never as terminal commands."""

from __future__ import annotations

import io
import random
import re
from collections.abc import Iterator

import pytest
from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult

from jobtui.ui.terminal_text import (
    clean_log_line,
    clean_text,
    log_line_to_text,
)
from jobtui.ui.widgets.log_view import LogView

# Characters that must never reach the terminal: C0, DEL, C1, bidi controls, line/paragraph
# separators and lone surrogates. Tab is allowed only in clean_log_line output.
_UNSAFE = "\\x00-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069\\u2028\\u2029\\ud800-\\udfff"
UNSAFE = re.compile(f"[{_UNSAFE}]")
UNSAFE_EXCEPT_TAB = re.compile(f"(?!\\t)[{_UNSAFE}]")
WELL_FORMED_SGR = re.compile(r"\x1b\[[0-9;]*m")

# Each sample sits between "before" and "after"; "PWNED" and the base64 "ZXZpbA" mark payloads
# that must not be shown either.
HOSTILE = {
    "osc52 clipboard, BEL": "\x1b]52;c;ZXZpbA==\x07",
    "osc52 clipboard, ST": "\x1b]52;c;ZXZpbA==\x1b\\",
    "window title, ST": "\x1b]0;PWNED\x1b\\",
    "window title, BEL": "\x1b]2;PWNED\x07",
    "hyperlink": "\x1b]8;;https://PWNED\x1b\\",
    "reset ESC c": "\x1bc",
    "clear screen": "\x1b[2J",
    "cursor move": "\x1b[10;10H",
    "hide cursor": "\x1b[?25l",
    "alt screen": "\x1b[?1049h",
    "line-drawing charset": "\x1b(0",
    "save cursor": "\x1b7",
    "8-bit CSI": "\x9b2J",
    "8-bit OSC": "\x9d0;PWNED\x07",
    "8-bit OSC, 8-bit ST": "\x9d0;PWNED\x9c",
    "DCS": "\x1bP1$qPWNED\x1b\\",
    "APC": "\x1b_PWNED\x1b\\",
    "private SGR-like": "\x1b[>4;2m",
    "bidi override": "\u202e",
    "bidi isolate": "\u2066\u2069",
    "NUL BEL BS": "\x00\x07\x08",
    "DEL and C1": "\x7f\x85\x8d\x8e",
}

pytestmark = pytest.mark.unit


def assert_safe(output: str, *, allow_tab: bool = False) -> None:
    assert "\x1b" not in output
    pattern = UNSAFE_EXCEPT_TAB if allow_tab else UNSAFE
    assert not pattern.search(output), repr(output)


@pytest.mark.parametrize("sequence", HOSTILE.values(), ids=HOSTILE.keys())
def test_clean_text_removes_hostile_sequence_and_keeps_text(sequence: str) -> None:
    # NEL (\x85) is a line break, so it becomes a space like \n would.
    expected = "before after" if "\x85" in sequence else "beforeafter"
    assert clean_text(f"before{sequence}after") == expected


@pytest.mark.parametrize("sequence", HOSTILE.values(), ids=HOSTILE.keys())
def test_clean_log_line_removes_hostile_sequence_and_keeps_text(sequence: str) -> None:
    output = clean_log_line(f"\x1b[32mbefore{sequence}after\x1b[0m")
    assert WELL_FORMED_SGR.sub("", output) in ("beforeafter", "before after")
    assert_safe(WELL_FORMED_SGR.sub("", output))
    text = log_line_to_text(f"before{sequence}after")
    assert text.plain in ("beforeafter", "before after")


def test_unterminated_string_sequence_hides_its_payload() -> None:
    assert clean_text("before\x1b]0;PWNED title never ends") == "before"
    assert clean_log_line("before\x1bP PWNED") == "before"
    # An ESC that is not ST aborts the string and starts a new, also removed, sequence.
    assert clean_text("a\x1b]0;PWNED\x1b[2Jb") == "ab"


def test_clean_text_one_line_and_values() -> None:
    assert clean_text("train\tjob\r\nline 2\n\nend") == "train job line 2 end"
    assert clean_text("a\u2028b") == "a b"
    assert clean_text(None) == ""
    assert clean_text(42) == "42"
    assert clean_text(Exception("boom\x1b]0;PWNED\x07!")) == "boom!"
    text = "模型训练 🤗 naïve café ✓ 👩\u200d💻"
    assert clean_text(text) is text  # clean text is passed through untouched
    # A lone surrogate (JSON "\ud800" decodes to one) would break the UTF-8 write.
    assert clean_text("x\ud800y") == "x\ufffdy"


def test_clean_text_truncates_with_ellipsis() -> None:
    assert clean_text("abcdef", max_length=4) == "abc…"
    assert clean_text("abcd", max_length=4) == "abcd"
    assert clean_text("abc", max_length=1) == "…"
    assert clean_text("abc", max_length=0) == ""
    # Length counts what is left after cleaning, not the escape codes.
    assert clean_text("\x1b[31mab\x1b[0mcd", max_length=4) == "abcd"


def test_sgr_colours_survive_as_styled_spans() -> None:
    line = "\x1b[31mERROR\x1b[0m disk \x1b[1;38;2;0;128;255mfull\x1b[0m"
    assert clean_log_line(line) is line
    text = log_line_to_text(line)
    assert text.plain == "ERROR disk full"
    styles = {text.plain[span.start : span.end]: span.style for span in text.spans}
    assert isinstance(styles["ERROR"], Style)
    assert styles["ERROR"].color is not None and styles["ERROR"].color.number == 1
    full = styles["full"]
    assert isinstance(full, Style) and full.bold
    assert full.color is not None and full.color.triplet == (0, 128, 255)
    assert text.end == ""


def test_carriage_returns_collapse_to_final_state() -> None:
    bar = "\r 10%|█         |\r 50%|█████     |\r100%|██████████|"
    assert clean_log_line(bar) == "100%|██████████|"
    assert clean_log_line("a\rb\rc") == "c"
    assert clean_log_line("abc\r") == "abc"
    assert clean_log_line("abc\r\n") == "abc"
    assert log_line_to_text("done\r").plain == "done"
    # Colour set before the last CR still applies, as on a terminal.
    text = log_line_to_text("\x1b[32m 10%\r100%")
    assert text.plain == "100%"
    style = text.spans[0].style if text.spans else None
    assert isinstance(style, Style) and style.color is not None and style.color.number == 2
    # A reset in the dropped part ends that colour.
    assert log_line_to_text("\x1b[32m 10%\x1b[0m\r100%").spans == []


def test_embedded_newlines_join_physical_lines_with_spaces() -> None:
    assert clean_log_line("first\nsec\rsecond\r\nthird\n") == "first second third"
    assert "\n" not in log_line_to_text("a\nb").plain


def test_tabs_kept_in_log_lines_and_expanded_by_cells_in_text() -> None:
    assert clean_log_line("a\tb") == "a\tb"
    assert log_line_to_text("a\tb").plain == "a       b"
    # Escape codes take no columns and wide characters take two.
    assert log_line_to_text("\x1b[31mab\x1b[0m\tc").plain == "ab      c"
    assert log_line_to_text("日本\tx").plain == "日本    x"


def test_absurd_sgr_is_dropped_instead_of_crashing() -> None:
    # Rich would call int() on 5,000 digits, which Python refuses.
    assert log_line_to_text("\x1b[" + "9" * 5000 + "mX").plain == "X"
    assert log_line_to_text("\x1b[38;5;999;48;2;999;-1mX").plain == "X"


# --- property tests: a seeded fuzz, so failures reproduce -----------------------------------

ATOMS = [
    *(chr(code) for code in range(0x20)),
    *(chr(code) for code in range(0x7F, 0xA0)),
    *["\x1b[", "\x1b]", "\x1bP", "\x1b_", "\x1b\\", "\x1b(", "\r\n", "\x1b[0m", "\x1b[31m"],
    *["\x1b[38;2;1;2;3m", "\x1b[1;4m", "1;31m", "52;c;", "[", "]", ";", "?", ":", ">", " "],
    *["(", "#", "$", "m", "H", "J", "c", "l", "\\", "0", "1", "2", "5", "8", "9", "a", "Z"],
    *["é", "日本", "🤗", "\u200d", "\u202e", "\u2066", "\u2069", "\u2028", "\ud800", "\udfff"],
]


def fuzz_strings(seed: int, count: int = 3000) -> Iterator[str]:
    rng = random.Random(seed)
    for _ in range(count):
        pieces = [rng.choice(ATOMS) for _ in range(rng.randint(0, 30))]
        if rng.random() < 0.2:  # some arbitrary code points too
            pieces.insert(rng.randint(0, len(pieces)), chr(rng.randint(0, 0x10FFFF)))
        yield "".join(pieces)


def test_fuzz_clean_text_never_emits_controls() -> None:
    for value in fuzz_strings(seed=1):
        output = clean_text(value)
        assert_safe(output)
        assert clean_text(output) == output  # idempotent: nothing left to clean
        assert len(clean_text(value, max_length=5)) <= 5


def test_fuzz_clean_log_line_keeps_only_well_formed_sgr() -> None:
    for value in fuzz_strings(seed=2):
        output = clean_log_line(value)
        # The only ESCs left start a well-formed SGR; nothing else unsafe but tabs.
        assert_safe(WELL_FORMED_SGR.sub("", output), allow_tab=True)
        assert "\r" not in output and "\n" not in output
        assert clean_log_line(output) == output


def test_fuzz_log_line_to_text_matches_rich_from_ansi() -> None:
    console = Console(file=io.StringIO(), width=200)
    for value in fuzz_strings(seed=3):
        text = log_line_to_text(value)
        assert_safe(text.plain)
        # The fast conversion must style every character as Rich's own decoder does.
        reference = Text.from_ansi(clean_log_line(value), end="")
        reference.expand_tabs(8)
        assert text.plain == reference.plain
        for offset in range(len(text.plain)):
            assert text.get_style_at_offset(console, offset) == reference.get_style_at_offset(
                console, offset
            ), (value, offset)


def test_fuzz_colour_carried_across_carriage_returns_matches_terminal() -> None:
    # On a terminal, SGR state set in overwritten segments still colours the final one.
    console = Console(file=io.StringIO(), width=200)
    codes = ["\x1b[0m", "\x1b[m", "\x1b[1m", "\x1b[22m", "\x1b[31m", "\x1b[32;4m", "\x1b[0;33m"]
    rng = random.Random(5)
    for _ in range(1000):
        segments = ["".join(rng.choice([*codes, "ab"]) for _ in range(4)) for _ in range(4)]
        final = "tail"
        line = "\r".join(segments) + "\r" + final
        text = log_line_to_text(line)
        assert text.plain == final
        whole = Text.from_ansi("".join(segments) + final)
        expected = whole.get_style_at_offset(console, len(whole.plain) - 1)
        assert text.get_style_at_offset(console, len(final) - 1) == expected, line
        assert len(clean_log_line(line)) <= len(final) + len("".join(codes))


def test_fuzz_visible_text_between_sequences_survives() -> None:
    rng = random.Random(4)
    sequences = list(HOSTILE.values())
    for _ in range(1000):
        words = [rng.choice(["job", "日本", "🤗", "x", "status=ok"]) for _ in range(5)]
        line = "".join(word + rng.choice(sequences) for word in words)
        # NEL in "DEL and C1" becomes a space in one-line fields.
        assert clean_text(line).replace(" ", "") == "".join(words).replace(" ", "")
        assert log_line_to_text(line).plain.replace(" ", "") == "".join(words)


# --- end to end: what jobtui's own log view draws ---------------------------------------

HOSTILE_LOG = [
    "before\x1b]52;c;ZXZpbA==\x07after",
    "before\x1b]0;PWNED\x1b\\after\x1bc\x1b[2J\x1b[10;10H\x9b2J\x9d0;PWNED\x07\u202e",
    "\x1b[31mred\x1b[0m tail",
    "\r 10%|#   |\r100%|####|\r",
]


class LogApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LogView(id="log")


async def test_hostile_log_lines_render_harmlessly_in_the_log_view() -> None:
    app = LogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(LogView)
        view.write_lines(HOSTILE_LOG)
        await pilot.pause()

        expected = ["beforeafter", "beforeafter", "red tail", "100%|####|"]
        drawn = [view.render_line(y).text.rstrip() for y in range(len(expected))]
        assert drawn == expected
        red_segments = [
            segment for segment in view.render_line(2) if segment.text.startswith("red")
        ]
        assert red_segments and red_segments[0].style is not None
        assert red_segments[0].style.color is not None

        screenshot = app.export_screenshot()
        for payload in ("\x1b", "\x9b", "\x9d", "\x07", "52;", "ZXZpbA", "PWNED", "\u202e"):
            assert payload not in screenshot
        assert "beforeafter" in screenshot


def test_a_line_with_a_colour_per_character_is_drawn_plain() -> None:
    line = "".join(f"\x1b[38;2;{i % 256};0;0m{chr(97 + i % 26)}" for i in range(25_000))
    text = log_line_to_text(line)
    assert len(text.plain) == 25_000
    assert not text.spans, "thousands of spans blocked keys for seconds: drawn plain"
    few = "\x1b[31mred\x1b[0m and \x1b[32mgreen\x1b[0m"
    assert log_line_to_text(few).spans, "ordinary colour stays"


async def test_a_burst_larger_than_the_view_keeps_the_last_lines_and_counts_all() -> None:
    class Small(App[None]):
        def compose(self) -> ComposeResult:
            yield LogView(max_lines=1_000, id="log")

    app = Small()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(LogView)
        view.write_lines([f"early {n}" for n in range(10)])
        view.write_lines([f"line {n}" for n in range(25_000)])
        await pilot.pause()
        assert view.written == 25_010 and view.line_count == 1_000
        assert view.find("line 24000") == 0 and view.find("early") is None
        assert view.render_line(view.size.height - 1).text.strip() == "line 24999"
