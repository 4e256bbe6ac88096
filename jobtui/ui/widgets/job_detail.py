"""The detail pane: everything about the selected job, including what it costs so far."""

from __future__ import annotations

from datetime import datetime

from humanize import naturalsize
from msgspec import Struct
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from jobtui.hub.models import JobHardwareInfo, JobInfo, JobStage
from jobtui.monitor.costs import (
    BILLING_RULE,
    DEFAULT_TIMEOUT_SECONDS,
    billed_cost,
    running_seconds,
    time_left,
)
from jobtui.monitor.store import differs
from jobtui.ui.format import (
    absolute,
    ago,
    ago_changes_at,
    hardware_summary,
    long_duration,
    money,
    on_times_grid,
    shell_command,
    stage_style,
)
from jobtui.ui.terminal_text import clean_text
from jobtui.ui.widgets.drawn import DrawnOnce

# What Details draws of one field at most: a Hub can send 100 kB in a field, and drawing it
# every second pegged a core.
MAX_FIELD_CHARS = 1_000
RECENT_JOBS = 8  # whose drawn grids Details keeps
MAX_PAIRS = 50


def field(value: object, style: str = "") -> Text:
    """A server string, cleaned, cut at MAX_FIELD_CHARS with a note of how much more there is."""
    raw = "" if value is None else value if isinstance(value, str) else str(value)
    text = Text(clean_text(raw[: MAX_FIELD_CHARS * 2], max_length=MAX_FIELD_CHARS), style=style)
    if len(raw) > MAX_FIELD_CHARS:
        more = naturalsize(len(raw) - MAX_FIELD_CHARS)
        text.append(f" … {more} more not shown", style="bright_black")
    return text


def durations_line(job: JobInfo, now: datetime) -> str | None:
    """Scheduling, running and total, all from the same clock so they add up; the Hub's own
    figures only where a time is missing (they are as old as the last poll)."""
    created, started, finished = job.created_at, job.started_at, job.finished_at
    if created is None:
        d = job.durations
        if d is None:
            return None
        return (
            f"scheduling {long_duration(d.scheduling_secs)} · "
            f"running {long_duration(running_seconds(job, now), live=job.is_live)} · "
            f"total {long_duration(d.total_secs)}"
        )
    end = finished or now
    total = max(0.0, (end - created).total_seconds())
    if started is None:
        if job.is_live:
            return f"scheduling for {long_duration(total, live=True)} so far · not started yet"
        return f"never started · total {long_duration(total)}"
    # Whole seconds first, so the parts add up to the total as shown.
    scheduling = int(max(0.0, (started - created).total_seconds()))
    running = int(max(0.0, (end - started).total_seconds()))
    live = job.is_live
    so_far = " so far" if live else ""
    return (
        f"scheduling {long_duration(scheduling)} · "
        f"running {long_duration(running, live=live)}{so_far} · "
        f"total {long_duration(scheduling + running, live=live)}"
    )


def _when(moment: datetime | None, now: datetime) -> Text:
    if moment is None:
        return Text("—", style="bright_black")
    return Text.assemble(ago(moment, now), ("  " + absolute(moment), "bright_black"))


def _pairs(mapping: dict[str, str] | None) -> Text:
    if not mapping:
        return Text("—", style="bright_black")
    pairs = sorted(mapping.items())
    text = Text("\n").join(
        Text.assemble((clean_text(key, max_length=100), "bold"), "=", field(value))
        for key, value in pairs[:MAX_PAIRS]
    )
    if len(pairs) > MAX_PAIRS:
        text.append(f"\n… {len(pairs) - MAX_PAIRS} more not shown", style="bright_black")
    return text


def add_source_rows(grid: Table, job: JobInfo) -> None:
    """What runs: the image or Space, then the command, shell-quoted."""
    if job.space_id:
        grid.add_row("Space", field(job.space_id))
    else:
        grid.add_row("Image", field(job.docker_image or "—"))
    grid.add_row("Command", field(shell_command(job) or "—"))


