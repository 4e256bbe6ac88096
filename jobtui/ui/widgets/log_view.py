"""A bounded, lazily rendered log view that follows the end until the user scrolls up."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from jobtui.monitor.log_lines import NO_STAMP, LogLines
from jobtui.ui.terminal_text import cleaned_line_to_text, without_colour
from jobtui.ui.widgets.log_rows import DrawnLines, WrapRows
from jobtui.ui.widgets.log_text import STAMP_STYLE, clean_lines, next_match, stamp_prefix

EMPTIED_SECONDS = 0.3


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
        self._lines = LogLines(max_lines)
        self._widest = 0
        self.stamp_mode = "off"
        """How each line's Hub timestamp shows: "off", "absolute" or "relative"."""
        self.local_time = False
        """Absolute stamps in local time instead of UTC."""
        self.origin = NO_STAMP
        """What relative stamps count from (the job's start, else its first stamp)."""
        self.wrap = False
        """Long lines wrap onto the next rows (no horizontal scroll) instead of running on."""
        self._rows = WrapRows()  # with wrap: where each line starts
        self._drawn = DrawnLines()
        self._highlight: re.Pattern[str] | None = None
        self._programmatic = False
        self.written = 0  # lines received since the last clear, kept or not
        self.added = 0  # lines the last write added (at the end of the buffer)
        self._emptied = False  # cleared, and the scroll range not yet set for no lines
        self._empty_timer: Timer | None = None

    @property
    def line_count(self) -> int:
        return len(self._lines)

    @property
    def dropped(self) -> int:
        """Lines that had to go to keep the view within `max_lines`."""
        return self._lines.dropped

    @property
    def head_len(self) -> int:
        """Lines at the top that stay (a whole log's start); those below them may go."""
        return self._lines.head_len

    def keep_head(self) -> None:
        """Empty the view for a whole log: past `max_lines`, keep its start and its end and
        drop lines from the middle."""
        self.clear()
        self._lines.reset(keep_head=True)

    def plain_lines(self, start: int = 0) -> list[str]:
        """The kept lines from `start` on, as shown, without colour codes: what a search
        reads."""
        return [without_colour(line) for line in self._lines.texts(start)]

    def stamp(self, index: int) -> float:
        return self._lines.stamp(index)

    def line_number(self, index: int) -> int:
        """A held line's number in what was received (1 = the first), lines dropped counted."""
        return self._lines.key(index) + 1

    def set_stamp_mode(self, mode: str) -> None:
        self.stamp_mode = mode
        self._relayout()

    def set_wrap(self, wrap: bool) -> None:
        self.wrap = wrap
        self._relayout()

    def _prefix_width(self) -> int:
        return {"off": 0, "absolute": 20}.get(self.stamp_mode, 11)

    def _relayout(self) -> None:
        """Stamps or wrap changed: every row is drawn anew, and the rows a line takes too."""
        top = self.line_at_row(int(self.scroll_y))
        self._drawn.clear()
        self._resize()
        if self.following:
            self._to_end()
        else:
            self._scroll_by_program(
                lambda: self.scroll_to(
                    x=0 if self.wrap else None, y=self.row_of(top), animate=False, immediate=True
                )
            )
        self.refresh()

    def _resize(self) -> None:
        prefix = self._prefix_width()
        if not self.wrap:
            self._rows.clear()
            self._set_scroll_size(Size(self._widest + prefix, len(self._lines)))
            return
        width = max(1, self.size.width)
        self._rows.count(self._lines.widths(), prefix, width)
        self._set_scroll_size(Size(width, self._rows.rows))

    def _wrap_more(self, widths: list[int], overflow: int) -> None:
        """The rows after a write at the end of the buffer: only the new lines are counted,
        unless this cannot be done (a resize, lines dropped mid-buffer)."""
        width = max(1, self.size.width)
        if self._lines.head_len or not self._rows.more(
            widths, overflow, self._prefix_width(), width, len(self._lines)
        ):
            self._resize()
            return
        self._set_scroll_size(Size(width, self._rows.rows))

    def _set_scroll_size(self, size: Size) -> None:
        """Set the scroll range. Assigning `virtual_size` lays out the whole screen (every
        widget measured and drawn again: 10-20 ms here), which a growing log did on each
        flush. Only a scrollbar coming or going needs that: a log growing longer past the
        pane's height moves its scrollbars only."""
        old = self.virtual_size
        width, height = self.container_size
        narrower = width - self.styles.scrollbar_size_vertical
        if (
            (size.height < old.height and not self._emptied)  # just emptied: see clear
            or old.height <= height
            or size.height <= height
            or not self.show_vertical_scrollbar
            or (old.width > width) != (size.width > width)
            or (old.width > narrower) != (size.width > narrower)
        ):
            self.virtual_size = size
            return
        if size != old:
            self.set_reactive(LogView.virtual_size, size)
            self.vertical_scrollbar.window_virtual_size = size.height
            if self.show_horizontal_scrollbar:
                self.horizontal_scrollbar.window_virtual_size = size.width
            self.refresh()

    def on_resize(self) -> None:
        if self.wrap and self.size.width != self._rows.width:
            self._relayout()

    def row_of(self, index: int) -> int:
        """The first row a line is drawn on."""
        if not self.wrap or not self._rows.ends:
            return index
        return self._rows.row_of(index)

    def line_at_row(self, row: int) -> int:
        if not self.wrap or not self._rows.ends:
            return row
        return self._rows.line_at(row)

    def highlight(self, pattern: re.Pattern[str] | None) -> None:
        """Mark what `pattern` matches in every line drawn (None: no marks)."""
        self._highlight = pattern
        self._drawn.clear()
        self.refresh()

    def line(self, index: int) -> str:
        """A kept line, cleaned (colour codes still in)."""
        return self._lines[index]

    def find(self, needle: str) -> int | None:
        """The index of the first kept line whose shown text contains `needle`."""
        for index, line in enumerate(self._lines.texts()):
            if needle in without_colour(line):
                return index
        return None

    def next_match(
        self,
        test: Callable[[str], object],
        after: int | None,
        hint: re.Pattern[str] | None = None,
    ) -> int | None:
        """The first kept line after `after` (from the top if None) that `test` accepts,
        wrapping round once; its index (see log_text.next_match)."""
        return next_match(self._lines.texts(), test, after, hint)

    def show_line(self, index: int) -> None:
        """Bring a line into view near the top, and stop following so it stays there."""
        self.following = False
        self.scroll_to(y=max(0, self.row_of(index) - 2), animate=False, immediate=True)

    def clear(self) -> None:
        """Empty the view; its scroll range stays until lines come (EMPTIED_SECONDS at most):
        from one pouring log to another, the scrollbar went and came back (two layouts)."""
        self._lines.reset()
        self.written = 0
        self._widest = 0
        self._rows.clear()
        self._drawn.clear()
        self._emptied = True
        if self._empty_timer is not None:
            self._empty_timer.stop()  # an earlier clear's moment is not this one's
        self._empty_timer = self.set_timer(EMPTIED_SECONDS, self._settle_empty)
        self._scroll_by_program(lambda: self.scroll_to(0, 0, animate=False, immediate=True))
        self.following = True
        self.refresh()

    def _settle_empty(self) -> None:
        if self._emptied and not self._lines:
            self.virtual_size = Size(0, 0)
        self._emptied = False

    def write_lines(
        self,
        raw_lines: Sequence[str],
        stamps: Sequence[float] = (),
        widths: Sequence[int] | None = None,
    ) -> int:
        """Clean and append lines (with their Hub stamps, seconds); keeps the view at the end
        when following. Returns how many of the lines held before had to go to make room.
        With `widths`, the lines come cleaned already (`clean_lines`) and these are their
        cells: a stream cleans its lines as they come, between keys, not all in one flush."""
        lines = self._lines
        # Lines that would leave the buffer in this same batch are counted, not cleaned:
        # a firehose costs a frame what the view can hold, not what arrived.
        room = lines.head_cap - lines.head_len
        skipped = max(0, len(raw_lines) - max(0, room) - lines.ring_cap)
        if not stamps:
            stamps = [NO_STAMP] * len(raw_lines)
        if skipped:
            keep = max(0, room)
            raw_lines = [*raw_lines[:keep], *raw_lines[keep + skipped :]]
            stamps = [*stamps[:keep], *stamps[keep + skipped :]]
            if widths is not None:
                widths = [*widths[:keep], *widths[keep + skipped :]]
        if widths is None:
            cleaned, widths = clean_lines(raw_lines)
        else:
            cleaned, widths = list(raw_lines), list(widths)
        if not cleaned:
            return 0
        self.written += skipped + len(cleaned)
        self.added = len(cleaned)
        overflow = lines.extend(cleaned, stamps, widths)
        lines.dropped += skipped
        self._widest = max(self._widest, max(widths))
        if self.wrap:
            self._wrap_more(widths, overflow)
        else:
            self._set_scroll_size(Size(self._widest + self._prefix_width(), len(lines)))
        self._emptied = False
        if self.following:
            self._to_end()
            # The scroll range grows only once the new size is laid out: go again after that.
            self.call_after_refresh(self._to_end)
        elif overflow and not lines.head_len:
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
        row = scroll_y + y
        width = self.size.width
        style = self.rich_style
        lines = self._lines
        if self.wrap and self._rows.ends:
            if row >= self._rows.rows:
                return Strip.blank(width, style)
            index = self._rows.line_on(row)
            scroll_x = (row - self._rows.row_of(index)) * self._rows.width
        else:
            index = row
        if index >= len(lines):
            return Strip.blank(width, style)
        absolute = lines.key(index)
        strip = self._drawn.get(absolute)
        if strip is None:
            line = lines[index]
            if self._highlight is None and self.stamp_mode == "off" and _plain(line):
                # Most lines: what Text would make of them, without making it (7 us a line).
                strip = Strip([Segment(line, style) if style else Segment(line)], len(line))
                self._drawn.keep(absolute, strip)
                return strip.crop_extend(scroll_x, scroll_x + width, style)
            text = cleaned_line_to_text(line)
            if self._highlight is not None:
                text.highlight_regex(self._highlight, "black on yellow")
            if self.stamp_mode != "off":
                prefix = stamp_prefix(
                    lines.stamp(index), self.stamp_mode, origin=self.origin, local=self.local_time
                )
                text = Text.assemble((prefix, STAMP_STYLE), text)
            strip = Strip(Segment.apply_style(text.render(self.app.console), style))
            self._drawn.keep(absolute, strip)
        return strip.crop_extend(scroll_x, scroll_x + width, style)

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

    def watch_show_vertical_scrollbar(self, shown: bool) -> None:
        # A scroll forced before the scrollbar showed (see _to_end) did not move its thumb.
        if shown:
            self.vertical_scrollbar.position = self.scroll_y

    def _to_end(self) -> None:
        # Forced: until the screen is laid out again, Textual refuses to scroll a view whose
        # scrollbar is not shown yet, such as one that a whole log filled in one write.
        if self.following:
            self._scroll_by_program(
                lambda: self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)
            )

    def action_follow(self) -> None:
        self.following = True
        self._to_end()


def _plain(line: str) -> bool:
    """Printable ASCII: no colour, no tab, one cell a character."""
    return line.isascii() and line.isprintable()
