"""The job list: a keyed DataTable updated by diffs, so the cursor and scroll stay put."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, ColumnKey, RowDoesNotExist

from jobtui.hub.models import JobInfo
from jobtui.store import newest_first
from jobtui.ui.format import ago, compact_duration, running_seconds, shell_command, stage_style
from jobtui.ui.terminal_text import clean_text

COLUMNS: tuple[tuple[str, str, int], ...] = (
    # key, label, width at the least; name, image and command share what room is left
    ("stage", "Stage", 10),
    ("owner", "Owner", 12),
    ("name", "Name", 18),
    ("image", "Image / Space", 16),
    ("command", "Command", 16),
    ("flavor", "Flavor", 12),
    ("created", "Created", 14),
    ("runtime", "Runtime", 8),
)
# How the room left over is shared: (column, share, most it takes).
STRETCH = (("name", 1, 14), ("image", 1, 18), ("command", 3, 1000))
CELL_PADDING = 2
# Columns dropped when the terminal is narrow.
NARROW_HIDDEN = ("image", "command")


class CreatedCell(Text):
    """A 'created' cell that sorts by the job's age, not by its text."""

    sort_key: tuple[float, str] = (0.0, "")


def row_cells(job: JobInfo, now: datetime) -> dict[str, Text]:
    stage = str(job.status.stage)
    created = CreatedCell(ago(job.created_at, now), style="bright_black" if not job.is_live else "")
    created.sort_key = newest_first(job)
    name_style = "bold" if job.is_live else ""
    return {
        "stage": Text(clean_text(stage.lower(), max_length=12), style=stage_style(stage)),
        "owner": Text(clean_text(job.owner.name, max_length=20)),
        "name": Text(clean_text(job.display_name, max_length=48), style=name_style),
        "image": Text(clean_text(job.image, max_length=60)),
        "command": Text(clean_text(shell_command(job), max_length=120), style="bright_black"),
        "flavor": Text(clean_text(job.flavor or "—", max_length=20)),
        "created": created,
        "runtime": Text(compact_duration(running_seconds(job, now)), justify="right"),
    }


