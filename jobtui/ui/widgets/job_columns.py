"""What the job list shows: its columns, how they share the width, and each row's cells."""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct
from rich.text import Text

from jobtui.hub.models import JobInfo, JobStage
from jobtui.monitor.costs import LAST_STRETCH, running_seconds, time_left
from jobtui.ui.format import (
    LIST_SECONDS_FOR,
    PALETTE,
    ago,
    ago_changes_at,
    compact_duration,
    on_times_grid,
    shell_command,
    stage_style,
)
from jobtui.ui.terminal_text import clean_text


class Column(Struct, frozen=True):
    key: str
    label: str
    width: int
    justify: str = "left"


# Each column's width at the least; name, image and command share what room is left.
COLUMNS: tuple[Column, ...] = (
    Column("stage", "Stage", 10),
    Column("owner", "Owner", 12),
    Column("name", "Name", 18),
    Column("image", "Image / Space", 16),
    Column("command", "Command", 16),
    Column("flavor", "Flavor", 12),
    Column("created", "Created", 14),
    Column("runtime", "Runtime", 8, "right"),
)
# How the room left over is shared: (column, share, most it takes).
STRETCH = (("name", 1, 14), ("image", 1, 18), ("command", 3, 10_000))
GAP = 2
# Dropped, in this order, when the pane is too narrow for them.
OPTIONAL = ("image", "command")


def layout_columns(width: int, *, show_owner: bool) -> list[Column]:
    """The columns that fit in `width` cells, widened to use the room there is."""
    columns = [c for c in COLUMNS if c.key != "owner" or show_owner]

    def needed(cols: list[Column]) -> int:
        return sum(c.width for c in cols) + GAP * (len(cols) - 1)

    for key in OPTIONAL:
        if needed(columns) <= width:
            break
        columns = [c for c in columns if c.key != key]
    room = max(0, width - needed(columns))
    widths = {c.key: c.width for c in columns}
    stretch = [(key, share, most) for key, share, most in STRETCH if key in widths]
    total = sum(share for _, share, _ in stretch) or 1
    given = 0
    for key, share, most in stretch:
        extra = min(most, room * share // total)
        widths[key] += extra
        given += extra
    last = stretch[-1][0] if stretch else None
    if last is not None:
        widths[last] += room - given
    return [Column(c.key, c.label, widths[c.key], c.justify) for c in columns]


def row_cells(job: JobInfo, now: datetime) -> dict[str, Text]:
    """What each column shows for a job. Every server string is cleaned here."""
    stage = str(job.status.stage)
    live = job.is_live
    return {
        "stage": Text(clean_text(stage.lower(), max_length=12), style=stage_style(stage)),
        "owner": Text(clean_text(job.owner.name, max_length=40)),
        "name": Text(clean_text(job.display_name, max_length=80), style="bold" if live else ""),
        "image": Text(clean_text(job.image, max_length=120)),
        "command": Text(clean_text(shell_command(job), max_length=400), style="bright_black"),
        "flavor": Text(clean_text(job.flavor or "—", max_length=24)),
        **time_cells(job, now),
    }


def row_line(
    job: JobInfo,
    now: datetime,
    columns: list[Column],
    *,
    marked: bool = False,
    canceling: bool = False,
    idle_gpu: bool = False,
) -> Text:
    """A row as the list draws it: its mark, then its cells (a cancel under way, or GPUs
    sitting idle, in place of the stage)."""
    row = Text()  # a style given to Text() itself would tint the whole row
    row.append("●" if marked else " ", style=PALETTE.style("bold $text-accent"))
    cells = row_cells(job, now)
    if canceling:
        cells["stage"] = Text("canceling…", style=PALETTE.style("bold $text-warning"))
    elif idle_gpu and job.status.stage == JobStage.RUNNING:
        cells["stage"] = Text("idle GPU", style=PALETTE.style("bold black on $text-warning"))
    row.append_text(join_cells(cells, columns))
    return row


def join_cells(cells: dict[str, Text], columns: list[Column]) -> Text:
    """The cells of `columns`, each cut or padded to its width, GAP apart."""
    line = Text(no_wrap=True, end="")
    for number, column in enumerate(columns):
        cell = cells[column.key].copy()
        cell.truncate(column.width, overflow="ellipsis", pad=True)
        if column.justify == "right":
            plain = cell.plain.rstrip()
            cell = Text(" " * (column.width - len(plain))) + cell[: len(plain)]
        if number:
            line.append(" " * GAP)
        line.append_text(cell)
    return line


def time_cells(job: JobInfo, now: datetime) -> dict[str, Text]:
    """The cells of a row that the clock changes: when it was created, and its runtime."""
    live = job.is_live
    return {
        "created": Text(ago(job.created_at, now), style="" if live else "bright_black"),
        "runtime": Text(
            compact_duration(running_seconds(job, now), live=live),
            style=PALETTE.style("bold $text-warning")
            if (left := time_left(job, now)) and left.last_stretch
            else "",
        ),
    }


def times_shown(job: JobInfo, now: datetime) -> tuple[str, ...]:
    """What the clock cells read (and how they look) at `now`: equal means no redraw."""
    return tuple(f"{cell.plain}\0{cell.style}" for cell in time_cells(job, now).values())


def times_change_at(job: JobInfo, now: datetime) -> float:
    """The moment (a Unix time) after `now` at which the clock cells of this job's row are
    next worked out: each second while its runtime shows seconds (a live job's first minute),
    else on the first TIMES_GRID step at or after "created" or its runtime moves on to the
    next minute, or its time left enters the last stretch."""
    due = ago_changes_at(job.created_at, now)
    running = running_seconds(job, now) if job.is_live else None
    stamp = now.timestamp()
    if running is not None:
        if running < LIST_SECONDS_FOR:
            return min(due, stamp + 1.0 - running % 1.0)
        due = min(due, stamp + 60.0 - running % 60.0)
        left = time_left(job, now)
        if left is not None and not left.last_stretch:
            due = min(due, stamp + left.left - left.limit * LAST_STRETCH)
    return on_times_grid(due)
