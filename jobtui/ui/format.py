"""How jobs read on screen: times, runtimes, commands, prices. Plain functions over JobInfo."""

from __future__ import annotations

import math
import re
import shlex
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import humanize

from jobtui.hub.models import JobHardwareInfo, JobInfo, JobStage

# Stage colours are the theme's: `$name` is a theme variable ($text-success is the success
# colour made readable on the theme's background, light or dark). Running and completed share
# a hue and differ by weight; the finished-and-gone ones are grey whatever the theme.
STAGE_STYLES: dict[str, str] = {
    JobStage.SCHEDULING: "bold $text-warning",
    JobStage.RUNNING: "bold $text-success",
    JobStage.COMPLETED: "$text-success",
    JobStage.ERROR: "bold $text-error",
    JobStage.CANCELED: "bright_black",
    JobStage.DELETED: "bright_black strike",
}
UNKNOWN_STAGE_STYLE = "bold $text-primary"
STAGE_ORDER: tuple[str, ...] = (
    JobStage.RUNNING,
    JobStage.SCHEDULING,
    JobStage.ERROR,
    JobStage.COMPLETED,
    JobStage.CANCELED,
    JobStage.DELETED,
)


def rich_color(value: str, fallback: str) -> str:
    """A theme's colour as Rich reads it: `#8ad4a1` stays, `ansi_green` becomes `green`."""
    if value.startswith("ansi_"):
        return value.removeprefix("ansi_")
    if re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        return value
    return fallback


class Palette:
    """The colours of the theme in use, for the Rich styles drawn outside CSS. The app hands
    it the theme's variables at start and at each theme change; until then (and in plain
    function tests) the terminal's own ANSI colours stand in."""

    ANSI = {
        "text-warning": "yellow",
        "text-success": "green",
        "text-error": "red",
        "text-accent": "magenta",
        "text-primary": "blue",
    }
    VARIABLE = re.compile(r"\$([a-z0-9-]+)")

    def __init__(self) -> None:
        self.colors: dict[str, str] = dict(self.ANSI)
        self._styles: dict[str, str] = {}  # each style asked, resolved once per theme

    def use(self, variables: Mapping[str, str]) -> None:
        self.colors = {
            name: rich_color(variables.get(name, ""), ansi) for name, ansi in self.ANSI.items()
        }
        self._styles = {}

    def style(self, style: str) -> str:
        """`bold $text-warning` in the theme's colours (asked for every cell drawn)."""
        resolved = self._styles.get(style)
        if resolved is None:
            resolved = self.VARIABLE.sub(lambda m: self.colors.get(m.group(1), "default"), style)
            self._styles[style] = resolved
        return resolved


PALETTE = Palette()


def stage_style(stage: str) -> str:
    return PALETTE.style(STAGE_STYLES.get(stage, UNKNOWN_STAGE_STYLE))


def now_utc(clock_value: float) -> datetime:
    return datetime.fromtimestamp(clock_value, UTC)


def ago(moment: datetime | None, now: datetime) -> str:
    """'3 minutes ago'; 'just now' for the first minute and the future (clock skew).

    Every unit is counted down to whole minutes after `moment` (floored, where humanize
    rounds), so the text changes only on those minutes (see `ago_changes_at`): a relative
    time that ticked every second ("33 seconds ago") redrew the screen every second."""
    if moment is None:
        return "—"
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    for size, one, unit in _AGO_UNITS:
        if minutes >= size:
            count = minutes // size
            return f"{one} ago" if count == 1 else f"{count:,} {unit}s ago"
    raise AssertionError("unreachable: minutes >= 1")


# (minutes in the unit, how one reads, the unit), largest first.
_AGO_UNITS = (
    (525_600, "a year", "year"),
    (43_200, "a month", "month"),
    (1_440, "a day", "day"),
    (60, "an hour", "hour"),
    (1, "a minute", "minute"),
)


