"""What the log's state line says of the lines held: how many, and which part of the log."""

from __future__ import annotations

from rich.text import Text

from jobtui.ui.widgets.log_view import LogView


def count_note(view: LogView, *, tail: int, total: int | None, whole: bool, fetching: bool) -> Text:
    """How many lines the view holds, and which part of the log they are. `tail`: the lines
    the stream opened on (0 for a whole log); `total`: the lines of the whole log, once known;
    `whole`: the view holds the whole log; `fetching`: it is still coming."""
    dim = "bright_black"
    lines = "line" if view.written == 1 else "lines"
    if fetching:
        return Text(
            f" · loading the whole log: {view.written:,} {lines}… (f/escape: cancel)",
            style="bold magenta",
        )
    if tail and view.written >= tail:
        # The stream opened on the Hub's tail: earlier lines may exist, not fetched.
        of = f" of {total:,}" if total is not None and total > tail else ""
        if view.written == tail:
            text = Text(f" · last {tail:,}{of} lines", style=dim)
        else:
            text = Text(f" · {view.written:,} lines (from the last {tail:,}{of})", style=dim)
        if view.written > view.line_count:
            text.append(f" ({view.line_count:,} kept)", style=dim)
        text.append(" · f loads the whole log", style=dim)
        return text
    text = Text(f" · {view.written:,} {lines}", style=dim)
    if whole:
        text.append(" (the whole log)", style=dim)
        if view.dropped and view.head_len:
            text.append(
                f" · {view.dropped:,} dropped in the middle (first {view.head_len:,} and "
                f"last {view.line_count - view.head_len:,} kept)",
                style="bold yellow",
            )
        return text
    if view.written > view.line_count:
        text.append(f" (last {view.line_count:,} kept)", style=dim)
    return text
