"""The filter line under the job list: what to type, and the keys that end it, in the footer."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input


class FilterBox(Input):
    BINDINGS = [
        Binding("enter", "submit", "Select first match", id="filter.submit"),
        Binding("escape", "screen.clear_filter", "Clear filter", id="filter.clear"),
    ]

    DEFAULT_CSS = """
    FilterBox { display: none; height: 1; border: none; padding: 0 1; background: $panel; }
    FilterBox:focus { border: none; background: $panel-lighten-1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            placeholder="filter: words, label:k=v, stage:error, flavor:a100*, ns:org", id=id
        )
