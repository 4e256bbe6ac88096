"""The schedules view's dialogs: delete (keep is the default), reschedule and labels (each
checked as typed, and nothing sent while it does not pass)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from jobtui.hub.models import ScheduledJobInfo
from jobtui.monitor.schedules import (
    in_words,
    labels_of,
    name_of,
    next_runs,
    parse_labels,
    schedule_problem,
)
from jobtui.ui.terminal_text import clean_text

_DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 80; max-width: 100%; height: auto; max-height: 100%;
    border: thick {border}; background: $surface; padding: 1 2;
}}
{name} Static {{ margin-bottom: 1; }}
{name} Horizontal {{ height: auto; align-horizontal: right; }}
{name} Button {{ margin-left: 2; }}
"""


class DeleteScheduleScreen(ModalScreen[bool]):
    """Answers True to delete. `y` deletes; `n`, escape and the focused button keep it."""

    BINDINGS = [
        Binding(
            "y",
            "confirm",
            "Delete",
            tooltip="delete schedule dialog: yes, delete it",
            id="schedules.delete_confirm",
        ),
        Binding(
            "n,escape",
            "keep",
            "Keep",
            tooltip="delete schedule dialog: no, keep it",
            id="schedules.delete_keep",
        ),
    ]
    DEFAULT_CSS = _DIALOG_CSS.format(name="DeleteScheduleScreen", border="$error")

    def __init__(self, scheduled: ScheduledJobInfo) -> None:
        super().__init__()
        self.scheduled = scheduled

    def compose(self) -> ComposeResult:
        scheduled = self.scheduled
        name = clean_text(name_of(scheduled), max_length=40)
        with Vertical() as box:
            box.border_title = "Delete schedule"
            yield Static(Text(f"Delete the schedule {name}?", style="bold"))
            yield Static(
                Text(
                    f"{clean_text(scheduled.schedule or '')} · {in_words(scheduled.schedule)}\n"
                    "No more runs will start; runs already started go on. "
                    "The Hub cannot undo this.",
                )
            )
            yield Static(Text("y deletes · n or escape keeps it", style="bright_black"))
            with Horizontal():
                yield Button("Keep it", id="keep", variant="default")
                yield Button("Delete schedule", id="delete", variant="error")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "delete")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_keep(self) -> None:
        self.dismiss(False)


class _CheckedInput(ModalScreen[str | None]):
    """One line to edit, checked at each keystroke; enter answers it only when it passes."""

    BINDINGS = [
        Binding(
            "escape",
            "dismiss_none",
            "Cancel",
            tooltip="edit dialog: cancel",
            id="schedules.edit_cancel",
        )
    ]
    TITLE_TEXT = ""
    PLACEHOLDER = ""

    def __init__(self, scheduled: ScheduledJobInfo, value: str) -> None:
        super().__init__()
        self.scheduled = scheduled
        self.initial = value
        self.verdict = Static(id="verdict")

    def check(self, value: str) -> tuple[bool, Text]:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        name = clean_text(name_of(self.scheduled), max_length=40)
        with Vertical() as box:
            box.border_title = f"{self.TITLE_TEXT}: {name}"
            yield Input(value=self.initial, placeholder=self.PLACEHOLDER, id="value")
            yield self.verdict
            yield Static(Text("enter saves · escape cancels", style="bright_black"))

    def on_mount(self) -> None:
        self._show(self.initial)

    def _show(self, value: str) -> bool:
        ok, text = self.check(value)
        self.verdict.update(text)
        return ok

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._show(event.value)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if self._show(event.value):
            self.dismiss(event.value.strip())

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class RescheduleScreen(_CheckedInput):
    """Answers the new schedule, valid; None when cancelled."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="RescheduleScreen", border="$accent")
    TITLE_TEXT = "Reschedule"
    PLACEHOLDER = "@hourly, @daily, 0 3 * * 1 …"

    def __init__(self, scheduled: ScheduledJobInfo, now: Callable[[], datetime]) -> None:
        super().__init__(scheduled, scheduled.schedule or "")
        self.now = now

    def check(self, value: str) -> tuple[bool, Text]:
        problem = schedule_problem(value)
        if problem is not None:
            return False, Text(problem, style="bold red")
        runs = next_runs(value, self.now())
        when = ", ".join(run.strftime("%a %Y-%m-%d %H:%M") for run in runs)
        return True, Text(f"{in_words(value)} (UTC)\nnext: {when}", style="green")


class ScheduleLabelsScreen(_CheckedInput):
    """Answers the labels as typed ('key=value key2'), checked; None when cancelled."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="ScheduleLabelsScreen", border="$accent")
    TITLE_TEXT = "Labels"
    PLACEHOLDER = "name=nightly team=ml …"

    def __init__(self, scheduled: ScheduledJobInfo) -> None:
        super().__init__(scheduled, labels_text(labels_of(scheduled)))

    def check(self, value: str) -> tuple[bool, Text]:
        parsed = parse_labels(value)
        if isinstance(parsed, str):
            return False, Text(parsed, style="bold red")
        count = len(parsed)
        return True, Text(
            f"{count} label{'s' if count != 1 else ''} · the runs it starts carry them "
            "(the name label names them)",
            style="green",
        )


def labels_text(labels: Mapping[str, str]) -> str:
    return " ".join(f"{key}={value}" if value else key for key, value in labels.items())
