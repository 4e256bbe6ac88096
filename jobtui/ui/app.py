"""The jobtui app: polls the Hub into a store and shows the list, the detail and the log."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Input

from jobtui.hub.client import HubClient
from jobtui.hub.errors import HubError
from jobtui.hub.models import JobHardwareInfo, JobInfo
from jobtui.store import JobStore, JobSync, StageChange, StoreDiff
from jobtui.ui.format import now_utc, shell_command
from jobtui.ui.screens.cancel import CancelScreen
from jobtui.ui.screens.help import HelpScreen
from jobtui.ui.screens.rerun import RerunScreen
from jobtui.ui.terminal_text import clean_text
from jobtui.ui.widgets.job_detail import JobDetail, describe
from jobtui.ui.widgets.job_table import JobTable
from jobtui.ui.widgets.log_pane import LogPane
from jobtui.ui.widgets.status_bar import Freshness, StatusBar, status_line

W = TypeVar("W", bound=Widget)
log = logging.getLogger(__name__)

LOG_TAIL_LINES = 1_000
YIELD_EVERY_LINES = 200
MAX_SINGLE_NOTICES = 3
POLL_TIMEOUT = 120.0
NARROW_WIDTH = 110
MAX_OFFLINE_BACKOFF = 60.0
STREAM_SWITCH_DELAY = 0.1
TIMES_REFRESH_SECONDS = 15.0


class JobsApp(App[int]):
    """The monitor. Takes a ready HubClient, so tests hand it one for a local simulated Hub."""

    TITLE = "jobtui"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = False

    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("a", "toggle_live", "All/live"),
        Binding("i", "toggle_detail", "Details"),
        Binding("c", "cancel", "Cancel job"),
        Binding("r", "rerun", "Rerun"),
        Binding("space", "mark", "Mark", show=False),
        Binding("n", "next_namespace", "Namespace", show=False),
        Binding("o", "open_page", "Open page", show=False),
        Binding("y", "copy_id", "Copy id", show=False),
        Binding("Y", "copy_url", "Copy URL", show=False),
        Binding("R,ctrl+r", "refresh", "Refresh", key_display="R"),
    ]

    selected_job_id: reactive[str | None] = reactive(None)
    live_only: reactive[bool] = reactive(False)
    filter_text: reactive[str] = reactive("")
    narrow: reactive[bool] = reactive(False)
    detail_instead_of_log: reactive[bool] = reactive(False)

    def __init__(
        self,
        client: HubClient,
        *,
        namespaces: Sequence[str] = (),
        interval: float = 5.0,
        log_lines: int = 10_000,
        bell: bool = False,
        demo: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.client = client
        self.namespaces: tuple[str, ...] = tuple(namespaces)
        self.interval = interval
        self.log_lines = log_lines
        self.bell_on_failure = bell
        self.demo = demo
        self.clock = clock
        self.store = JobStore()
        self.hardware: dict[str, JobHardwareInfo] = {}
        self.freshness = Freshness()
        self._failures = 0
        self._sync: JobSync | None = None
        self._poll_timer: Timer | None = None
        self._switch_timer: Timer | None = None
        self._streaming_id: str | None = None
        self._rerun_in_flight = False
        self._polling = False
        self._poll_again = False
        self._widgets: dict[str, Widget] = {}
        self._main_mounted = False  # set once the main screen is mounted
        # Which watched namespace the list shows; None shows them all, with an owner column.
        self.shown_namespace: str | None = None

    # ---- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Vertical(id="list-pane"):
            yield JobTable(id="jobs", clock=self.now)
            yield Input(placeholder="filter: id, name, image, command, flavor, stage", id="filter")
        with Horizontal(id="bottom"):
            yield LogPane(max_lines=self.log_lines, id="logs")
            yield JobDetail(id="detail")
        yield Footer()

    # The main screen's widgets. While a modal is up, `self.query_one` searches the modal,
    # so a poll finishing then looks on the bottom screen instead.
    def _part(self, selector: str, kind: type[W]) -> W:
        widget = self._widgets.get(selector)
        if widget is None:
            widget = self._widgets[selector] = self.screen_stack[0].query_one(selector, kind)
        return widget  # type: ignore[return-value]

    @property
    def table(self) -> JobTable:
        return self._part("#jobs", JobTable)

    @property
    def log_pane(self) -> LogPane:
        return self._part("#logs", LogPane)

    @property
    def detail(self) -> JobDetail:
        return self._part("#detail", JobDetail)

    @property
    def list_pane(self) -> Vertical:
        return self._part("#list-pane", Vertical)

    @property
    def filter_box(self) -> Input:
        return self._part("#filter", Input)

    def on_mount(self) -> None:
        self._main_mounted = True
        self.detail.border_title = "Details"
        self.log_pane.border_title = "Log"
        self.narrow = self.size.width < NARROW_WIDTH
        self.table.focus()
        self.set_interval(1.0, self._tick)
        self.set_interval(TIMES_REFRESH_SECONDS, self._refresh_times)
        self._refresh_headers()
        self.poll()

    def on_resize(self) -> None:
        self.narrow = self.size.width < NARROW_WIDTH

    def watch_narrow(self, narrow: bool) -> None:
        self.set_class(narrow, "-narrow")
        self._apply_layout()

    def watch_detail_instead_of_log(self, value: bool) -> None:
        self.set_class(value, "-show-detail")

    def _apply_layout(self) -> None:
        if not self._main_mounted:
            return
        self.table.set_layout(show_owner=self.shown_namespace is None and len(self.namespaces) > 1)

    def now(self) -> datetime:
        return now_utc(self.clock())

    # ---- polling -----------------------------------------------------------------------

    def poll(self) -> None:
        """Poll now, or as soon as the poll under way ends: a poll is never cut short, since
        the store may already hold what it read while the screen does not show it yet."""
        if self._polling:
            self._poll_again = True
            return
        self._polling = True
        if self._poll_timer is not None:
            self._poll_timer.stop()
        self._run_poll()

    @work(group="poll", exit_on_error=False, description="poll the Hub")
    async def _run_poll(self) -> None:
        """One poll; re-arms a one-shot timer when done, so polls never overlap."""
        delay = self.interval
        try:
            if self._sync is None:
                await self._start_sync()
            assert self._sync is not None
            # Each part is shown as it arrives (on_change); a Hub that trickles bytes or
            # loops must not hold the poll, and with it every later poll, for ever.
            await asyncio.wait_for(self._sync.poll(), timeout=max(POLL_TIMEOUT, self.interval))
        except HubError as exc:
            delay = self._offline(str(exc))
        except TimeoutError:
            delay = self._offline(f"the Hub took over {POLL_TIMEOUT:.0f} s to answer a poll")
        except Exception as exc:  # a bug of ours: say so, keep the last data, keep polling
            log.exception("poll failed")
            delay = self._offline(f"internal error ({type(exc).__name__}: {exc})")
        else:
            self._failures = 0
            self.freshness = Freshness(last_ok=self.now(), refused=tuple(self._sync.refused))
        finally:
            self._polling = False
            if self._poll_again:
                self._poll_again, delay = False, 0.01  # Textual timers need a delay > 0
            self._poll_timer = self.set_timer(delay, self.poll)
        self._refresh_headers()

    def _offline(self, reason: str) -> float:
        """Record a failed poll; returns how long to wait before the next, backing off."""
        self._failures += 1
        delay = min(MAX_OFFLINE_BACKOFF, self.interval * 2 ** (self._failures - 1))
        self.freshness = Freshness(
            last_ok=self.freshness.last_ok, error=reason, next_try=now_utc(self.clock() + delay)
        )
        return delay

    async def _start_sync(self) -> None:
        if not self.namespaces:
            account = await self.client.whoami()
            self.namespaces = account.namespaces
            self.shown_namespace = account.name
            self._apply_layout()
        try:
            self.hardware = {flavor.name: flavor for flavor in await self.client.list_hardware()}
        except Exception:  # prices are a nicety: the list works without them
            log.warning("no hardware list: prices will not show", exc_info=True)
            self.hardware = {}
        self._sync = JobSync(self.client, self.store, self.namespaces, on_change=self._apply_diff)

    def _apply_diff(self, diff: StoreDiff) -> None:
        for job in diff.changed:
            if job.id in self.table.canceling and not job.is_live:
                self.table.set_canceling(job.id, False)
        if diff:
            self.table.apply(diff.added, diff.changed, diff.removed, visible=self.is_visible)
            if not self._sync_selection() and any(
                job.id == self.selected_job_id for job in diff.changed
            ):
                self._show_detail()
        if len(diff.stage_changes) > MAX_SINGLE_NOTICES:
            self._announce_many(diff.stage_changes)
        else:
            for change in diff.stage_changes:
                self._announce(change.job, change.before)
        # Counts in the header and the list title are redrawn by the clock tick and at the
        # end of each poll: counting every page of a 10,000-job first load would be waste.

    def _announce(self, job: JobInfo, before: str) -> None:
        name = clean_text(job.display_name, max_length=40)
        stage = str(job.status.stage)
        message = f"{name}: {before.lower()} → {stage.lower()}"
        if job.status.message:
            message += f" — {clean_text(job.status.message, max_length=120)}"
        failed = stage == "ERROR"
        self.say(message, severity="error" if failed else "information", timeout=8)
        if failed and self.bell_on_failure:
            self.bell()

    def _announce_many(self, changes: Sequence[StageChange]) -> None:
        """One notice for a burst of changes (a first poll after a while offline, say)."""
        stages = Counter(str(change.after).lower() for change in changes)
        failed = stages.get("error", 0)
        summary = ", ".join(f"{count} {stage}" for stage, count in stages.most_common())
        self.say(
            f"{len(changes)} jobs changed stage: {summary}",
            severity="error" if failed else "information",
            timeout=8,
        )
        if failed and self.bell_on_failure:
            self.bell()

    def say(
        self, message: str, *, severity: SeverityLevel = "information", timeout: float = 5.0
    ) -> None:
        """Every notice goes through here: cleaned of terminal codes, never read as markup."""
        self.notify(clean_text(message), severity=severity, timeout=timeout, markup=False)

    def action_refresh(self) -> None:
        self.poll()

    # ---- acting on jobs ----------------------------------------------------------------

    def selected_job(self) -> JobInfo | None:
        return self.store.get(self.selected_job_id or "")

    def action_mark(self) -> None:
        job = self.selected_job()
        if job is not None:
            self.table.toggle_mark(job.id)
            self.table.action_cursor_down()

    def action_cancel(self) -> None:
        marked = [self.store.get(job_id) for job_id in sorted(self.table.marked)]
        if marked:
            targets = [job for job in marked if job is not None and job.is_live]
            if not targets:
                self.say("None of the marked jobs is live: nothing to cancel.", timeout=4)
                return
        else:
            job = self.selected_job()
            if job is None:
                return
            if not job.is_live:
                self.say(
                    f"Nothing to cancel: {clean_text(job.display_name)} has already "
                    f"{'been ' if job.status.stage in ('CANCELED', 'DELETED') else ''}"
                    f"{clean_text(str(job.status.stage)).lower()}.",
                    timeout=4,
                )
                return
            targets = [job]
        pending = [job for job in targets if job.id not in self.table.canceling]
        if not pending:
            self.say("Already canceling: waiting for the Hub to confirm.", timeout=4)
            return

        def confirmed(yes: bool | None) -> None:
            # The list may have moved on while the question was up: cancel what is still live.
            still_live = [job for job in pending if (now := self.store.get(job.id)) and now.is_live]
            if yes and still_live:
                for job in still_live:
                    self.table.set_canceling(job.id, True)
                self.cancel_jobs(still_live)

        self.push_screen(CancelScreen(pending, self.hardware, self.now()), confirmed)

    # Descriptions keep Textual from describing workers by their arguments in its log.
    @work(group="act", exit_on_error=False, description="cancel jobs")
    async def cancel_jobs(self, jobs: list[JobInfo]) -> None:
        async def cancel(job: JobInfo) -> None:
            try:
                await self.client.cancel_job(job.owner.name, job.id)
            except HubError as exc:
                self.table.set_canceling(job.id, False)
                self.say(
                    f"Could not cancel {clean_text(job.display_name)}: {exc}",
                    severity="error",
                    timeout=10,
                )
            else:
                self.table.marked.discard(job.id)
                latest = self.store.get(job.id)
                if latest is not None and not latest.is_live:
                    self.table.set_canceling(job.id, False)  # it ended meanwhile

        await asyncio.gather(*(cancel(job) for job in jobs))
        self.table.refresh_times()
        self.poll()

    def action_rerun(self) -> None:
        job = self.selected_job()
        if job is None or self._rerun_in_flight:
            return

        def submit(spec: dict[str, Any] | None) -> None:
            if spec is not None:
                self.rerun_job(job.owner.name, spec)

        self.push_screen(RerunScreen(job, self.hardware, os.environ), submit)

    @work(group="act", exit_on_error=False, description="rerun a job (spec not logged)")
    async def rerun_job(self, namespace: str, spec: dict[str, Any]) -> None:
        if self._rerun_in_flight:
            return
        self._rerun_in_flight = True
        try:
            new = await self.client.run_job(namespace, spec)
        except HubError as exc:
            self.say(f"Rerun failed: {exc}", severity="error", timeout=10)
            return
        finally:
            self._rerun_in_flight = False
        self._apply_diff(self.store.update([new]))
        if new.id in self.table.job_ids():
            self.table.move_cursor(row=self.table.get_row_index(new.id))
        self.say(f"Started {clean_text(new.display_name)} ({new.id})", timeout=5)

    def action_open_page(self) -> None:
        job = self.selected_job()
        if job is None:
            return
        if _no_browser(os.environ):
            self.say(f"Job page: {job.url}", timeout=15)
        else:
            self.open_url(clean_text(job.url))
            self.say(f"Opened {job.url}", timeout=4)

    def action_copy_id(self) -> None:
        if (job := self.selected_job()) is not None:
            self.copy_to_clipboard(job.id)
            self.say(f"Copied the job id {job.id}", timeout=3)

    def action_copy_url(self) -> None:
        if (job := self.selected_job()) is not None:
            self.copy_to_clipboard(job.url)
            self.say(f"Copied {job.url}", timeout=3)

    def action_next_namespace(self) -> None:
        choices: list[str | None] = [*self.namespaces, None]
        if len(self.namespaces) < 2:
            self.say("Only one namespace is watched (add more with --namespace).", timeout=4)
            return
        self.shown_namespace = choices[(choices.index(self.shown_namespace) + 1) % len(choices)]
        self._apply_layout()
        self._refilter()  # redraws the headers too

    # ---- what the list shows -----------------------------------------------------------

    def is_visible(self, job: JobInfo) -> bool:
        if self.live_only and not job.is_live:
            return False
        if self.shown_namespace is not None and job.owner.name != self.shown_namespace:
            return False
        needle = self.filter_text.strip().lower()
        if not needle:
            return True
        haystack = " ".join(
            (
                job.id,
                job.display_name,
                job.image,
                shell_command(job),
                job.flavor or "",
                str(job.status.stage),
            )
        ).lower()
        return needle in haystack

    def _refilter(self) -> None:
        self.table.show_jobs(job for job in self.store if self.is_visible(job))  # it sorts
        self._sync_selection()
        self._refresh_headers()

    def _sync_selection(self) -> bool:
        """Follow the row under the cursor after rows moved; True if the selection changed."""
        selected = self.table.selected_job_id
        if selected is None or selected == self.selected_job_id:
            return False
        self.selected_job_id = selected
        return True

    def watch_live_only(self) -> None:
        if self._main_mounted:
            self._refilter()

    def action_toggle_live(self) -> None:
        self.live_only = not self.live_only
        self.say("Showing live jobs only" if self.live_only else "Showing all jobs", timeout=2)

    def action_filter(self) -> None:
        box = self.filter_box
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if event.value == self.filter_text:
            return  # e.g. escape already cleared it
        self.filter_text = event.value
        self._refilter()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        # Each keystroke already filtered the rows: enter only goes to the first of them.
        if self.table.row_count:
            self.table.move_cursor(row=0)
        self._sync_selection()
        self.table.focus()

    def action_clear_filter(self) -> None:
        box = self.filter_box
        if not box.display and not self.filter_text:
            return
        box.value = ""
        box.display = False
        self.filter_text = ""
        self._refilter()
        self.table.focus()

    def action_toggle_detail(self) -> None:
        self.detail_instead_of_log = not self.detail_instead_of_log

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    # ---- the selected job: detail and log ----------------------------------------------

    @on(JobTable.Highlighted)
    def _row_highlighted(self, event: JobTable.Highlighted) -> None:
        self.selected_job_id = event.job_id

    def watch_selected_job_id(self, job_id: str | None) -> None:
        self._show_detail()
        if job_id == self._streaming_id:
            return
        # Close the old stream now; open the new one once the cursor rests.
        self.workers.cancel_group(self, "logs")
        self._streaming_id = None
        if self._switch_timer is not None:
            self._switch_timer.stop()
        self._switch_timer = self.set_timer(STREAM_SWITCH_DELAY, self._open_selected_log)

    def _open_selected_log(self) -> None:
        job = self.selected_job()
        if job is not None and job.id != self._streaming_id:
            self._streaming_id = job.id
            self.stream_log(job)

    @work(group="logs", exclusive=True, exit_on_error=False, description="stream a log")
    async def stream_log(self, job: JobInfo) -> None:
        pane = self.log_pane
        waiting = job.status.stage == "SCHEDULING"
        pane.start(job.display_name, empty_note="waiting for the job to start" if waiting else "")
        try:
            received = 0
            async for line in self.client.stream_logs(
                job.owner.name, job.id, tail=LOG_TAIL_LINES, on_status=pane.set_state
            ):
                pane.add(line.text)
                received += 1
                if received % YIELD_EVERY_LINES == 0:
                    # A burst arrives parsed in one go: let keys and redraws in between.
                    await asyncio.sleep(0)
        except HubError as exc:
            pane.set_state("error", f"{exc} (select the job again to retry)")
        except Exception as exc:  # a bug of ours: say it in the pane, keep the app
            log.exception("log stream failed")
            pane.set_state("error", f"internal error ({type(exc).__name__}: {exc})")

    def _show_detail(self, job: JobInfo | None = None) -> None:
        job = job or self.selected_job()
        if job is not None:
            self.detail.show(describe(job, self.hardware.get(job.flavor or ""), self.now()))

    # ---- time passing ------------------------------------------------------------------

    def _tick(self) -> None:
        self._refresh_headers()
        job = self.selected_job()
        if job is not None and job.is_live:
            self._show_detail(job)  # the cost so far keeps growing

    def _refresh_times(self) -> None:
        self.table.refresh_times()

    def _refresh_headers(self) -> None:
        """The status line and the list's title, from one count of the namespaces shown."""
        watched = [self.shown_namespace] if self.shown_namespace else list(self.namespaces)
        counts = self.store.stage_counts(watched)
        self._part("#status", StatusBar).update(
            status_line(watched, counts, self.freshness, self.now(), demo=self.demo)
        )
        shown, total = self.table.row_count, sum(counts.values())
        parts = ["Jobs"]
        if self.shown_namespace and len(self.namespaces) > 1:
            parts.append(f"{clean_text(self.shown_namespace)} (n: next namespace)")
        if self.live_only:
            parts.append("live only")
        if self.filter_text:
            parts.append(f"filter “{clean_text(self.filter_text, max_length=30)}”")
        self.list_pane.border_title = Text(" · ".join(parts))
        self.list_pane.border_subtitle = (
            f"{shown:,} of {total:,} jobs" if shown != total else f"{total:,} jobs"
        )

    async def on_unmount(self) -> None:
        self.workers.cancel_all()
        await self.client.aclose()


def _no_browser(env: Mapping[str, str]) -> bool:
    """Over ssh, or on a Linux box with no display, a browser would open far from the user."""
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return True
    return sys.platform.startswith("linux") and not (
        env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")
    )
