"""`t`: every running job of the namespaces shown, `docker stats` style, live.

One metrics stream per job while the view is open (a stream is one request for as long as it
lasts, where a sample per job per refresh would be one request each time), all closed the
moment the view is. At most MAX_STREAMS jobs, to leave connections for the polls and logs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.widgets.data_table import CellDoesNotExist, RowDoesNotExist

from jobtui.hub.errors import HubError
from jobtui.hub.models import JobInfo
from jobtui.monitor.metrics import MetricsFeed, MetricsSample
from jobtui.ui.keynames import keys_for
from jobtui.ui.terminal_text import clean_text
from jobtui.ui.widgets.key_bar import KeyBar
from jobtui.ui.widgets.metrics_panel import percent, size

MAX_STREAMS = 24

# (column, how a sample shows in it, the number it sorts by)
Show = Callable[[MetricsSample], str]
Rank = Callable[[MetricsSample], float]
COLUMNS: tuple[tuple[str, Show, Rank], ...] = (
    ("CPU", lambda s: percent(s.cpu_pct), lambda s: s.cpu_pct or 0),
    (
        "Memory",
        lambda s: f"{size(s.memory_used)} / {size(s.memory_total)}",
        lambda s: s.memory_used or 0,
    ),
    ("GPU", lambda s: percent(s.gpu_utilization), lambda s: s.gpu_utilization or 0),
    (
        "GPU memory",
        lambda s: size(sum(g.memory_used or 0 for g in s.gpus)) if s.gpus else "—",
        lambda s: sum(g.memory_used or 0 for g in s.gpus),
    ),
    (
        "Net ↓/↑",
        lambda s: f"{size(s.rx_bps)}/s {size(s.tx_bps)}/s",
        lambda s: (s.rx_bps or 0) + (s.tx_bps or 0),
    ),
)


class StatsScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,t,q", "close", "Close", id="stats.close"),
        Binding(
            "s", "sort", "Sort", tooltip="stats view: sort by the next column", id="stats.sort"
        ),
    ]

    DEFAULT_CSS = """
    StatsScreen #title { height: 1; background: $panel; padding: 0 1; }
    StatsScreen DataTable { height: 1fr; }
    """

    def __init__(self, jobs: Sequence[JobInfo], feed: MetricsFeed) -> None:
        super().__init__()
        self.jobs = list(jobs)[:MAX_STREAMS]
        self.left_out = max(0, len(jobs) - MAX_STREAMS)
        self.feed = feed
        self.samples: dict[str, MetricsSample] = {}
        self.sort_by = 0
        self.table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True)
        self.title_line = Static("", id="title")

    def compose(self) -> ComposeResult:
        yield self.title_line
        yield self.table
        yield KeyBar()

    def on_mount(self) -> None:
        self.table.add_column("Job", key="job")
        self.table.add_column("Flavor", key="flavor")
        for name, _, _ in COLUMNS:
            self.table.add_column(name, key=name)
        self._fill()
        for job in self.jobs:
            self._watch(job)

    def _fill(self) -> None:
        """The rows, busiest first by the sort column (jobs with no sample yet last)."""
        key = COLUMNS[self.sort_by][2]
        samples = self.samples
        ordered = sorted(
            self.jobs, key=lambda job: -key(samples[job.id]) if job.id in samples else 1.0
        )
        self.table.clear()
        for job in ordered:
            sample = samples.get(job.id)
            figures = [Text(shown(sample)) if sample else Text("…") for _, shown, _ in COLUMNS]
            name = Text(clean_text(job.display_name, max_length=40))
            self.table.add_row(name, Text(clean_text(job.flavor or "—")), *figures, key=job.id)
        self._title()

    def _title(self) -> None:
        more = (
            f" (the first {MAX_STREAMS}; {self.left_out} more not shown)" if self.left_out else ""
        )
        by = COLUMNS[self.sort_by][0]
        sort, close = keys_for(self, "stats.sort"), keys_for(self, "stats.close", first=True)
        self.title_line.update(
            Text(
                f"Running jobs: {len(self.jobs)}{more} · live · by {by} "
                f"({sort} sorts) · {close} closes"
            )
        )

    @work(group="stats", exit_on_error=False, description="stream a job's metrics")
    async def _watch(self, job: JobInfo) -> None:
        try:
            async for sample in self.feed.samples(job):
                self.samples[job.id] = sample
                with contextlib.suppress(RowDoesNotExist, CellDoesNotExist):  # mid re-sort
                    for name, shown, _ in COLUMNS:
                        self.table.update_cell(job.id, name, Text(shown(sample)), update_width=True)
        except HubError:
            return

    def action_sort(self) -> None:
        self.sort_by = (self.sort_by + 1) % len(COLUMNS)
        self._fill()

    def action_close(self) -> None:
        self.workers.cancel_group(self, "stats")
        self.dismiss()
