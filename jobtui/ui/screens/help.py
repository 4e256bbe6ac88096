"""The `?` screen: every key jobtui answers to."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: tuple[tuple[str, str], ...] = (
    ("↑ ↓  j k", "move through jobs (or scroll the focused pane)"),
    ("tab / shift+tab", "next / previous pane: jobs, details, log"),
    ("/", "filter jobs by id, name, image, command, flavor or stage"),
    ("enter (in filter)", "apply the filter and select the first match"),
    ("escape", "clear the filter / close this screen"),
    ("a", "show all jobs / only live ones (scheduling, running)"),
    ("c", "cancel the selected job, or every marked live job (asks first)"),
    ("space", "mark / unmark a job for cancel"),
    ("r", "rerun the selected job: preview, edit flavor and environment, then run"),
    ("n", "switch namespace: each watched user or org, then all"),
    ("o", "open the job page in a browser (over ssh: show its URL)"),
    ("y / Y", "copy the job id / its URL to the clipboard"),
    ("i", "show details instead of the log (narrow terminals)"),
    ("G  end", "log: jump to the end and follow new lines"),
    ("g  home", "go to the top"),
    ("R  ctrl+r", "refresh now"),
    ("?", "this help"),
    ("q", "quit"),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 80; max-width: 95%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 1 2;
    }
    """

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for key, what in KEYS:
            table.add_row(key, what)
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys"
            scroll.border_subtitle = "escape to close"
            yield Static(table)
