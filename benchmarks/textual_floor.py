"""The floor for any Textual app on this machine: a bare app that paints one DataTable row
holding the text it is given. No network, no import but Textual's. bench_start runs it beside
jobtui and `hf jobs ps -a`, so the part of jobtui's start that Textual itself takes is seen.

Run: python benchmarks/textual_floor.py NAME   (q or ctrl+c quits)
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer


class Floor(App[None]):
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.row = name

    def compose(self) -> ComposeResult:
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Name")
        table.add_row(self.row)


if __name__ == "__main__":
    Floor(sys.argv[1] if len(sys.argv) > 1 else "floor").run()
