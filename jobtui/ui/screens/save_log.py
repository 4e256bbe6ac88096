"""The save-log dialog: where to write the job's whole log, editable; never over a file."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


def check_path(text: str) -> Path | str:
    """The path to write, or why not (a message a person can act on)."""
    text = text.strip()
    if not text:
        return "Type a file name."
    path = Path(text).expanduser()
    if path.exists():
        return f"{path} exists: it is never overwritten. Choose another name."
    if not path.parent.is_dir():
        return f"No folder {path.parent}."
    return path


class SaveLogScreen(ModalScreen[Path | None]):
    """Answers the path to write to (which does not exist yet), or None on escape."""

    BINDINGS = [
        Binding(
            "escape",
            "dismiss_none",
            "Don't save",
            tooltip="save dialog: close, save nothing",
            id="save.close",
        ),
    ]

    DEFAULT_CSS = """
    SaveLogScreen { align: center middle; }
    SaveLogScreen > Vertical {
        width: 80; max-width: 100%; height: auto; padding: 1 2;
        border: thick $accent; background: $surface;
    }
    SaveLogScreen #save-why { color: $error; height: auto; }
    SaveLogScreen #save-hint { color: $text-muted; }
    """

    def __init__(self, default: Path, job_name: str) -> None:
        super().__init__()
        self.default = default
        self.job_name = job_name

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                f"Save the whole log of {self.job_name}, fetched from the Hub, "
                "as plain text with timestamps, to:",
                markup=False,
            )
            yield Input(str(self.default), id="save-path")
            yield Static("", id="save-why", markup=False)
            yield Static("enter saves · escape closes", id="save-hint")

    @on(Input.Submitted, "#save-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        checked = check_path(event.value)
        if isinstance(checked, str):
            self.query_one("#save-why", Static).update(checked)
            return
        self.dismiss(checked)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
