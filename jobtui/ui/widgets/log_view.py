"""A bounded, lazily rendered log view that follows the end until the user scrolls up."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Sequence

from rich.cells import cell_len
from rich.segment import Segment
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from jobtui.ui.terminal_text import clean_log_line, cleaned_line_to_text, without_colour

# Drawn lines kept for redraws, bounded by the cells they hold, not their count: a few
# 25k-character lines weigh more than thousands of short ones.
RENDER_CACHE_CELLS = 1_000_000


class LogView(ScrollView, can_focus=True):
    """Holds cleaned lines in a ring buffer and draws only the rows on screen.

    Writing costs one clean per line; a line becomes styled text only when it is drawn.
    """

    BINDINGS = [
        Binding("end,G", "follow", "Follow", id="log.follow"),
        Binding("home,g", "scroll_home", "Top", show=False, id="log.top"),
        Binding("up,k", "scroll_up", "Up", show=False, id="log.up"),
        Binding("down,j", "scroll_down", "Down", show=False, id="log.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="log.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="log.page_down"),
        Binding(
            "left,h", "scroll_left", "Left", show=False, tooltip="log: scroll left", id="log.left"
        ),
        Binding(
            "right,l",
            "scroll_right",
            "Right",
            show=False,
            tooltip="log: scroll right",
            id="log.right",
        ),
    ]

    DEFAULT_CSS = """
    LogView {
        background: $surface;
        scrollbar-gutter: stable;
        padding: 0 0 0 1;
    }
    """

    following: reactive[bool] = reactive(True)
    """Whether new lines scroll the view to the end. Scrolling up turns it off."""

    def __init__(self, max_lines: int = 10_000, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.max_lines = max_lines
        self._lines: deque[str] = deque(maxlen=max_lines)
        self._dropped = 0  # lines pushed out of the buffer: absolute index of _lines[0]
        self._widest = 0
        self._cache: dict[int, Strip] = {}
        self._cached_cells = 0
        self._highlight: re.Pattern[str] | None = None
        self._programmatic = False
        self.written = 0  # lines received since the last clear, kept or not

    @property
    def line_count(self) -> int:
        return len(self._lines)

    def plain_lines(self, start: int = 0) -> list[str]:
        """The kept lines from `start` on, as shown, without colour codes: what a search
        reads."""
        lines = self._lines
        return [without_colour(lines[index]) for index in range(start, len(lines))]

    def highlight(self, pattern: re.Pattern[str] | None) -> None:
        """Mark what `pattern` matches in every line drawn (None: no marks)."""
        self._highlight = pattern
        self._drop_cache()
        self.refresh()

    def line(self, index: int) -> str:
        """A kept line, cleaned (colour codes still in)."""
        return self._lines[index]

    def find(self, needle: str) -> int | None:
        """The index of the first kept line whose shown text contains `needle`."""
        for index, line in enumerate(self._lines):
            if needle in without_colour(line):
                return index
        return None

    def next_match(self, test: Callable[[str], object], after: int | None) -> int | None:
        """The first kept line after `after` (from the top if None) that `test` accepts,
        wrapping round once; its index."""
        lines = self._lines
        start = 0 if after is None else after + 1
        for index in (*range(start, len(lines)), *range(0, min(start, len(lines)))):
            if test(without_colour(lines[index])):
                return index
        return None

    def show_line(self, index: int) -> None:
        """Bring a line into view near the top, and stop following so it stays there."""
        self.following = False
        self.scroll_to(y=max(0, index - 2), animate=False, immediate=True)

    def clear(self) -> None:
        self._lines.clear()
        self.written = 0
        self._dropped = 0
        self._widest = 0
        self._drop_cache()
        self.virtual_size = Size(0, 0)
        self._scroll_by_program(lambda: self.scroll_to(0, 0, animate=False, immediate=True))
        self.following = True
        self.refresh()

    def write_lines(self, raw_lines: Sequence[str]) -> int:
        """Clean and append lines; keeps the view at the end when following. Returns how
        many of the lines held before left the top to make room."""
        # Lines that would leave the buffer in this same batch are counted, not cleaned:
        # a firehose costs a frame what the view can hold, not what arrived.
        skipped = max(0, len(raw_lines) - self.max_lines)
        cleaned = [clean_log_line(line) for line in raw_lines[skipped:]]
        if not cleaned:
            return 0
        self.written += skipped
        self._dropped += skipped
        self.written += len(cleaned)
        overflow = max(0, len(self._lines) + len(cleaned) - self.max_lines)
        self._lines.extend(cleaned)
        self._dropped += overflow
        # Colour codes take no room; tabs are expanded when drawn (widths stay approximate).
        widest = max(cell_len(without_colour(line)) for line in cleaned[-self.max_lines :])
        self._widest = max(self._widest, widest)
        if self._cached_cells > RENDER_CACHE_CELLS:
            self._drop_cache()
        self.virtual_size = Size(self._widest, len(self._lines))
        if self.following:
            self._to_end()
            # The scroll range grows only once the new size is laid out: go again after that.
            self.call_after_refresh(self._to_end)
        elif overflow:
            # Lines left the top: move up with the text so what the user reads stays put.
            y = max(0, self.scroll_y - overflow)
            self._scroll_by_program(lambda: self.scroll_to(y=y, animate=False, immediate=True))
        self.refresh()
        return overflow

    def _scroll_by_program(self, scroll: Callable[[], object]) -> None:
        """Scroll without it counting as the user scrolling away from the end."""
        self._programmatic = True
        try:
            scroll()
        finally:
            self._programmatic = False

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        style = self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, style)
        absolute = self._dropped + index
        strip = self._cache.get(absolute)
        if strip is None:
            text = cleaned_line_to_text(self._lines[index])
            if self._highlight is not None:
                text.highlight_regex(self._highlight, "black on yellow")
            strip = Strip(Segment.apply_style(text.render(self.app.console), style))
            if self._cached_cells > RENDER_CACHE_CELLS:
                self._drop_cache()  # scrolling far draws new lines too
            self._cache[absolute] = strip
            self._cached_cells += strip.cell_length
        return strip.crop_extend(scroll_x, scroll_x + width, style)

    def _drop_cache(self) -> None:
        self._cache.clear()
        self._cached_cells = 0

    # Moving up stops following first, then scrolls at once: an animated scroll raced with
    # the next flush's jump to the end, and the key seemed lost.
    def action_scroll_up(self) -> None:
        self.following = False
        self.scroll_relative(y=-1, animate=False, immediate=True)

    def action_page_up(self) -> None:
        self.following = False
        self.scroll_relative(y=-max(1, self.size.height - 1), animate=False, immediate=True)

    def action_scroll_home(self) -> None:
        self.following = False
        self.scroll_to(y=0, animate=False, immediate=True)

    def action_scroll_down(self) -> None:
        self.scroll_relative(y=1, animate=False, immediate=True)

    def action_page_down(self) -> None:
        self.scroll_relative(y=max(1, self.size.height - 1), animate=False, immediate=True)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if self._programmatic:
            return
        # Scrolling up pauses following; reaching the end by hand resumes it.
        if new < old and new < self.max_scroll_y:
            self.following = False
        elif new >= self.max_scroll_y:
            self.following = True

    def _to_end(self) -> None:
        if self.following:
            self._scroll_by_program(
                lambda: self.scroll_end(animate=False, immediate=True, x_axis=False)
            )

    def action_follow(self) -> None:
        self.following = True
        self._to_end()
