"""The job list: a virtual table that draws only the rows on screen, updated by diffs.

Rows are job ids in newest-first order; a poll's diff moves only the rows it touches, and the
cursor stays on the same job while rows come and go around it.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from jobtui.hub.models import JobInfo
from jobtui.monitor.store import newest_first
from jobtui.ui.bindings import JOB_TABLE_BINDINGS
from jobtui.ui.widgets.job_columns import (
    Column,
    join_cells,
    layout_columns,
    row_cells,
    row_line,
    times_change_at,
    times_shown,
)

THUMB_EVERY = 0.1
"""Seconds between moves of the scrollbar's thumb while a list grows past its pane."""


class JobTable(ScrollView, can_focus=True, inherit_bindings=False):
    """Shows jobs, newest first. Knows nothing of the Hub: the screen tells it which jobs to
    show and `lookup` finds a job's latest state (the store's) when a row is drawn."""

    BINDINGS = JOB_TABLE_BINDINGS  # alone: ScrollView's `end` scrolled the list off its cursor

    COMPONENT_CLASSES = {"job-table--header", "job-table--cursor"}

    DEFAULT_CSS = """
    JobTable { background: $surface; scrollbar-gutter: stable; overflow-x: hidden; }
    JobTable > .job-table--header { text-style: bold; color: $text; background: $panel; }
    JobTable > .job-table--cursor { background: $block-cursor-blurred-background; }
    JobTable:focus > .job-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
        text-style: bold;
    }
    """

    class Highlighted(Message):
        """The cursor moved to another job (or the list became empty: None)."""

        def __init__(self, job_id: str | None) -> None:
            super().__init__()
            self.job_id = job_id

    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)

    def __init__(
        self,
        *,
        lookup: Callable[[str], JobInfo | None],
        clock: Callable[[], datetime] | None = None,
        wake: Callable[[float], None] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._lookup = lookup
        self._clock = clock or (lambda: datetime.now(UTC))
        # Told when a row on screen may next read differently (Unix time): refresh_times then.
        self._wake = wake or (lambda moment: None)
        self.show_owner = False  # an Owner column, when several namespaces are shown
        self._keys: dict[str, tuple[float, str]] = {}  # sort key of each row's job
        self._order: list[str] = []  # job ids, newest first
        self._rows: dict[str, Strip] = {}  # rendered rows, by job id
        self._times: dict[str, tuple[str, ...]] = {}  # what a rendered row's clock cells read
        self._due: dict[str, float] = {}  # when they may read differently (Unix time)
        self._last_tick = 0.0
        self._thumb_due: Timer | None = None  # the scrollbar is told the list's length then
        self._columns: list[Column] = []
        self._fitted: tuple[int, bool] | None = None  # (width, show_owner) of _columns
        self._highlighted: str | None = None
        # Shown, not owned: the screen's Listing holds the marks and the cancels under way.
        self.marked: frozenset[str] = frozenset()
        self.canceling: frozenset[str] = frozenset()
        self.idle_gpu: frozenset[str] = frozenset()  # running jobs whose GPUs sit idle

    # ---- what the app reads -------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._order)

    def job_ids(self) -> list[str]:
        return list(self._order)

    @property
    def columns(self) -> list[Column]:
        return list(self._columns)

    @property
    def selected_job_id(self) -> str | None:
        if not self._order:
            return None
        return self._order[min(self.cursor_row, len(self._order) - 1)]

    def get_row_index(self, job_id: str) -> int:
        return self._order.index(job_id)

    def cells(self, job_id: str) -> dict[str, Text]:
        """What the row of this job shows, column by column."""
        job = self._lookup(job_id)
        return row_cells(job, self._clock()) if job is not None else {}

    # ---- changing the rows -------------------------------------------------------------

    def apply(self, put: Iterable[JobInfo], remove: Iterable[str]) -> None:
        """Apply one poll's diff: only the rows it touches move; the cursor keeps its job."""
        with _KeepPlace(self) as touched:
            for job_id in remove:
                self._remove(job_id)
                touched.add(job_id)
            for job in put:
                self._put(job)
                touched.add(job.id)

    def show_jobs(self, jobs: Iterable[JobInfo]) -> None:
        """Make exactly these jobs the rows (when the filter changes)."""
        with _KeepPlace(self, everything=True):
            self._keys = {job.id: newest_first(job) for job in jobs}
            self._order = sorted(self._keys, key=self._keys.__getitem__)
            self._forget_rows()

    def refresh_times(self) -> None:
        """The clock moved: redraw the rows on screen whose times now read differently, and
        nothing else: a row when "2 minutes ago" becomes "3 minutes ago" or a young live
        job's runtime gains a second, never for nothing. Each row on screen says when it is
        next due (a row drawn again says so as it is drawn)."""
        now = self._clock()
        stamp = now.timestamp()
        if stamp < self._last_tick:  # the clock went back: every row is due
            self._due.clear()
        self._last_tick = stamp
        top = int(self.scroll_y)
        for line, job_id in enumerate(self._order[top : top + self.size.height - 1], start=1):
            due = self._due.get(job_id, 0.0)
            if stamp < due:
                self._wake(due)  # most rows, most ticks: nothing to work out
                continue
            job = self._lookup(job_id)
            if job is None:
                continue
            if self._times.get(job_id) != times_shown(job, now):
                self._rows.pop(job_id, None)  # drawn again, due again, by render_line
                self._redraw_line(line)
            else:
                self._due[job_id] = due = times_change_at(job, now)
                self._wake(due)

    def redraw_all(self) -> None:
        """Every row drawn again (the theme changed)."""
        self._forget_rows()
        self.refresh()

    def _forget_rows(self) -> None:
        """Drawn rows, and what their clocks showed, are worked out again when next drawn."""
        for kept in (self._rows, self._times, self._due):
            kept.clear()

    def set_layout(self, *, show_owner: bool) -> None:
        if show_owner != self.show_owner:
            self.show_owner = show_owner
            self._fit_columns()

    def move_cursor(self, *, row: int) -> None:
        self.cursor_row = row

    def set_flags(self, marked: Iterable[str], canceling: Iterable[str]) -> None:
        """Show these jobs as marked and as being canceled; redraw the rows that changed."""
        marked, canceling = frozenset(marked), frozenset(canceling)
        for job_id in (marked ^ self.marked) | (canceling ^ self.canceling):
            self._rows.pop(job_id, None)
        self.marked, self.canceling = marked, canceling
        self.refresh()

    def set_idle_gpu(self, job_ids: Iterable[str]) -> None:
        """Badge these jobs "idle GPU"; redraw the rows that changed."""
        idle = frozenset(job_ids)
        for job_id in idle ^ self.idle_gpu:
            self._rows.pop(job_id, None)
        self.idle_gpu = idle
        self.refresh()

    def _put(self, job: JobInfo) -> None:
        old = self._keys.get(job.id)
        key = self._keys[job.id] = newest_first(job)
        self._rows.pop(job.id, None)
        if old is None:
            order = self._order
            if not order or self._keys[order[-1]] < key:
                order.append(job.id)  # a listing's pages come newest first: most rows go last
            else:
                bisect.insort(order, job.id, key=self._keys.__getitem__)
        elif old != key:
            self._order.remove(job.id)
            bisect.insort(self._order, job.id, key=self._keys.__getitem__)

    def _remove(self, job_id: str) -> None:
        if self._keys.pop(job_id, None) is not None:
            for kept in (self._rows, self._times, self._due):
                kept.pop(job_id, None)
            self._order.remove(job_id)

    # ---- cursor and scrolling ----------------------------------------------------------

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self._order) - 1))

    def watch_cursor_row(self, old: int, row: int) -> None:
        top = int(self.scroll_y)
        self._scroll_to_cursor()
        if int(self.scroll_y) == top:  # only the two rows the cursor left and reached
            for moved in {old, row}:
                self._redraw_line(moved - top + 1)
        else:
            self.refresh()
        job_id = self.selected_job_id
        if job_id != self._highlighted:
            self._highlighted = job_id
            self.post_message(self.Highlighted(job_id))

    def _redraw_line(self, line: int) -> None:
        """Draw one line of the table again (0 is the header)."""
        self.refresh(Region(0, line, self.size.width, 1))

    def _scroll_to_cursor(self) -> None:
        visible = max(1, self.scrollable_content_region.height - 1)
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_page_up(self) -> None:
        self.cursor_row -= max(1, self.scrollable_content_region.height - 2)

    def action_page_down(self) -> None:
        self.cursor_row += max(1, self.scrollable_content_region.height - 2)

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = len(self._order) - 1

    def on_click(self, event: Click) -> None:
        if event.y >= 1:
            self.cursor_row = int(self.scroll_y) + event.y - 1

    # ---- drawing -----------------------------------------------------------------------

    def on_resize(self) -> None:
        self._fit_columns()

    def _fit_columns(self) -> None:
        fitted = self._fit(self.scrollable_content_region.width)
        self._update_size()
        if fitted:
            self.refresh()

    def _fit(self, width: int) -> bool:
        """Columns for `width`; False if they were already. Also done by the first frame's
        render, so its rows show at once, not a frame later, after the table's Resize."""
        if (width, self.show_owner) == self._fitted or width <= 0:
            return False
        self._fitted = (width, self.show_owner)
        self._columns = layout_columns(width - 1, show_owner=self.show_owner)
        self._forget_rows()
        return True

    def _update_size(self) -> None:
        # One line more than the rows: the header stays at the top.
        size = Size(self.scrollable_content_region.width, len(self._order) + 1)
        old = self.virtual_size
        if size == old:
            return
        growing = old.height < size.height and old.height > self.container_size.height
        if size.width == old.width and growing and self.show_vertical_scrollbar:
            # A list growing past the pane moves only the scrollbar's thumb. Assigning
            # virtual_size lays out the whole screen, which every page of a long first
            # listing did (7 of its 20 s of CPU at 100k jobs); and the thumb, moved for
            # each page, drew a frame for each (1.3 s more): it follows ten times a second.
            self.set_reactive(JobTable.virtual_size, size)
            if self._thumb_due is None:
                self._thumb_due = self.set_timer(THUMB_EVERY, self._move_thumb)
        else:
            self.virtual_size = size

    def _move_thumb(self) -> None:
        self._thumb_due = None
        self.vertical_scrollbar.window_virtual_size = self.virtual_size.height

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        self._fit(width)
        base = self.rich_style
        if y == 0:
            header = Text(" ")
            header.append_text(
                join_cells({c.key: Text(c.label) for c in self._columns}, self._columns)
            )
            return self._strip(
                header, width, base + self.get_component_rich_style("job-table--header")
            )
        index = int(self.scroll_y) + y - 1
        if index >= len(self._order):
            return Strip.blank(width, base)
        job_id = self._order[index]
        strip = self._rows.get(job_id)
        if strip is None:
            job = self._lookup(job_id)
            if job is None:  # gone from the store; the next diff removes the row
                return Strip.blank(width, base)
            now = self._clock()
            row = row_line(
                job,
                now,
                self._columns,
                marked=job_id in self.marked,
                canceling=job_id in self.canceling,
                idle_gpu=job_id in self.idle_gpu,
            )
            self._times[job_id] = times_shown(job, now)
            self._due[job_id] = times_change_at(job, now)
            strip = self._rows[job_id] = self._strip(row, width, base)
        # A row kept from before may come back on screen after its time to move on.
        self._wake(self._due.get(job_id, 0.0))
        if index == self.cursor_row:
            cursor = self.get_component_rich_style("job-table--cursor")
            strip = Strip(Segment.apply_style(strip, post_style=cursor), strip.cell_length)
        return strip

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        segments = list(Segment.apply_style(text.render(self.app.console), style))
        return Strip(segments).crop_extend(0, width, style)


