"""The key bar at the bottom: the keys of the focused pane, and the palette's on the right.

It shows what Textual's Footer shows, and looks the same, but it is one widget drawing one
line. The Footer is a widget per key: at start those were 11 of the screen's 50 widgets and
a fifth of the work before the first frame, and it built them all again at every focus
change. Here a key is a span of the line: hovering it highlights it and shows its tooltip,
clicking it presses it.
"""

from __future__ import annotations

from msgspec import Struct
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

VKEY = "▏"  # the left edge of the palette's key, as the Footer draws it


class Span(Struct, frozen=True):
    """One key on the bar: its cells, and what pressing it does."""

    start: int
    end: int
    binding: Binding
    enabled: bool
    tooltip: str


class KeyBar(Widget):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "key-bar--key",
        "key-bar--description",
        "key-bar--edge",
        "key-bar--hover",
    }
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        & > .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-bar--edge { color: $foreground 20%; }
        & > .key-bar--hover { background: $block-hover-background; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[Span] = []
        self._hover: int | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is self.screen:
            self.refresh()

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[Span] = []
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        hover_style = self.get_component_rich_style("key-bar--hover", partial=True)
        shown, palette = self._keys()
        for binding, enabled, tooltip in shown:
            start = len(line)
            key = f" {self.app.get_key_display(binding)} "
            line.append(key, key_style)
            line.append(f"{binding.description} ", description_style)
            spans.append(Span(start, len(line), binding, enabled, tooltip))
        if palette is not None:
            binding, enabled, tooltip = palette
            key = self.app.get_key_display(binding)
            # Docked on the right as the Footer has it: the keys that do not fit go under it.
            room = max(0, self.size.width - (len(VKEY) + len(key) + len(binding.description) + 2))
            line.truncate(room, pad=True)
            spans = [span for span in spans if span.start < room]
            line.append(VKEY, self.get_component_rich_style("key-bar--edge"))
            start = len(line)
            line.append(key, key_style)
            line.append(f" {binding.description}", description_style)
            line.append(" ")
            spans.append(Span(start, len(line), binding, enabled, tooltip))
        for index, span in enumerate(spans):
            if not span.enabled:
                line.stylize(Style(dim=True), span.start, span.end)
            elif index == self._hover:
                line.stylize(hover_style, span.start, span.end)
        self._spans = spans
        line.stylize_before(self.rich_style)
        return line

    def _keys(
        self,
    ) -> tuple[list[tuple[Binding, bool, str]], tuple[Binding, bool, str] | None]:
        """The shown keys, one per action (the first bound), and the palette's key."""
        by_action: dict[str, tuple[Binding, bool, str]] = {}
        palette = None
        palette_key = self.app.COMMAND_PALETTE_BINDING if self.app.ENABLE_COMMAND_PALETTE else None
        for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items():
            if key == palette_key:
                palette = (binding, enabled, binding.tooltip or binding.description)
            elif binding.show:
                by_action.setdefault(binding.action, (binding, enabled, tooltip))
        return list(by_action.values()), palette

    def _span_at(self, x: int) -> int | None:
        for index, span in enumerate(self._spans):
            if span.start <= x < span.end:
                return index
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        hover = self._span_at(event.x)
        if hover != self._hover:
            self._hover = hover
            span = self._spans[hover] if hover is not None else None
            self.tooltip = (span.tooltip or span.binding.tooltip) if span is not None else None
            self.refresh()

    def on_leave(self, _event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        index = self._span_at(event.x)
        if index is None:
            return
        span = self._spans[index]
        if span.enabled:
            self.app.simulate_key(span.binding.key)
        else:
            self.app.bell()
