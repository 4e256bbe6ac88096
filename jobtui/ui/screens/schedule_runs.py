"""A schedule's past runs, newest first; enter answers the job to show in the job list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from jobtui.hub.models import JobInfo
from jobtui.ui.format import ago, stage_style
from jobtui.ui.terminal_text import clean_text


class ScheduleRunsScreen(ModalScreen[str | None]):
    """Answers the chosen run's job id, or None (escape)."""

    BINDINGS = [
        Binding(
            "escape",
            "close",
            "Back",
            tooltip="past runs: back to the schedules",
            id="schedules.runs_back",
        ),
    ]
    DEFAULT_CSS = """
    ScheduleRunsScreen { align: center middle; }
    ScheduleRunsScreen > Vertical {
        width: 100; max-width: 100%; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    ScheduleRunsScreen DataTable { height: auto; max-height: 20; }
    ScheduleRunsScreen Static { margin-top: 1; }
    """

    def __init__(
        self,
        title: str,
        runs: Sequence[JobInfo],
        now: datetime,
        *,
        last_job_id: str | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.runs = list(runs)
        self.now = now
        # The Hub names the last run; it may not have reached the job list yet.
        self.unlisted = last_job_id if last_job_id not in {job.id for job in runs} else None
        self.table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True)

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"Past runs of {clean_text(self.title_text, max_length=40)}"
            box.border_subtitle = "enter: show the job in the list · escape: back"
            yield self.table
            if not self.runs and self.unlisted is None:
                yield Static(Text("No run of this schedule in the job list.", style="italic"))

    def on_mount(self) -> None:
        table = self.table
        table.add_columns("Started", "Stage", "Job", "Name")
        if self.unlisted is not None:
            table.add_row(
                Text("last run"),
                Text("?", style="bright_black"),
                Text(clean_text(self.unlisted)),
                Text("not in the job list yet", style="italic"),
                key=self.unlisted,
            )
        for job in self.runs:
            stage = job.status.stage
            table.add_row(
                Text(ago(job.created_at, self.now)),
                Text(clean_text(stage), style=stage_style(stage)),
                Text(clean_text(job.id)),
                Text(clean_text(job.display_name, max_length=40)),
                key=job.id,
            )
        table.focus()

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        self.dismiss(event.row_key.value)

    def action_close(self) -> None:
        self.dismiss(None)