class JobTable(DataTable[Text]):
    """Shows jobs as rows keyed by job id. Knows nothing of the Hub: the app feeds it diffs."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g,home", "scroll_top", "Top", show=False),
        Binding("G,end", "scroll_bottom", "Bottom", show=False),
    ]

    def __init__(self, *, show_owner: bool = False, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)  # type: ignore[arg-type]
        self._cells: dict[str, dict[str, Text]] = {}
        self._last_now = datetime.now(UTC)
        self._jobs: dict[str, JobInfo] = {}
        self.show_owner = show_owner
        self.narrow = False  # too narrow for the image and command columns

    def on_mount(self) -> None:
        self._add_columns()

    def _columns_shown(self) -> list[tuple[str, str, int]]:
        return [
            column
            for column in COLUMNS
            if (column[0] != "owner" or self.show_owner)
            and not (self.narrow and column[0] in NARROW_HIDDEN)
        ]

    def _add_columns(self) -> None:
        for key, label, width in self._columns_shown():
            self.add_column(label, key=key, width=width)
        self._fit_columns()

    def on_resize(self) -> None:
        full = sum(w + CELL_PADDING for key, _, w in COLUMNS if key != "owner" or self.show_owner)
        narrow = self.size.width - 2 < full
        if narrow != self.narrow:
            self.set_layout(show_owner=self.show_owner, narrow=narrow, now=self._last_now)
        else:
            self._fit_columns()

    def _fit_columns(self) -> None:
        """Widen name, image and command to use the room the pane has; no sideways scrolling."""
        shown = self._columns_shown()
        if not self.size.width or not self.columns:
            return
        room = self.size.width - 2 - sum(width + CELL_PADDING for _, _, width in shown)
        widths = {key: width for key, _, width in shown}
        stretch = [(key, share, most) for key, share, most in STRETCH if key in widths]
        total_share = sum(share for _, share, _ in stretch) or 1
        for key, share, most in stretch:
            extra = min(most, max(0, room * share // total_share))
            widths[key] += extra
        # What the capped columns did not take goes to the command.
        leftover = room - sum(widths[key] - w for key, _, w in shown if key in widths)
        if "command" in widths and leftover > 0:
            widths["command"] += leftover
        changed = False
        for key, width in widths.items():
            column = self.columns.get(ColumnKey(key))
            if column is not None and column.width != width:
                column.width, column.auto_width = width, False
                changed = True
        if changed:
            # DataTable has no public call to re-measure columns: reset its caches by hand.
            self._require_update_dimensions = True
            self._clear_caches()
            self.refresh()

    @property
    def selected_job_id(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except CellDoesNotExist:
            return None

    def job_ids(self) -> list[str]:
        """Row keys in display order."""
        return [row.key.value for row in self.ordered_rows if row.key.value is not None]

    def set_layout(self, *, show_owner: bool, now: datetime, narrow: bool | None = None) -> None:
        """Change which columns show; rebuilds the rows, keeping the selection."""
        narrow = self.narrow if narrow is None else narrow
        if (show_owner, narrow) == (self.show_owner, self.narrow) and self.columns:
            return
        self.show_owner, self.narrow = show_owner, narrow
        jobs = list(self._jobs.values())
        selected = self.selected_job_id
        self.clear(columns=True)
        self._cells.clear()
        self._jobs.clear()
        self._add_columns()
        self.show_jobs(jobs, now=now, select=selected)

    def show_jobs(
        self, jobs: Iterable[JobInfo], *, now: datetime, select: str | None = None
    ) -> None:
        """Make exactly these jobs the rows (used when the filter changes)."""
        jobs = list(jobs)
        wanted = {job.id for job in jobs}
        selected = select or self.selected_job_id
        gone = [job_id for job_id in self._jobs if job_id not in wanted]
        if len(gone) > 200:
            # remove_row rebuilds the row map each time: many removals are cheaper as a refill.
            self.clear()
            self._cells.clear()
            self._jobs.clear()
            gone = []
        with self.app.batch_update():
            for job_id in gone:
                self._remove(job_id)
            added = False
            for job in jobs:
                added |= self._put(job, now)
            if added:
                self._sort()
            self._reselect(selected)

    def apply(
        self,
        added: Iterable[JobInfo],
        changed: Iterable[JobInfo],
        removed: Iterable[str],
        *,
        visible: Callable[[JobInfo], bool],
        now: datetime,
    ) -> None:
        """Apply one poll's diff in a single batch: cursor and scroll stay on the same job."""
        selected = self.selected_job_id
        added_rows = False
        with self.app.batch_update():
            for job_id in removed:
                self._remove(job_id)
            for job in (*added, *changed):
                if visible(job):
                    added_rows |= self._put(job, now)
                else:
                    self._remove(job.id)
            if added_rows:
                self._sort()
            self._reselect(selected)

    def refresh_times(self, now: datetime) -> None:
        """Re-word 'created' and 'runtime' as time passes; touches only cells whose text moved."""
        with self.app.batch_update():
            for job in self._jobs.values():
                self._put(job, now)

    def _put(self, job: JobInfo, now: datetime) -> bool:
        """Add or update one row; returns True when a row was added."""
        self._last_now = now
        cells = row_cells(job, now)
        old = self._cells.get(job.id)
        self._jobs[job.id] = job
        self._cells[job.id] = cells
        keys = [key for key, _, _ in self._columns_shown()]
        if old is None:
            self.add_row(*(cells[key] for key in keys), key=job.id)
            return True
        for key in keys:
            if cells[key] != old[key] or cells[key].style != old[key].style:
                self.update_cell(job.id, key, cells[key])
        return False

    def _remove(self, job_id: str) -> None:
        if self._cells.pop(job_id, None) is not None:
            self._jobs.pop(job_id, None)
            self.remove_row(job_id)

    def _sort(self) -> None:
        self.sort("created", key=lambda cell: cell.sort_key)

    def _reselect(self, job_id: str | None) -> None:
        if job_id is None or job_id not in self._cells:
            return
        try:
            index = self.get_row_index(job_id)
        except RowDoesNotExist:
            return
        if index != self.cursor_row:
            self.move_cursor(row=index, animate=False)

    def action_scroll_top(self) -> None:
        self.move_cursor(row=0)

    def action_scroll_bottom(self) -> None:
        self.move_cursor(row=self.row_count - 1)
