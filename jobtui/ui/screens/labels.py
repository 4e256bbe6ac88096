"""`L`: edit the selected job's name and labels (`hf jobs labels`).

The name is the `name` label (the job's display name); the other labels are typed as
`key=value` words. The Hub's rules are checked before anything is sent; the request is
handed in as `send` (the screen holds no HTTP) and a refusal comes back here with the
Hub's reason, the job unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from jobtui.hub.models import JobInfo
from jobtui.monitor.labels import LabelError, labels_text, new_labels
from jobtui.ui.screens.sending import SendingScreen
from jobtui.ui.terminal_text import clean_text


class LabelsScreen(SendingScreen[JobInfo | None]):
    """Answers the job as the Hub returned it after the change, or None (nothing sent)."""

    BINDINGS = [
        Binding(
            "ctrl+s",
            "save",
            "Save",
            tooltip="labels dialog: save (enter in a field too)",
            id="labels.save",
        ),
        Binding(
            "escape",
            "back",
            "Back",
            tooltip="labels dialog: back out, nothing sent",
            id="labels.back",
        ),
    ]

    DEFAULT_CSS = """
    LabelsScreen { align: center middle; }
    LabelsScreen > Vertical {
        width: 84; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface; padding: 1 2;
    }
    LabelsScreen Label { margin-top: 1; color: $text-muted; }
    LabelsScreen #problem { color: $error; height: auto; margin-top: 1; }
    LabelsScreen .hint { color: $text-muted; }
    LabelsScreen Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    LabelsScreen Button { margin-left: 2; }
    """

    def __init__(self, job: JobInfo, send: Callable[[dict[str, str]], Awaitable[JobInfo]]) -> None:
        super().__init__()
        self.job = job
        self.send = send
        labels = job.labels or {}
        # Cleaned for the screen: a label the Hub took holds only safe characters anyway.
        self.name_input = Input(clean_text(labels.get("name", "")), id="name", placeholder="none")
        self.labels_input = Input(
            clean_text(labels_text(labels)), id="labels", placeholder="team=speech wip"
        )
        self.problem = Static("", id="problem")

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"Name and labels · {clean_text(self.job.id)}"
            yield Static(
                Text(
                    "Letters, digits, '-' and '_' only, at most 100 characters each. "
                    "The labels replace all the job's labels.",
                ),
                classes="hint",
            )
            yield Label("Name (the name label, shown in the list)")
            yield self.name_input
            yield Label("Labels: key=value or key, separated by spaces")
            yield self.labels_input
            yield self.problem
            with Horizontal():
                yield Button("Back", id="back")
                yield Button("Save", id="save", variant="primary")

    def on_mount(self) -> None:
        self.name_input.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        (self.action_save if event.button.id == "save" else self.action_back)()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        if self.sending:
            return  # one request, however often the key is pressed
        try:
            labels = new_labels(self.name_input.value, self.labels_input.value)
        except LabelError as exc:
            self.problem.update(Text(f"Not sent: {exc}"))
            return
        if labels == (self.job.labels or {}):
            self.dismiss(None)  # nothing changed: nothing to send
            return
        self.send_once(
            lambda: self.send(labels),
            refused="The Hub refused the change",
            button="save",
            description="relabel a job",
        )

    def action_back(self) -> None:
        if not self.sending:
            self.dismiss(None)