def _grid() -> Table:
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(style="bold cyan", no_wrap=True, width=12)
    grid.add_column(ratio=1, overflow="fold")
    return grid


Rows = list[tuple[str, Text]]


class DetailParts(Struct, frozen=True):
    """Details in three grids that line up: what the job is, what the clock changes (cost,
    time left, times and durations), and the rest. A clock tick redraws only the middle one."""

    head: Table
    clock: Rows
    tail: Table

    def clock_grid(self) -> Table:
        return clock_grid(self.clock)


def clock_grid(rows: Rows) -> Table:
    grid = _grid()
    for label, value in rows:
        grid.add_row(label, value)
    return grid


def _head(job: JobInfo, flavor: JobHardwareInfo | None) -> Table:
    grid = _grid()
    stage = str(job.status.stage)
    stage_text = Text(clean_text(stage), style=stage_style(stage))
    title = field(job.display_name, style="bold")
    grid.add_row("Job", title)
    grid.add_row("Stage", stage_text)
    if job.status.message:
        style = "red" if stage == JobStage.ERROR else ""
        message = field(job.status.message, style=style)
        if stage == JobStage.ERROR:
            message.append("  (e: the first error in the log)", style="bright_black")
        grid.add_row("Message", message)
    grid.add_row("ID", field(job.id))
    grid.add_row("URL", field(job.url, style="underline"))
    grid.add_row("Owner", Text(f"{clean_text(job.owner.name)} ({clean_text(job.owner.type)})"))
    if flavor is not None:
        hardware = Text.assemble(
            (clean_text(job.flavor or flavor.name), "bold"),
            "  ",
            clean_text(hardware_summary(flavor)),
            "  ",
            (f"${flavor.price_per_hour:,.2f}/hour", "yellow"),
        )
    else:
        hardware = Text(clean_text(job.flavor or "—"), style="bold")
    grid.add_row("Flavor", hardware)
    return grid


def _clock(job: JobInfo, flavor: JobHardwareInfo | None, now: datetime) -> Rows:
    rows: Rows = []
    label = "Cost so far" if job.is_live else "Cost"
    spent = billed_cost(job, flavor, now)
    rows.append(
        (
            label,
            Text.assemble(
                (money(spent), "yellow"),
                (f"  ({BILLING_RULE})" if spent is not None else "", "bright_black"),
            ),
        )
    )
    remaining = time_left(job, now)
    if remaining is not None:
        rows.append(
            (
                "Time left",
                Text(
                    f"{long_duration(remaining.left, live=True)} of "
                    f"{long_duration(remaining.limit)}"
                    f" · {remaining.used:.0%} used",
                    style="bold yellow" if remaining.last_stretch else "",
                ),
            )
        )
    elif job.status.stage == JobStage.RUNNING:
        default = long_duration(DEFAULT_TIMEOUT_SECONDS)
        rows.append(
            (
                "Time left",
                Text(
                    f"unknown: the Hub did not say its timeout (default {default})",
                    "bright_black",
                ),
            )
        )
    rows.append(("Created", _when(job.created_at, now)))
    rows.append(("Started", _when(job.started_at, now)))
    rows.append(("Finished", _when(job.finished_at, now)))
    durations = durations_line(job, now)
    if durations is not None:
        rows.append(("Durations", Text(durations)))
    return rows


