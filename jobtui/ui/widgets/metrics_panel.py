"""Live metrics of the selected running job: a line of figures and a sparkline for each.

The panel owns its stream: `show_job(job)` closes the old one at once and opens the new one
for a running job, from the MetricsFeed it was handed (it holds no HTTP code itself).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from humanize import naturalsize
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import work
from textual.timer import Timer
from textual.widget import Widget

from jobtui.hub.errors import HubError
from jobtui.hub.models import JobInfo, JobStage
from jobtui.monitor.metrics import MetricsFeed, MetricsSample

if TYPE_CHECKING:
    from textual.renderables.sparkline import Sparkline

log = logging.getLogger(__name__)

SWITCH_DELAY = 0.3
FIGURE_WIDTH = 26  # cells for a figure's label: one '/s' for both rates fits at any rate


def size(value: float | None) -> str:
    return "—" if value is None else naturalsize(value, binary=True, format="%.1f")


def rate(value: float | None) -> str:
    """Bytes per second, three figures at most: '338 KiB', '1.2 MiB'."""
    if value is None:
        return "—"
    shown = naturalsize(value, binary=True, format="%.1f")
    number, _, unit = shown.partition(" ")
    unit = "B" if unit.startswith("Byte") else unit
    return f"{number} {unit}" if len(number) <= 3 else f"{float(number):.0f} {unit}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def figures(sample: MetricsSample) -> dict[str, str]:
    """The current value of each sparkline, as its label says it."""
    out = {
        "cpu": f"CPU {percent(sample.cpu_pct)}",
        "memory": f"Mem {size(sample.memory_used)}/{size(sample.memory_total)}",
        # One "/s" for both, three figures each: it fits the label's 26 cells at any rate.
        "network": f"Net ↓{rate(sample.rx_bps)} ↑{rate(sample.tx_bps)}/s",
    }
    for number, gpu in enumerate(sample.gpus):
        out[f"gpu{number}"] = f"GPU{number} {percent(gpu.utilization)} {size(gpu.memory_used)}"
    return out


def no_figure(key: str) -> str:
    """What a label says before the job's first sample: its name and a dash."""
    return f"{FIGURE_NAMES.get(key, key.upper())} —"


FIGURE_NAMES = {"cpu": "CPU", "memory": "Mem", "network": "Net"}


def series(samples: list[MetricsSample], key: str) -> list[float]:
    if key == "cpu":
        values = [s.cpu_pct for s in samples]
    elif key == "memory":
        values = [s.memory_used for s in samples]
    elif key == "network":
        values = [(s.rx_bps or 0) + (s.tx_bps or 0) for s in samples]
    else:
        index = int(key.removeprefix("gpu"))
        values = [s.gpus[index].utilization if len(s.gpus) > index else None for s in samples]
    return [value or 0.0 for value in values]


class MetricsPanel(Widget):
    """One widget draws every line: as seven rows of a label and a sparkline (22 widgets),
    a key moving between two running jobs redrew 14 of them in its frame."""

    COMPONENT_CLASSES = {"metrics-panel--figure", "metrics-panel--min", "metrics-panel--max"}
    DEFAULT_CSS = """
    MetricsPanel { height: auto; display: none; margin-bottom: 1; }
    MetricsPanel > .metrics-panel--figure { color: $text-muted; }
    MetricsPanel > .metrics-panel--max { color: $primary; }
    MetricsPanel > .metrics-panel--min { color: $primary 30%; }
    """

    KEYS = ("cpu", "memory", "gpu0", "gpu1", "gpu2", "gpu3", "network")

    def __init__(self, feed: MetricsFeed | None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.feed = feed
        self.job_id: str | None = None
        self._switch: Timer | None = None
        # One line per figure shown: its value, then its last few minutes.
        self._labels: dict[str, str] = {}
        self._series: dict[str, list[float]] = {}

    def render(self) -> RenderableType:
        # Imported by the first job with metrics, not by every start (it brings `statistics`).
        from textual.renderables.sparkline import Sparkline

        _, base = self.background_colors
        figure = self.get_component_rich_style("metrics-panel--figure")
        low = (base + self.get_component_styles("metrics-panel--min").color).rich_color
        high = (base + self.get_component_styles("metrics-panel--max").color).rich_color
        width = max(1, self.size.width - FIGURE_WIDTH)
        return _Lines(
            [
                (
                    _label(label, figure),
                    Sparkline(
                        self._series.get(key, []), width=width, min_color=low, max_color=high
                    ),
                )
                for key, label in self._labels.items()
            ]
        )

    def show_job(self, job: JobInfo | None) -> None:
        """Stream this job's metrics if it runs; stop the moment it is deselected or ends."""
        running = job is not None and job.status.stage == JobStage.RUNNING
        wanted = job.id if job is not None and running else None
        if wanted == self.job_id:
            return
        self.workers.cancel_group(self, "metrics")
        self.job_id = wanted
        if self._switch is not None:
            self._switch.stop()
        history = self.feed.history(job.id) if job and wanted and self.feed else None
        # In place, whatever job comes: hiding the panel and showing it again is a layout of
        # the whole screen, twice for each key that moves from one running job to another.
        if history:
            self._draw(history)
        elif wanted is not None and self.display:
            self._clear()  # its first sample comes in a second or so
        else:
            self.display = False
        if job is not None and wanted is not None and self.feed is not None:
            # Open once the cursor rests: each stream opened is a request.
            self._switch = self.set_timer(SWITCH_DELAY, lambda: self._stream(job))

    @work(group="metrics", exclusive=True, exit_on_error=False, description="stream metrics")
    async def _stream(self, job: JobInfo) -> None:
        if self.feed is None or job.id != self.job_id:
            return
        try:
            async for _ in self.feed.samples(job):
                if job.id != self.job_id:
                    return
                self._draw(self.feed.history(job.id))
        except HubError as exc:  # metrics are a nicety: say it once, in the log
            log.info("metrics of %s stopped: %s", job.id, exc)
        if job.id == self.job_id and not self.feed.history(job.id):
            self.display = False  # no sample came: nothing to show

    def _clear(self) -> None:
        """The rows shown, without figures: another job's are not this one's."""
        self._labels = {key: no_figure(key) for key in self._labels}
        self._series = {}
        self.refresh()

    def _draw(self, samples: list[MetricsSample]) -> None:
        if not samples:
            return
        self.display = True
        shown = figures(samples[-1])
        labels = {key: shown[key] for key in self.KEYS if key in shown}
        # A fixed line each: the screen is laid out again only when a line comes or goes.
        layout = labels.keys() != self._labels.keys()
        self._labels = labels
        self._series = {key: series(samples, key) for key in labels}
        self.refresh(layout=layout)


def _label(text: str, style: Style) -> Text:
    label = Text(text[:FIGURE_WIDTH], style=style, end="")
    label.append(" " * (FIGURE_WIDTH - label.cell_len))
    return label


class _Lines:
    """The panel's lines: a label FIGURE_WIDTH cells wide, then its sparkline."""

    def __init__(self, lines: list[tuple[Text, Sparkline[float]]]) -> None:
        self.lines = lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for label, line in self.lines:
            yield label
            yield line
            yield Segment.line()
