"""Sanitise server-supplied strings before they reach the terminal.

Every job name, label, command, env value, status message and log line goes through here.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Rich comes with Textual; only log_line_to_text uses it. A function-level import would cost
# ~3 us per call, as much as building the Text itself.
from rich.ansi import AnsiDecoder
from rich.style import Style
from rich.text import Span, Text

__all__ = [
    "clean_log_line",
    "clean_text",
    "cleaned_line_to_text",
    "log_line_to_text",
    "without_colour",
]

ELLIPSIS = "…"
TAB_SIZE = 8

# Pieces of the sequence grammar (ECMA-48), shared by both cleaners.
#
# A string sequence (OSC, DCS, SOS, PM, APC) ends at BEL or ST (ESC \ or 8-bit \x9c). An ESC
# that is not part of ST aborts the string in real terminals, and CAN/SUB abort any sequence,
# so the body stops there and the rest is handled as a new token. An unterminated string runs
# to the end of the input: a terminal would swallow it too, and its payload is never text.
_STRING_BODY = r"[^\x07\x1b\x9c\x18\x1a]*(?:\x07|\x1b\\|\x9c)?"
# CSI: parameter and intermediate bytes, then a final byte. Any order of the first two is
# accepted because terminals swallow a malformed CSI up to its final byte too. The final
# byte is optional so a truncated sequence is still removed whole, not left as "[12".
_CSI_BODY = r"[ -?]*[@-~]?"
# After ESC: CSI, string sequences, nF escapes ("ESC ( B", "ESC # 8"), two-byte escapes
# ("ESC c" reset, "ESC 7", "ESC M"), or nothing (a lone ESC). The empty last branch means an
# ESC is always consumed, so no ESC can survive by not matching.
_AFTER_ESC = rf"(?:\[{_CSI_BODY}|[\]PX^_]{_STRING_BODY}|[ -/]+[0-~]?|[0-~]?)"
# 8-bit forms: CSI \x9b; DCS \x90, SOS \x98, OSC \x9d, PM \x9e, APC \x9f.
_C1_SEQ = rf"\x9b{_CSI_BODY}|[\x90\x98\x9d\x9e\x9f]{_STRING_BODY}"
# Bidi embeddings/overrides/isolates reorder what the user sees (Trojan Source, CVE-2021-42574).
_BIDI = r"\u202a-\u202e\u2066-\u2069"
# SGR parameters kept in log lines. The length cap matters: Rich's ANSI decoder calls int() on
# each parameter and Python refuses int() of more than 4,300 digits (ValueError), so an
# absurdly long "SGR" is treated as a plain CSI and removed.
_SGR_PARAMS = r"[0-9;]{0,128}m"

# Anything that may need work: every C0 control (tab, CR and LF included), DEL, C1, bidi
# controls, Unicode line/paragraph separators and lone surrogates. Only consulted when
# str.isprintable() is False, which is the cheap first test.
_NEEDS_WORK = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_BIDI}\\u2028\\u2029\\ud800-\\udfff]")

# One-line fields: drop every sequence and every other control except the whitespace-like
# ones (tab, LF, VT, FF, CR, NEL), which the second pass turns into single spaces.
_TEXT_DROP = re.compile(
    rf"\x1b{_AFTER_ESC}|{_C1_SEQ}|[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x84\x86-\x9f{_BIDI}]"
)
_TEXT_SPACE = re.compile("[\\t\\n\\v\\f\\r\\x85\\u2028\\u2029]+")

# Log lines: the same, except that an ESC starting a well-formed SGR is skipped by the
# lookahead (so replacing matches with "" stays on re's fast C path, with no per-match
# callback), and tab, LF and CR survive this pass (CR/LF are resolved afterwards). VT and FF
# are dropped: Rich's decoder would otherwise split the line at them.
_LOG_DROP = re.compile(
    rf"\x1b(?!\[{_SGR_PARAMS}){_AFTER_ESC}|{_C1_SEQ}"
    rf"|[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f-\x84\x86-\x9f{_BIDI}]"
)
_SGR_RE = re.compile(rf"\x1b\[{_SGR_PARAMS}")
# Same, capturing, so re.split puts the SGRs at the odd indices.
_SGR_SPLIT = re.compile(rf"(\x1b\[{_SGR_PARAMS})")
_NULL_STYLE = Style.null()
# Rare characters left after the drop pass. Python's str.splitlines (used by Rich's ANSI
# decoder) breaks lines at NEL and U+2028/U+2029, so they become spaces; a lone surrogate
# (JSON "\ud800" decodes to one) would make the UTF-8 write to the terminal raise.
_RARE = re.compile("[\\x85\\u2028\\u2029\\ud800-\\udfff]")


def _replace_rare(match: re.Match[str]) -> str:
    return "\ufffd" if "\ud800" <= match.group() <= "\udfff" else " "


def _needs_work(text: str) -> bool:
    # isprintable() is False for every character we act on (Cc, Cf, Cs, Zl, Zp) and is about
    # 2.5x faster than the regex, so clean ASCII/CJK/emoji text never reaches the regex.
    return not text.isprintable() and _NEEDS_WORK.search(text) is not None


def _truncate(text: str, max_length: int | None) -> str:
    if max_length is None or len(text) <= max_length:
        return text
    if max_length <= 0:
        return ""
    return text[: max_length - 1] + ELLIPSIS


def clean_text(value: object, *, max_length: int | None = None) -> str:
    """Return `value` as one line of plain, safe text.

    None becomes "", other non-strings go through str(). Every escape sequence, C0/C1 control,
    DEL and bidi override/isolate is removed; tabs and line breaks become single spaces (a run
    of them becomes one space). If `max_length` is given, the result is cut to at most that many
    characters, the last being "…". Length is in characters, not terminal cells.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if _needs_work(text):
        text = _TEXT_DROP.sub("", text)
        text = _TEXT_SPACE.sub(" ", text)
        if _RARE.search(text):
            text = _RARE.sub(_replace_rare, text)
    return _truncate(text, max_length)