def _tail(job: JobInfo, now: datetime) -> Table:
    grid = _grid()
    add_source_rows(grid, job)
    if job.timeout_seconds and time_left(job, now) is None:
        grid.add_row("Timeout", Text(long_duration(job.timeout_seconds)))
    grid.add_row("Environment", _pairs(job.environment))
    secrets = ", ".join(job.secrets or ()) or "—"
    hidden = "  (values hidden)" if job.secrets else ""
    grid.add_row("Secrets", field(secrets).append(hidden))
    grid.add_row("Labels", _pairs(job.labels))
    if job.volumes:
        grid.add_row(
            "Volumes",
            Text("\n").join(
                Text(
                    f"{clean_text(v.type)} {clean_text(v.source)}"
                    f"{'@' + clean_text(v.revision) if v.revision else ''}"
                    f"{'/' + clean_text(v.path) if v.path else ''} → {clean_text(v.mount_path)}"
                    f"{' (read-only)' if v.read_only else ''}"
                )
                for v in job.volumes
            ),
        )
    if job.initiator is not None:
        who = job.initiator.name or job.initiator.id
        grid.add_row("Started by", Text(f"{clean_text(job.initiator.type)} {clean_text(who)}"))
    if job.retry:
        grid.add_row("Retries", Text(f"{job.retry} (attempts {job.retry + 1})"))
    if job.network is not None:
        aliases = ", ".join(clean_text(a) for a in job.network.aliases or ())
        network = clean_text(job.network.group) + (f"  aliases: {aliases}" if aliases else "")
        grid.add_row("Network", Text(network))
    if job.expose:
        public = set(job.expose_public or ())
        ports = ", ".join(f"{port}{' (public)' if port in public else ''}" for port in job.expose)
        grid.add_row("Ports", Text(ports))
    for url in job.status.expose_urls or ():
        grid.add_row("Exposed", field(url, style="underline"))
    if job.status.ssh_url:
        grid.add_row("SSH", field(job.status.ssh_url))
    return grid


def describe_parts(job: JobInfo, flavor: JobHardwareInfo | None, now: datetime) -> DetailParts:
    """The detail of one job, in its three parts. Every server string is cleaned."""
    return DetailParts(_head(job, flavor), _clock(job, flavor, now), _tail(job, now))


def describe(job: JobInfo, flavor: JobHardwareInfo | None, now: datetime) -> RenderableType:
    """The detail of one job as one renderable (the three parts, one under the other)."""
    parts = describe_parts(job, flavor, now)
    return Group(parts.head, parts.clock_grid(), parts.tail)


