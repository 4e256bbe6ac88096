"""The schedules view: every scheduled job of the watched namespaces, and the keys that act on
the selected one. `s` opens it over the job list and closes it again.

The Hub is read when the view opens, every `REFRESH_SECONDS` while it is open, and after an
action only when the action's answer did not already say what changed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import humanize
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Static

from jobtui.hub.errors import HubError
from jobtui.hub.models import ScheduledJobInfo
from jobtui.monitor.schedules import (
    REFRESH_SECONDS,
    ScheduleBook,
    command_of,
    image_of,
    in_words,
    labels_of,
    name_of,
    next_runs,
    parse_labels,
    runs_of,
)
from jobtui.monitor.store import JobStore
from jobtui.ui.format import ago, stage_style
from jobtui.ui.schedule_bindings import SCHEDULES_BINDINGS
from jobtui.ui.screens.schedule_dialogs import (
    DeleteScheduleScreen,
    RescheduleScreen,
    ScheduleLabelsScreen,
)
from jobtui.ui.screens.schedule_runs import ScheduleRunsScreen
from jobtui.ui.terminal_text import clean_text
from jobtui.ui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from jobtui.ui.app import JobsApp

TIMES_REFRESH_SECONDS = 15.0
COLUMNS = (
    "Name",
    "Schedule (UTC)",
    "Cron",
    "Next run",
    "Last run",
    "State",
    "Concurrent",
    "Image",
    "Command",
)


def relative(moment: datetime | None, now: datetime) -> str:
    """'in 12 minutes'; '—' when there is no next run (suspended)."""
    if moment is None:
        return "—"
    delta = moment - now
    if delta < timedelta(seconds=30):
        return "due now"
    return f"in {humanize.naturaldelta(delta)}"


class SchedulesScreen(Screen[None]):
    BINDINGS = SCHEDULES_BINDINGS
    DEFAULT_CSS = """
    SchedulesScreen #schedules-status { height: 1; padding: 0 1; background: $panel; }
    SchedulesScreen #schedules {
        height: 1fr; border: round $primary-darken-2; background: $surface;
    }
    SchedulesScreen #schedules:focus { border: round $accent; }
    SchedulesScreen #schedule-detail {
        height: auto; max-height: 12; border: round $primary-darken-2; padding: 0 1;
    }
    """

    def __init__(
        self,
        app: JobsApp,
        book: ScheduleBook,
        store: JobStore,
        namespaces: Callable[[], Sequence[str]],
        show_job: Callable[[str, str], None],
        help: Callable[[], None],
    ) -> None:
        super().__init__()
        self.jobs_app = app
        self.book = book
        self.store = store
        self.namespaces = namespaces
        self.show_job = show_job
        self.show_help = help
        self.status = Static(id="schedules-status")
        self.table: DataTable[Text] = DataTable(
            cursor_type="row", zebra_stripes=True, id="schedules"
        )
        self.detail = Static(id="schedule-detail")
        self.reading = False

    def compose(self) -> ComposeResult:
        yield self.status
        yield self.table
        yield self.detail
        yield KeyBar()

    def on_mount(self) -> None:
        self.table.border_title = "Scheduled jobs"
        self.table.border_subtitle = "enter: past runs · p r e d L: act · s: back to the jobs"
        self.detail.border_title = "Schedule"
        self.table.add_columns(*COLUMNS)
        self.show()
        self.table.focus()
        self.refresh_list()
        self.set_interval(REFRESH_SECONDS, self.refresh_list)
        self.set_interval(TIMES_REFRESH_SECONDS, self.show)

    # ---- reading ---------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.refresh_list()

    @work(group="schedules-read", exclusive=True, exit_on_error=False, description="schedules")
    async def refresh_list(self) -> None:
        namespaces = list(self.namespaces())
        if not namespaces:
            self.status.update(Text("Waiting for the account to know the namespaces…"))
            return
        self.reading = True
        self.show()
        try:
            await self.book.refresh(namespaces)
        finally:
            self.reading = False
        self.show()

    # ---- showing ---------------------------------------------------------------------

    def selected(self) -> ScheduledJobInfo | None:
        if not self.table.row_count:
            return None
        key = self.table.coordinate_to_cell_key(self.table.cursor_coordinate).row_key
        return self.book.schedules.get(str(key.value))

    def show(self) -> None:
        book, now = self.book, self.jobs_app.now()
        chosen = self.selected()
        schedules = book.sorted()
        table = self.table
        with self.app.batch_update():
            table.clear()
            for scheduled in schedules:
                table.add_row(*self.row(scheduled, now), key=scheduled.id)
            if chosen is not None and chosen.id in book.schedules:
                table.move_cursor(row=table.get_row_index(chosen.id), animate=False)
        namespaces = ", ".join(clean_text(ns) for ns in self.namespaces())
        parts = [f"Schedules of {namespaces or '…'}", f"{len(schedules)} in all"]
        if self.reading:
            parts.append("reading…")
        elif not book.loaded:
            parts.append("not read yet")
        for namespace, error in book.errors.items():
            parts.append(f"{clean_text(namespace)}: {clean_text(error)}")
        parts.append("s: back to the jobs")
        self.status.update(Text(" · ".join(parts)))
        self.show_detail()

    def row(self, scheduled: ScheduledJobInfo, now: datetime) -> list[Text]:
        last = self.store.get(scheduled.last_job_id or "")
        if last is not None:
            stage = last.status.stage
            last_text = Text(f"{clean_text(stage)} {ago(last.created_at, now)}")
            last_text.stylize(stage_style(stage), 0, len(clean_text(stage)))
        else:
            last_text = Text("never" if scheduled.last_job_id is None else "not listed")
        suspended = bool(scheduled.suspend)
        return [
            Text(clean_text(name_of(scheduled), max_length=30), style="bold"),
            Text(clean_text(in_words(scheduled.schedule), max_length=50)),
            Text(clean_text(scheduled.schedule or "—"), style="cyan"),
            Text(relative(None if suspended else scheduled.next_run_at, now)),
            last_text,
            Text("suspended", style="yellow") if suspended else Text("active", style="green"),
            Text("yes" if scheduled.concurrency else "no"),
            Text(clean_text(image_of(scheduled), max_length=40)),
            Text(clean_text(command_of(scheduled), max_length=50)),
        ]

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        scheduled = self.selected()
        if scheduled is None:
            message = "No scheduled job in these namespaces." if self.book.loaded else ""
            self.detail.update(Text(message, style="bright_black"))
            return
        now = self.jobs_app.now()
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold cyan", no_wrap=True)
        grid.add_column(overflow="fold")
        when = f"{clean_text(scheduled.schedule or '—')} · {in_words(scheduled.schedule)} (UTC)"
        grid.add_row("Schedule", Text(when))
        if not scheduled.suspend and scheduled.schedule:
            upcoming = next_runs(scheduled.schedule, now)
            times = ", ".join(t.strftime("%a %d %b %H:%M") for t in upcoming)
            grid.add_row("Next runs", Text(times))
        grid.add_row("Command", Text(clean_text(command_of(scheduled)) or "—"))
        grid.add_row("Image", Text(clean_text(image_of(scheduled)) or "—"))
        flavor = scheduled.job_spec.get("flavor")
        grid.add_row("Flavor", Text(clean_text(flavor or "—")))
        labels = " ".join(f"{k}={v}" if v else k for k, v in labels_of(scheduled).items())
        grid.add_row("Labels", Text(clean_text(labels) or "—"))
        grid.add_row("Id", Text(f"{clean_text(scheduled.id)} · {clean_text(scheduled.owner.name)}"))
        self.detail.update(grid)

    # ---- acting ------------------------------------------------------------------------

    def _target(self) -> ScheduledJobInfo | None:
        scheduled = self.selected()
        if scheduled is None:
            self.jobs_app.say("No schedule selected.", timeout=3)
        return scheduled

    def _refused(self, what: str, scheduled: ScheduledJobInfo, error: Exception) -> None:
        name = clean_text(name_of(scheduled), max_length=40)
        self.jobs_app.say(f"Could not {what} {name}: {error}", severity="error", timeout=10)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_help(self) -> None:
        self.show_help()

    def action_suspend(self) -> None:
        if (scheduled := self._target()) is not None:
            self.set_suspended(scheduled, not scheduled.suspend)

    @work(group="schedules-act", exit_on_error=False, description="suspend or resume")
    async def set_suspended(self, scheduled: ScheduledJobInfo, suspend: bool) -> None:
        what = "suspend" if suspend else "resume"
        try:
            await self.book.set_suspended(scheduled, suspend)
        except HubError as error:
            self._refused(what, scheduled, error)
            return
        name = clean_text(name_of(scheduled), max_length=40)
        self.jobs_app.say(f"{'Suspended' if suspend else 'Resumed'} {name}", timeout=4)
        self.show()

    def action_trigger(self) -> None:
        if (scheduled := self._target()) is not None:
            self.trigger(scheduled)

    @work(group="schedules-act", exit_on_error=False, description="run a schedule now")
    async def trigger(self, scheduled: ScheduledJobInfo) -> None:
        try:
            job = await self.book.trigger(scheduled)
        except HubError as error:
            self._refused("start a run of", scheduled, error)
            return
        self.jobs_app.main_screen.apply(self.store.update([job]))
        name = clean_text(name_of(scheduled), max_length=40)
        self.jobs_app.say(f"Started a run of {name}: job {clean_text(job.id)}", timeout=6)
        self.show()

    def action_reschedule(self) -> None:
        if (scheduled := self._target()) is None:
            return

        def answered(schedule: str | None) -> None:
            if schedule is not None and schedule != scheduled.schedule:
                self.reschedule(scheduled, schedule)

        self.app.push_screen(RescheduleScreen(scheduled, self.jobs_app.now), answered)

    @work(group="schedules-act", exit_on_error=False, description="reschedule")
    async def reschedule(self, scheduled: ScheduledJobInfo, schedule: str) -> None:
        try:
            await self.book.reschedule(scheduled, schedule)
        except (HubError, ValueError) as error:
            self._refused("reschedule", scheduled, error)
            return
        name = clean_text(name_of(scheduled), max_length=40)
        self.jobs_app.say(f"{name} now runs {in_words(schedule).lower()} (UTC)", timeout=6)
        self.show()

    def action_labels(self) -> None:
        if (scheduled := self._target()) is None:
            return

        def answered(text: str | None) -> None:
            if text is None:
                return
            labels = parse_labels(text)
            if isinstance(labels, dict) and labels != labels_of(scheduled):
                self.relabel(scheduled, labels)

        self.app.push_screen(ScheduleLabelsScreen(scheduled), answered)

    @work(group="schedules-act", exit_on_error=False, description="relabel")
    async def relabel(self, scheduled: ScheduledJobInfo, labels: dict[str, str]) -> None:
        try:
            await self.book.relabel(scheduled, labels)
        except (HubError, ValueError) as error:
            self._refused("relabel", scheduled, error)
            return
        self.jobs_app.say(f"Labels saved: {clean_text(name_of(scheduled))}", timeout=4)
        self.show()

    def action_delete(self) -> None:
        if (scheduled := self._target()) is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete(scheduled)

        self.app.push_screen(DeleteScheduleScreen(scheduled), answered)

    @work(group="schedules-act", exit_on_error=False, description="delete a schedule")
    async def delete(self, scheduled: ScheduledJobInfo) -> None:
        try:
            await self.book.delete(scheduled)
        except HubError as error:
            self._refused("delete", scheduled, error)
            return
        self.jobs_app.say(f"Deleted the schedule {clean_text(name_of(scheduled))}", timeout=5)
        self.show()

    @on(DataTable.RowSelected, "#schedules")
    def _row_selected(self) -> None:
        self.action_runs()

    def action_runs(self) -> None:
        if (scheduled := self._target()) is None:
            return

        def answered(job_id: str | None) -> None:
            if job_id is not None:
                self.dismiss(None)
                self.show_job(scheduled.owner.name, job_id)

        runs = runs_of(scheduled.id, self.store)
        screen = ScheduleRunsScreen(
            name_of(scheduled), runs, self.jobs_app.now(), last_job_id=scheduled.last_job_id
        )
        self.app.push_screen(screen, answered)
