"""`r`: run a job again as it was, the way the Hub does it (`hf jobs rerun`).

One confirmation, nothing to type: the Hub copies the spec, retries and resources, and keeps
the secrets itself. `e` opens the edit-and-run preview instead. The request is handed in as
`send`, so the screen holds no HTTP; a failure comes back here with the Hub's reason.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from jobtui.hub.models import JobHardwareInfo, JobInfo
from jobtui.ui.format import shell_command
from jobtui.ui.keynames import keys_for
from jobtui.ui.screens.sending import SendingScreen
from jobtui.ui.terminal_text import clean_text

EDIT = "edit"


def rerun_summary(job: JobInfo, flavor: JobHardwareInfo | None) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold cyan", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("Name", Text(clean_text(job.display_name, max_length=80), style="bold"))
    source = job.space_id or job.docker_image or "—"
    grid.add_row("Space" if job.space_id else "Image", Text(clean_text(source, max_length=200)))
    grid.add_row("Command", Text(clean_text(shell_command(job), max_length=300) or "—"))
    price = f"  ${flavor.price_per_hour:,.2f}/hour" if flavor is not None else ""
    grid.add_row("Flavor", Text(clean_text(job.flavor or "—") + price))
    if job.retry:
        grid.add_row("Retries", Text(str(job.retry)))
    secrets = ", ".join(clean_text(name) for name in dict.fromkeys(job.secrets or ()))
    if secrets:
        grid.add_row("Secrets", Text(f"kept by the Hub: {secrets}", style="green"))
    return grid


class RerunConfirmScreen(SendingScreen[JobInfo | str | None]):
    """Answers the new job, EDIT to open the preview, or None to back out."""

    BINDINGS = [
        Binding(
            "y,enter",
            "run",
            "Run again",
            tooltip="rerun dialog: run it again as it was",
            id="rerun.run",
        ),
        Binding(
            "e", "edit", "Edit first", tooltip="rerun dialog: edit before running", id="rerun.edit"
        ),
        Binding("n,escape", "back", "Back", id="rerun.back"),
    ]

    DEFAULT_CSS = """
    RerunConfirmScreen { align: center middle; }
    RerunConfirmScreen > Vertical {
        width: 84; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface; padding: 1 2;
    }
    RerunConfirmScreen #summary { margin-bottom: 1; height: auto; }
    RerunConfirmScreen #problem { color: $error; height: auto; }
    RerunConfirmScreen Horizontal { height: auto; align-horizontal: right; }
    RerunConfirmScreen Button { margin-left: 2; }
    """

    def __init__(
        self,
        job: JobInfo,
        hardware: Mapping[str, JobHardwareInfo],
        send: Callable[[], Awaitable[JobInfo]],
    ) -> None:
        super().__init__()
        self.job = job
        self.flavor = hardware.get(job.flavor or "")
        self.send = send
        self.problem = Static("", id="problem")

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Run again"
            yield Static(rerun_summary(self.job, self.flavor), id="summary")
            yield Static(
                Text(
                    f"{keys_for(self, 'rerun.run')} runs it as it was · "
                    f"{keys_for(self, 'rerun.edit')} edits first · "
                    f"{keys_for(self, 'rerun.back')} backs out"
                ),
                classes="hint",
            )
            yield self.problem
            with Horizontal():
                yield Button("Back", id="back")
                yield Button("Edit first", id="edit")
                yield Button("Run again", id="run", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#run", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        {"run": self.action_run, "edit": self.action_edit}.get(
            event.button.id or "", self.action_back
        )()

    def action_run(self) -> None:
        self.send_once(self.send, refused="Rerun failed", button="run", description="rerun a job")

    def action_edit(self) -> None:
        if not self.sending:
            self.dismiss(EDIT)

    def action_back(self) -> None:
        if not self.sending:
            self.dismiss(None)