class JobDetail(VerticalScroll, can_focus=True):
    """Scrollable pane around a Static that the app fills with `describe(...)`."""

    BINDINGS = [
        Binding("down,j", "scroll_down", "Down", show=False, id="detail.down"),
        Binding("up,k", "scroll_up", "Up", show=False, id="detail.up"),
    ]

    DEFAULT_CSS = """
    JobDetail { padding: 0 1; }
    JobDetail > Static { width: 100%; }
    """

    def __init__(self, *, metrics: Widget | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self._metrics = metrics
        # Held, not queried: a clock tick during shutdown may land after the children are
        # gone, and updating a detached Static is harmless where a failed query is not.
        self._body = Static(Text("No job selected", style="bright_black"), id="detail-body")
        self._clock = Static(id="detail-clock")
        self._tail = Static(id="detail-tail")
        self._clock.display = self._tail.display = False
        self._parts: tuple[DrawnOnce, ...] = ()  # what the three Statics show, for a job
        # The head and tail grids of the jobs shown last, oldest first, by job id.
        self._recent: dict[
            str, tuple[JobInfo, JobHardwareInfo | None, bool, DrawnOnce, DrawnOnce]
        ] = {}
        self._shown: tuple[object, ...] | None = None
        self._clock_text: tuple[tuple[str, str, str], ...] = ()
        self._clock_checked = 0.0  # when the clock rows were last worked out (Unix time)
        self._clock_due = 0.0  # when they may read differently

    def compose(self) -> ComposeResult:
        if self._metrics is not None:
            yield self._metrics
        yield self._body
        yield self._clock
        yield self._tail

    def show(self, renderable: RenderableType) -> None:
        """A message instead of a job."""
        self._shown = None
        self._parts = ()
        self._body.update(renderable)
        self._clock.display = self._tail.display = False

    def show_job(self, job: JobInfo, flavor: JobHardwareInfo | None, now: datetime) -> float:
        """The job's details; returns when its clock rows may next read differently (a Unix
        time). When only the clock moved (same job, same flavor), only the clock rows are
        redrawn, and without a layout pass unless their height changes: a second ticking in
        Details cost a layout of the whole screen. A finished job's clock rows are not even
        worked out again before one of its times may read differently."""
        stamp = now.timestamp()
        if self._shown == (job, flavor) and self._clock_checked <= stamp < self._clock_due:
            return self._clock_due
        self._clock_checked = stamp
        times = (job.created_at, job.started_at, job.finished_at)
        due = min(ago_changes_at(moment, now) for moment in times)
        self._clock_due = stamp + 1.0 if job.is_live else on_times_grid(due)
        clock = _clock(job, flavor, now)
        clock_text = tuple((label, value.plain, str(value.style)) for label, value in clock)
        if self._shown != (job, flavor):
            self._shown = (job, flavor)
            head, tail = self._head_and_tail(job, flavor, now)
            self._show_parts(head, DrawnOnce(clock_grid(clock)), tail)
        elif clock_text != self._clock_text:
            # Laid out again only if the rows take more or fewer lines: "9 minutes ago"
            # becoming "10 minutes ago" is longer, but on the same line.
            head, old, tail = self._parts
            new = DrawnOnce(clock_grid(clock))
            self._parts = (head, new, tail)
            self._clock.update(new, layout=not self._same_rows((old,), (new,)))
        self._clock_text = clock_text
        return self._clock_due

    def _head_and_tail(
        self, job: JobInfo, flavor: JobHardwareInfo | None, now: datetime
    ) -> tuple[DrawnOnce, DrawnOnce]:
        """A job's first and last grids, drawn once while the job stays the same: moving back
        and forth between a few jobs draws only their clock rows again (Rich draws a grid
        in about a millisecond)."""
        timeout_row = bool(job.timeout_seconds) and time_left(job, now) is None  # see _tail
        kept = self._recent.pop(job.id, None)
        # A live job comes back from each poll with new durations, which these grids do not
        # show: compared whole, it was never the same job for long, and its grids were drawn
        # again on most keys.
        if kept is None or kept[1:3] != (flavor, timeout_row) or differs(kept[0], job):
            head, tail = DrawnOnce(_head(job, flavor)), DrawnOnce(_tail(job, now))
            kept = (job, flavor, timeout_row, head, tail)
        self._recent[job.id] = kept
        if len(self._recent) > RECENT_JOBS:
            del self._recent[next(iter(self._recent))]
        return kept[3], kept[4]

    def _show_parts(self, *parts: DrawnOnce) -> None:
        """Another job's three grids. The screen is laid out again only if one of them takes
        another number of rows than the one it replaces: moving the cursor from job to job
        laid out every widget (most of the ~25 ms such a key cost to draw)."""
        statics = (self._body, self._clock, self._tail)
        same_rows = (
            len(self._parts) == len(parts)
            and all(static.display for static in statics)
            and self._same_rows(self._parts, parts)
        )
        self._parts = parts
        for static, part in zip(statics, parts, strict=True):
            static.update(part, layout=not same_rows)
        self._clock.display = self._tail.display = True

    def _same_rows(self, old: tuple[DrawnOnce, ...], new: tuple[DrawnOnce, ...]) -> bool:
        """Whether each new part takes as many rows as the old one, at the width shown (the
        same options Textual measures a Static's content with)."""
        width = self._body.content_size.width
        if width <= 0:
            return False
        console = self.app.console
        options = self.app.console_options.update_width(width).update(highlight=False)
        return all(
            a.height(console, options) == b.height(console, options)
            for a, b in zip(old, new, strict=True)
        )
