"""Search in the log: the query line under the log, and where the matches are.

Plain text by default, a regular expression when the query starts with `re:`; case does
not matter unless the query has a capital. The whole buffer is searched, not the screen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input


def compile_query(query: str) -> re.Pattern[str] | str:
    """The pattern for a query, or a message saying why it is not one."""
    text = query.removeprefix("re:")
    flags = 0 if any(ch.isupper() for ch in text) else re.IGNORECASE
    if query.startswith("re:"):
        try:
            return re.compile(text, flags)
        except re.error as exc:
            return f"not a regular expression: {exc}"
    return re.compile(re.escape(text), flags)


@dataclass
class Search:
    """A query and the indexes of the lines that match it, in order."""

    pattern: re.Pattern[str]
    matches: list[int] = field(default_factory=list)
    current: int = -1

    def run(self, lines: Sequence[str]) -> None:
        search = self.pattern.search
        self.matches = [index for index, line in enumerate(lines) if search(line)]
        self.current = -1

    def advance(self, dropped: int, new_lines: Sequence[str], first: int, head: int = 0) -> None:
        """Lines came: `dropped` left the buffer just below its first `head` lines (which
        stay), `new_lines` now sit from index `first` on. Only the new lines are searched;
        the matches kept move up with the text."""
        gone = 0
        if dropped:  # else the matches stay where they were, and are only added to
            kept = [
                index if index < head else index - dropped
                for index in self.matches
                if index < head or index - dropped >= head
            ]
            gone = len(self.matches) - len(kept)
            self.matches = kept
        any_kept = bool(self.matches)
        search = self.pattern.search
        self.matches.extend(first + n for n, line in enumerate(new_lines) if search(line))
        if self.current >= 0:
            self.current = max(0, self.current - gone) if any_kept else -1

    def step(self, forward: bool, near: int) -> int | None:
        """The next (or previous) match from the current one, or from line `near` at first;
        wraps round."""
        if not self.matches:
            return None
        if self.current < 0:
            count = len(self.matches)
            first = next((n for n, index in enumerate(self.matches) if index >= near), count)
            self.current = (first if forward else first - 1) % count
        else:
            self.current = (self.current + (1 if forward else -1)) % len(self.matches)
        return self.matches[self.current]

    def where(self) -> str:
        if not self.matches:
            return "no match"
        if self.current < 0:
            return f"{len(self.matches):,} matches"
        return f"match {self.current + 1:,} of {len(self.matches):,}"


class SearchBox(Input):
    BINDINGS = [
        Binding("enter", "submit", "Next match", id="search.next"),
        Binding("escape", "cancel_search", "Stop searching", id="search.cancel"),
    ]

    DEFAULT_CSS = """
    SearchBox { display: none; height: 1; border: none; padding: 0 1; background: $panel; }
    SearchBox:focus { border: none; background: $panel-lighten-1; }
    """

    def __init__(self) -> None:
        super().__init__(placeholder="search the log (re: for a regular expression)")

    class Cancelled(Message):
        """Escape: the search is over."""

    def action_cancel_search(self) -> None:
        self.value = ""
        self.display = False
        self.post_message(self.Cancelled())
