"""The line at the top, most urgent first: whether the data can be trusted (offline, token
refused, no access), then the live counts, then the rest. At 80 columns the tail is cut,
so what is cut is what matters least."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from jobtui.hub.models import JobStage
from jobtui.monitor.poller import Freshness
from jobtui.ui.format import (
    STAGE_ORDER,
    ago,
    ago_changes_at,
    ago_coarse,
    ago_coarse_changes_at,
    on_times_grid,
    stage_style,
)
from jobtui.ui.terminal_text import clean_text

LIVE = (JobStage.RUNNING, JobStage.SCHEDULING)


def status_line(
    namespaces: Sequence[str],
    counts: Counter[str],
    freshness: Freshness,
    now: datetime,
    *,
    demo: bool = False,
    burning: float = 0.0,
) -> Text:
    line = Text.assemble(("jobtui", "bold"), " ")
    if demo:
        line.append(" DEMO ", style="bold black on yellow")
        line.append(" ")
    if freshness.error is not None:
        label = " TOKEN REFUSED " if freshness.token_refused else " OFFLINE "
        line.append(label, style="bold white on red")
        if freshness.next_try is not None:
            seconds = max(0, round((freshness.next_try - now).total_seconds()))
            line.append(f" retry in {seconds} s", style="bold")
        if freshness.last_ok is not None:
            line.append(f" · data {ago(freshness.last_ok, now)}", style="bright_black")
        elif freshness.cached_at is not None:
            line.append(f" · cached {ago(freshness.cached_at, now)}", style="bright_black")
        line.append(" · ? for why ", style="bright_black")
    if freshness.refused:
        names = ", ".join(clean_text(ns) for ns in freshness.refused)
        line.append(f" no access to {names} ", style="bold yellow")
    if freshness.slowed and freshness.slowed.startswith("slowed:"):
        # The budget runs low: that is news, and goes first.
        line.append(f" {clean_text(freshness.slowed)} ", style="bold yellow")
    if freshness.failing:
        names = ", ".join(clean_text(ns) for ns, _ in freshness.failing)
        line.append(f" {names} not answering ", style="bold yellow")
    shown = " · ".join(clean_text(ns) for ns in namespaces) or "…"
    line.append(shown, style="bold cyan")
    line.append("  ")
    # Most wanted first, so that a narrow terminal cuts what matters least: the live
    # counts, what they burn, how fresh it all is, then the finished counts.

    def add_counts(stages: Iterable[str]) -> None:
        for stage in stages:
            line.append(f"{counts[stage]} {clean_text(stage).lower()}", style=stage_style(stage))
            line.append("  ")

    add_counts(str(s) for s in LIVE if s in counts)
    if burning > 0:
        line.append(f"${burning:,.2f}/h", style="bold yellow")
        line.append("  ")
    if freshness.error is None:
        if freshness.last_ok is None and freshness.cached_at is not None:
            line.append(f"cached {ago(freshness.cached_at, now)} · loading…", style="yellow")
        elif freshness.last_ok is None:
            line.append("loading…", style="bright_black")
        else:
            line.append(f"updated {ago_coarse(freshness.last_ok, now)}", style="bright_black")
        line.append("  ")
    finished = sorted(
        (s for s in counts if s not in LIVE),
        key=lambda s: (STAGE_ORDER.index(s) if s in STAGE_ORDER else 99, s),
    )
    add_counts(finished)
    if freshness.slowed and not freshness.slowed.startswith("slowed:"):
        line.append(clean_text(freshness.slowed), style="bright_black")
    return line


def status_changes_at(freshness: Freshness, now: datetime) -> float:
    """When the clock next changes what `status_line` says (its other parts change with the
    data, not the clock): a Unix time, on the grid the other relative times share."""
    if freshness.error is not None:
        if freshness.next_try is not None:
            return now.timestamp() + 1.0  # "retry in 7 s" counts down
        return on_times_grid(ago_changes_at(freshness.last_ok or freshness.cached_at, now))
    if freshness.last_ok is not None:
        return on_times_grid(ago_coarse_changes_at(freshness.last_ok, now))
    return on_times_grid(ago_changes_at(freshness.cached_at, now))


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._shown = Text()

    def show(self, line: Text) -> None:
        """Redraw only when the line changed: the clock asks every second."""
        if line != self._shown:
            self._shown = line
            self.update(line, layout=False)  # one line high, whatever it says
