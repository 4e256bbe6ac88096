"""The cancel confirmation: what will stop, what it has cost, and "keep it running" first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from jobtui.hub.models import JobHardwareInfo, JobInfo
from jobtui.monitor.costs import billed_cost, running_seconds
from jobtui.ui.format import compact_duration, money
from jobtui.ui.keynames import keys_for
from jobtui.ui.terminal_text import clean_text


def cancel_summary(
    jobs: Sequence[JobInfo], hardware: dict[str, JobHardwareInfo], now: datetime
) -> Table:
    if len(jobs) == 1:
        # One job: label and value rows, which fit at 80 columns where a table's did not.
        job = jobs[0]
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold cyan", no_wrap=True)
        grid.add_column(overflow="fold")
        grid.add_row("Name", Text(clean_text(job.display_name, max_length=80), style="bold"))
        grid.add_row("ID", Text(clean_text(job.id)))
        grid.add_row("Flavor", Text(clean_text(job.flavor or "—")))
        grid.add_row("Runtime", Text(compact_duration(running_seconds(job, now))))
        spent = billed_cost(job, hardware.get(job.flavor or ""), now)
        grid.add_row("Cost so far", Text(money(spent), style="yellow"))
        return grid
    table = Table(box=None, padding=(0, 1), show_edge=False)
    for header in ("Name", "Flavor", "Runtime", "Cost"):
        table.add_column(header, style="bold" if header == "Name" else "", no_wrap=True)
    for job in jobs:
        spent = billed_cost(job, hardware.get(job.flavor or ""), now)
        table.add_row(
            Text(clean_text(job.display_name, max_length=30)),
            Text(clean_text(job.flavor or "—")),
            Text(compact_duration(running_seconds(job, now))),
            Text(money(spent), style="yellow"),
        )
    return table


class CancelScreen(ModalScreen[bool]):
    """Answers True to cancel. `y` confirms; `n` and escape keep the jobs running."""

    BINDINGS = [
        Binding(
            "y", "confirm", "Cancel job", tooltip="cancel dialog: yes, cancel", id="cancel.confirm"
        ),
        Binding(
            "n,escape",
            "keep",
            "Keep running",
            tooltip="cancel dialog: no, keep it running",
            id="cancel.keep",
        ),
    ]

    DEFAULT_CSS = """
    CancelScreen { align: center middle; }
    CancelScreen > Vertical {
        width: 84; max-width: 100%; height: auto; max-height: 100%;
        border: thick $error; background: $surface; padding: 1 2;
    }
    CancelScreen #question { margin-bottom: 1; }
    CancelScreen #summary { margin-bottom: 1; height: auto; max-height: 16; }
    CancelScreen Horizontal { height: auto; align-horizontal: right; }
    CancelScreen Button { margin-left: 2; }
    """

    def __init__(
        self, jobs: Sequence[JobInfo], hardware: dict[str, JobHardwareInfo], now: datetime
    ) -> None:
        super().__init__()
        self.jobs = list(jobs)
        self.hardware = hardware
        self.now = now

    def compose(self) -> ComposeResult:
        count = len(self.jobs)
        question = (
            f"Cancel {clean_text(self.jobs[0].display_name, max_length=40)}?"
            if count == 1
            else f"Cancel these {count} jobs?"
        )
        with Vertical() as box:
            box.border_title = "Cancel job" if count == 1 else f"Cancel {count} jobs"
            yield Static(Text(question, style="bold"), id="question")
            yield Static(cancel_summary(self.jobs, self.hardware, self.now), id="summary")
            yield Static(
                Text(
                    f"{keys_for(self, 'cancel.confirm')} cancels · "
                    f"{keys_for(self, 'cancel.keep')} keeps it running",
                    style="bright_black",
                ),
            )
            with Horizontal():
                yield Button("Keep it running", id="keep", variant="default")
                yield Button(
                    "Cancel job" if count == 1 else "Cancel jobs", id="cancel", variant="error"
                )

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "cancel")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_keep(self) -> None:
        self.dismiss(False)