def _last_cr_segment(line: str) -> str:
    """Resolve carriage returns the way a progress bar means them: its final state.

    Trailing CRs are ignored so "abc\\r" stays "abc". SGR codes from the dropped segments are
    carried in front of the kept one, so the line keeps the colour a terminal would have shown;
    they are whole sequences, never partial ones, because the drop pass has already removed
    everything else and an SGR contains no CR.
    """
    line = line.rstrip("\r")
    head, sep, tail = line.rpartition("\r")
    if not sep:
        return line
    carried = _SGR_RE.findall(head)
    if not carried:
        return tail
    # Everything before the last full reset is moot.
    start = 0
    for index, sgr in enumerate(carried):
        params = sgr[2:-1]
        if params in ("", "0") or params.startswith("0;"):
            start = index
    kept = carried[start:]
    if len(kept) > 1:
        # Each SGR assigns attributes outright, so an earlier copy of a code that occurs again
        # later cannot affect the final style: keep only last occurrences. This stops a bar
        # redrawn 10,000 times with the same colour from growing the line by 10,000 codes.
        kept = list(dict.fromkeys(reversed(kept)))[::-1]
    return "".join(kept) + tail


def clean_log_line(line: str) -> str:
    """Return one log line with only printable text, tabs and SGR colour sequences left.

    Carriage returns collapse to the final state (what follows the last CR; "a\\rb\\rc" -> "c",
    a trailing CR or CRLF does not blank the line). A line that still contains LF is treated as
    several physical lines: each is collapsed on its own and they are joined with single spaces,
    so the result is always one line. A line that needs no work is returned as is (same object).
    """
    if not _needs_work(line):
        return line
    line = _LOG_DROP.sub("", line)
    if _RARE.search(line):
        line = _RARE.sub(_replace_rare, line)
    if "\n" in line:
        parts = line.rstrip("\r\n").split("\n")
        line = " ".join(filter(None, map(_last_cr_segment, parts)))
    elif "\r" in line:
        line = _last_cr_segment(line)
    return line


@lru_cache(maxsize=4096)
def _apply_sgr(style: Style, sgr: str) -> Style:
    # Rich's own decoder applies the codes, so the colours are exactly Text.from_ansi's; the
    # cache skips its per-code Style.parse/add work, since logs repeat the same few SGRs.
    decoder = AnsiDecoder()
    decoder.style = style
    decoder.decode_line(sgr)
    return decoder.style


def _expand_ascii_tabs(parts: list[str]) -> list[str]:
    """Expand tabs in the text parts (even indices) of an ASCII line, skipping the SGRs.

    str.expandtabs on the whole line would count the escape codes as columns.
    """
    column = 0
    for index in range(0, len(parts), 2):
        part = parts[index]
        if "\t" in part:
            # expandtabs counts from the start of its string: pad so it starts at `column`.
            pad = column % TAB_SIZE
            part = (" " * pad + part).expandtabs(TAB_SIZE)[pad:]
            parts[index] = part
        column += len(part)
    return parts


def _decode_sgr(cleaned: str) -> Text:
    """Build the Text for a cleaned line whose only escapes are SGRs."""
    parts = _SGR_SPLIT.split(cleaned)
    if "\t" in cleaned and cleaned.isascii():
        parts = _expand_ascii_tabs(parts)
    style = _NULL_STYLE
    plain: list[str] = []
    spans: list[Span] = []
    offset = 0
    for index, part in enumerate(parts):
        if index % 2:
            style = _apply_sgr(style, part)
        elif part:
            end = offset + len(part)
            if style:
                spans.append(Span(offset, end, style))
            plain.append(part)
            offset = end
    return Text("".join(plain), spans=spans, end="")


def without_colour(cleaned: str) -> str:
    """A cleaned log line without its SGR codes: the text that takes room on screen."""
    return _SGR_RE.sub("", cleaned) if "\x1b" in cleaned else cleaned


def log_line_to_text(line: str) -> Text:
    """Clean a log line and turn its SGR codes into styled spans of a Rich `Text`.

    Same plain text and spans as `Text.from_ansi(clean_log_line(line))` (the tests check this),
    several times faster. The result has no newline, CR or tab (tabs are expanded to 8-cell stops)
    and `end=""`, so printing it does not add a blank line.
    """
    return cleaned_line_to_text(clean_log_line(line))


# Above this many colour changes in one line, it is drawn plain: a line where every character
# has its own true colour (25k spans) blocked keys for seconds and tripled memory.
MAX_STYLED_SPANS = 500


def cleaned_line_to_text(cleaned: str) -> Text:
    """`log_line_to_text` for a line that has already been through `clean_log_line`."""
    if "\x1b" in cleaned and cleaned.count("\x1b[") > MAX_STYLED_SPANS:
        cleaned = without_colour(cleaned)
    if "\x1b" in cleaned:
        text = _decode_sgr(cleaned)
    else:
        # Most log lines have no colour. For ASCII, one character is one cell, so
        # str.expandtabs gives what Text.expand_tabs would, at a fraction of the cost.
        if "\t" in cleaned and cleaned.isascii():
            cleaned = cleaned.expandtabs(TAB_SIZE)
        text = Text(cleaned, end="")
    if "\t" in text.plain:
        # Rich measures cells (wide and zero-width characters, graphemes) exactly as Textual
        # will when it lays the line out.
        text.expand_tabs(TAB_SIZE)
    return text