class _KeepPlace:
    """Around a change of rows: the cursor stays on its job and that job stays put on screen
    (unless the view was at the very top, where new jobs are meant to be seen). The table is
    drawn again only if the rows on screen changed: a page of old jobs read into a long list
    lands below them, and drawing the same rows again cost 5 ms a page."""

    def __init__(self, table: JobTable, everything: bool = False) -> None:
        self.table = table
        self.everything = everything
        self.touched: set[str] = set()  # the jobs whose rows came, went or changed

    def __enter__(self) -> set[str]:
        table = self.table
        self.job_id = table.selected_job_id
        self.offset = table.cursor_row - int(table.scroll_y)
        self.at_top = table.scroll_y == 0
        self.on_screen = self._on_screen()
        return self.touched

    def _on_screen(self) -> list[str]:
        top = int(self.table.scroll_y)
        return self.table._order[top : top + self.table.size.height]

    def __exit__(self, *_: object) -> None:
        table = self.table
        table._update_size()
        if self.job_id in table._keys:
            row = table._order.index(self.job_id)
            if not self.at_top:
                table.scroll_to(y=max(0, row - self.offset), animate=False, immediate=True)
            if row != table.cursor_row:
                table.cursor_row = row
        else:
            table.cursor_row = min(table.cursor_row, max(0, len(table._order) - 1))
        on_screen = self._on_screen()
        if self.everything or on_screen != self.on_screen or self.touched.intersection(on_screen):
            table.refresh()
