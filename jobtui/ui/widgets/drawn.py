"""A Rich renderable drawn once for each width it is shown at.

Textual draws a Static's content once to learn its height and again to show it; a widget
that swaps contents may also want the new height first, to know whether the screen must be
laid out again (a layout measures and draws every widget).
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment


class DrawnOnce:
    """Wraps a renderable; its lines are worked out once a width, then handed out again."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable
        self._lines: dict[int, list[list[Segment]]] = {}

    def lines(self, console: Console, options: ConsoleOptions) -> list[list[Segment]]:
        width = options.max_width
        lines = self._lines.get(width)
        if lines is None:
            # All of it, whatever height the caller shows: the same lines serve every call.
            whole = options.update(height=None)
            lines = self._lines[width] = console.render_lines(self.renderable, whole, pad=False)
        return lines

    def height(self, console: Console, options: ConsoleOptions) -> int:
        return len(self.lines(console, options))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        new_line = Segment.line()
        for line in self.lines(console, options):
            yield from line
            yield new_line