def ago_changes_at(moment: datetime | None, now: datetime) -> float:
    """The first moment (a Unix time) after `now` at which `ago(moment, ...)` may read
    differently: every unit it shows is whole minutes after `moment`, so the next whole
    minute. A widget asked every second redraws nothing until then."""
    if moment is None:
        return math.inf
    since = (now - moment).total_seconds()
    return moment.timestamp() + 60.0 * (math.floor(max(since, 0.0) / 60.0) + 1)


# Relative times that move on to their next minute are shown on a shared 15-second grid (a
# Unix time that is a multiple of it): thirty rows, Details and the status line, each on its
# own minute, were a redraw every two seconds between them; on the grid they are one.
TIMES_GRID = 15.0


def on_times_grid(moment: float) -> float:
    """The first step of TIMES_GRID at or after `moment` (a Unix time)."""
    return math.ceil(moment / TIMES_GRID) * TIMES_GRID if math.isfinite(moment) else moment


def ago_coarse(moment: datetime, now: datetime) -> str:
    """`ago` that changes at most twice a minute within the first minute: for a header
    that would otherwise be redrawn every second for nothing."""
    delta = now - moment
    if delta < timedelta(seconds=10):
        return "just now"
    if delta < timedelta(minutes=1):
        return "under a minute ago"
    return humanize.naturaltime(delta)


def ago_coarse_changes_at(moment: datetime, now: datetime) -> float:
    """The first moment (a Unix time) after `now` at which `ago_coarse(moment, ...)` may read
    differently. humanize counts whole seconds and rounds them to the nearest minute (hour,
    past the first), half to even: it moves on half a unit past a whole one or the second
    after; past a day, on whole days."""
    since = (now - moment).total_seconds()
    base = moment.timestamp()
    if since < 10:
        return base + 10
    if since < 60:
        return base + 60
    whole = math.floor(since)
    if whole >= 86_400:
        return base + 86_400 * (whole // 86_400 + 1)
    unit, regime_ends = (60, 3_600) if whole < 3_600 else (3_600, 86_400)
    start = whole - whole % unit + unit // 2
    marks = (start, start + 1, start + unit, start + unit + 1, regime_ends)
    return base + min(mark for mark in marks if mark > whole)


def absolute(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


# A duration still running shows its seconds for this long, then whole minutes: a clock that
# ticks every second costs a redraw every second, worth it only while the seconds matter.
# Details (one job, the one looked at) keep them for ten minutes, as kubectl's ages do; the
# list, where a column of ticking seconds is noise, for the first minute.
LIVE_SECONDS_FOR = 600
LIST_SECONDS_FOR = 60


def compact_duration(seconds: float | None, *, live: bool = False) -> str:
    """'45s', '12m 03s', '3h 07m', '2d 04h': short and sortable by eye. `live`: a duration
    still growing, '12m' past LIST_SECONDS_FOR."""
    if seconds is None:
        return "—"
    total = int(seconds)
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m" if live and total >= LIST_SECONDS_FOR else f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def long_duration(seconds: float | None, *, live: bool = False) -> str:
    """'3 minutes and 5 seconds'. `live`: a duration still growing, in whole minutes past
    LIVE_SECONDS_FOR."""
    if seconds is None:
        return "—"
    total = int(seconds)
    if live and total >= LIVE_SECONDS_FOR:
        return humanize.precisedelta(timedelta(minutes=total // 60), minimum_unit="minutes")
    return humanize.precisedelta(timedelta(seconds=total), minimum_unit="seconds")


def shell_command(job: JobInfo) -> str:
    return shlex.join([*(job.command or ()), *(job.arguments or ())])


def money(amount: float | None) -> str:
    if amount is None:
        return "—"
    if amount < 0.01:
        return "< $0.01" if amount > 0 else "$0.00"
    return f"${amount:,.2f}"


def hardware_summary(flavor: JobHardwareInfo) -> str:
    parts = [flavor.pretty_name, flavor.cpu, f"{flavor.ram} RAM"]
    if flavor.accelerator is not None:
        acc = flavor.accelerator
        parts.append(f"{acc.quantity}× {acc.model} {acc.vram}".strip())
    return " · ".join(part for part in parts if part)
