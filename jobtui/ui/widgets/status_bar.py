"""The line at the top: what is watched, how many jobs in each stage, and how fresh it is."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from jobtui.monitor.poller import Freshness
from jobtui.ui.format import STAGE_ORDER, ago, stage_style
from jobtui.ui.terminal_text import clean_text


def status_line(
    namespaces: Sequence[str],
    counts: Counter[str],
    freshness: Freshness,
    now: datetime,
    *,
    demo: bool = False,
) -> Text:
    line = Text.assemble(("jobtui", "bold"), " ")
    if demo:
        line.append(" DEMO ", style="bold black on yellow")
        line.append(" ")
    shown = " · ".join(clean_text(ns) for ns in namespaces) or "…"
    line.append(shown, style="bold cyan")
    line.append("  ")
    stages = sorted(counts, key=lambda s: (STAGE_ORDER.index(s) if s in STAGE_ORDER else 99, s))
    for stage in stages:
        line.append(f"{counts[stage]} {clean_text(stage).lower()}", style=stage_style(stage))
        line.append("  ")
    if freshness.error is not None:
        # What to do comes first: the reason may be long and is cut at the edge.
        line.append(" OFFLINE ", style="bold white on red")
        if freshness.next_try is not None:
            seconds = max(0, round((freshness.next_try - now).total_seconds()))
            line.append(f" retrying in {seconds} s", style="bold")
        if freshness.last_ok is not None:
            line.append(f" · data from {ago(freshness.last_ok, now)}", style="bright_black")
        line.append(" · " + clean_text(freshness.error, max_length=120), style="red")
    elif freshness.last_ok is None:
        line.append("loading…", style="bright_black")
    else:
        line.append(f"updated {ago(freshness.last_ok, now)}", style="bright_black")
    if freshness.refused:
        names = ", ".join(clean_text(ns) for ns in freshness.refused)
        line.append(f"  no access to {names}", style="bold yellow")
    return line


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; padding: 0 1; }
    """
