"""The log tail: a state line (streaming / ended / reconnecting) above a LogView."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from jobtui.ui.terminal_text import clean_text
from jobtui.ui.widgets.log_view import LogView

FLUSH_SECONDS = 1 / 20

STATE_STYLES = {
    "connecting": "yellow",
    "streaming": "green",
    "ended": "bright_black",
    "reconnecting": "bold yellow",
    "error": "bold red",
}


class LogPane(Vertical):
    """Buffers incoming lines and hands them to the view a batch per frame."""

    DEFAULT_CSS = """
    LogPane > #log-state { height: 1; padding: 0 1; background: $panel; }
    LogPane > LogView { height: 1fr; }
    """

    def __init__(self, max_lines: int = 10_000, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._pending: list[str] = []
        self._state = ("", "")
        self._empty_note = ""
        # Held, not queried: a stream or a flush may still report while the app shuts
        # down and the children are already gone.
        self._state_line = Static("", id="log-state")
        self._view = LogView(max_lines=max_lines, id="log-view")

    def compose(self) -> ComposeResult:
        yield self._state_line
        yield self._view

    def on_mount(self) -> None:
        self.set_interval(FLUSH_SECONDS, self.flush)
        self.watch(self.view, "following", lambda _: self._show_state(), init=False)

    @property
    def view(self) -> LogView:
        return self._view

    def start(self, title: str, *, empty_note: str = "") -> None:
        """A new job's log: empty the view and say we are connecting.

        `empty_note` is said while no line has come (e.g. the job has not started yet)."""
        self._pending.clear()
        self._empty_note = empty_note
        self.view.clear()
        self.border_title = Text(f"Log · {clean_text(title, max_length=60)}")
        self.set_state("connecting", "")

    def add(self, line: str) -> None:
        self._pending.append(line)

    def flush(self) -> None:
        if self._pending:
            lines, self._pending = self._pending, []
            self.view.write_lines(lines)
            self._show_state()

    def set_state(self, state: str, detail: str) -> None:
        self._state = (state, detail)
        self._show_state()

    def _show_state(self) -> None:
        state, detail = self._state
        view = self.view
        text = Text(state or "no job selected", style=STATE_STYLES.get(state, "bright_black"))
        if detail:
            text.append(" · " + clean_text(detail, max_length=120))
        elif not view.written and self._empty_note:
            text.append(" · " + self._empty_note, style="bright_black")
        text.append(f" · {view.written:,} lines", style="bright_black")
        if view.written > view.line_count:
            text.append(f" (last {view.line_count:,} kept)", style="bright_black")
        if not view.following and view.line_count:
            text.append(" · paused, G or end to follow", style="bold cyan")
        self._state_line.update(text)
