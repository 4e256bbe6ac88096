"""The `?` screen: every key jobtui answers to, read from the bindings (see ui/keys.py)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.console import Group, RenderableType
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
        # One grid per view, under its name; the keys' column as wide in each.
        width = max((cell_len(key) for _, rows in self.sections for key, _ in rows), default=1)
        parts: list[RenderableType] = []
        for number, (title, rows) in enumerate(self.sections):
            parts.append(Text(("\n" if number else "") + title, style="bold underline"))
            table = Table.grid(padding=(0, 2))
            table.add_column(style="bold cyan", no_wrap=True, width=width)
            table.add_column()
            for key, what in rows:
                table.add_row(Text(key), Text(what))
            parts.append(table)
        with self.body as scroll:
            scroll.border_title = "Keys"
            scroll.border_subtitle = "escape to close · j k to scroll"
            if self.problem:
                yield Static(Text(clean_text(self.problem), style="bold red"), classes="problem")
            yield Static(Group(*parts))

    def action_scroll(self, lines: int) -> None:
        self.body.scroll_relative(y=lines, animate=False)
