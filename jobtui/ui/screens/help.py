"""The `?` screen: every key jobtui answers to, read from the bindings (see ui/keys.py)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from jobtui.ui.terminal_text import clean_text


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
        Binding("down,j", "scroll(1)", "Down", show=False, id="help.down"),
        Binding("up,k", "scroll(-1)", "Up", show=False, id="help.up"),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90; max-width: 95%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 1 2;
    }
    HelpScreen .problem { margin-bottom: 1; }
    """

    def __init__(
        self,
        sections: Sequence[tuple[str, Sequence[tuple[str, str]]]],
        *,
        problem: str | None = None,
    ) -> None:
        """`sections`: (view, rows of (keys, what they do)), shown one under the other."""
        super().__init__()
        self.sections = sections
        self.problem = problem
        self.body = VerticalScroll()

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for number, (title, rows) in enumerate(self.sections):
            if number:
                table.add_row("", "")
            table.add_row(Text(title, style="bold underline"), "")
            for key, what in rows:
                table.add_row(Text(key), Text(what))
        with self.body as scroll:
            scroll.border_title = "Keys"
            scroll.border_subtitle = "escape to close · j k to scroll"
            if self.problem:
                yield Static(Text(clean_text(self.problem), style="bold red"), classes="problem")
            yield Static(table)

    def action_scroll(self, lines: int) -> None:
        self.body.scroll_relative(y=lines, animate=False)
