"""The main screen: the job list on top, the log and the details of the selected job below.

It runs the poller's loop in a worker and learns of every change through messages; the
list's state (namespace, filter, marks) lives in a Listing, not in the widgets.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Input

from jobtui.hub.models import JobInfo
from jobtui.monitor.costs import burn_rate, timeout_warnings
from jobtui.monitor.listing import Listing, count_line
from jobtui.monitor.store import StoreDiff
from jobtui.ui import messages
from jobtui.ui.bindings import MAIN_SCREEN_BINDINGS
from jobtui.ui.commands import PROVIDERS
from jobtui.ui.first_rows import FirstRows
from jobtui.ui.format import shell_command
from jobtui.ui.job_access import JobAccess
from jobtui.ui.job_actions import JobActions
from jobtui.ui.label_actions import LabelActions
from jobtui.ui.log_actions import LogActions
from jobtui.ui.notices import idle_notice, stage_notices, timeout_notice
from jobtui.ui.schedule_actions import ScheduleActions
from jobtui.ui.screen_clock import ScreenClock
from jobtui.ui.terminal_text import clean_text
from jobtui.ui.widgets.filter_box import FilterBox
from jobtui.ui.widgets.job_detail import JobDetail
from jobtui.ui.widgets.job_table import JobTable
from jobtui.ui.widgets.key_bar import KeyBar
from jobtui.ui.widgets.log_pane import LogPane
from jobtui.ui.widgets.metrics_panel import MetricsPanel
from jobtui.ui.widgets.status_bar import StatusBar, status_changes_at, status_line

if TYPE_CHECKING:
    from jobtui.ui.app import JobsApp

NARROW_WIDTH = 110
SET_ASIDE_EVERY = 2_000  # jobs of the first listing between two settings aside from the GC


def cleaned_haystack(job: JobInfo) -> str:
    """What the filter searches: the text the list and details show, cleaned as shown."""
    parts = (job.id, job.display_name, job.image, shell_command(job), job.flavor or "")
    return clean_text(" ".join((*parts, job.status.stage)))


class MainScreen(
    FirstRows, ScheduleActions, JobAccess, LabelActions, LogActions, JobActions, Screen[None]
):
    BINDINGS = MAIN_SCREEN_BINDINGS
    COMMANDS = PROVIDERS

    # Vars, not reactives: a reactive of the screen repaints the whole screen when it
    # changes, and a cursor move then drew every pane again (the key's frame took ~12 ms
    # where its own changes take ~4). Each watcher refreshes what it changes.
    selected_job_id: var[str | None] = var(None)
    narrow: var[bool] = var(False)
    detail_instead_of_log: var[bool] = var(False)

    def __init__(self, app: JobsApp) -> None:
        super().__init__()
        self.jobs_app = app
        self.store = app.store
        self.listing = Listing(namespaces=tuple(app.namespaces), haystack=cleaned_haystack)
        # Held, not queried: a message or a tick may land while the app shuts down.
        self.status = StatusBar(id="status")
        self.screen_clock = ScreenClock(self, self._tick, app.clock)
        self.table = JobTable(
            lookup=app.store.get, clock=app.now, wake=self.screen_clock.wake_at, id="jobs"
        )
        self.filter_box = FilterBox(id="filter")
        self.list_pane = Vertical(self.table, self.filter_box, id="list-pane")
        self.log_pane = LogPane(app.log_feed, app.log_lines, app.key_first, id="logs")
        self.metrics = MetricsPanel(app.metrics_feed, id="metrics")
        self.detail = JobDetail(metrics=self.metrics, id="detail")
        self._said_error: str | None = None
        self._before_filter: str | None = None
        self._titles = ("", "")
        self._saved = False
        self._set_aside = 0  # jobs in the store when the first listing's were last set aside
        self._timeout_warned: set[str] = set()
        self._live_key: tuple[object, ...] = ()
        self._live: list[JobInfo] = []
        self._burning = 0.0
        self._warn_due = math.inf  # when a live job next reaches its timeout warning

    @property
    def filter_text(self) -> str:
        return self.listing.filter_text

    def compose(self) -> ComposeResult:
        # Narrow or not is known before the first styling: set after the mount, the class
        # styled every widget a second time (~20 ms of the first frame).
        narrow = self.app.size.width < NARROW_WIDTH
        self.set_reactive(MainScreen.narrow, narrow)
        self.set_class(narrow, "-narrow", update=False)
        yield self.status
        yield self.list_pane
        with Horizontal(id="bottom"):
            yield self.log_pane
            yield self.detail
        yield KeyBar()

    def on_mount(self) -> None:
        self.detail.border_title = "Details"
        self.log_pane.border_title = "Log"
        self.narrow = self.app.size.width < NARROW_WIDTH  # the size may have changed since
        self.table.focus()
        # The selection follows the cursor in the same step, not by the table's message: the
        # key's frame then shows the cursor and the job's details together, where the
        # message came after the cursor's own frame and waited for the next (17 ms at 60 fps).
        self.watch(self.table, "cursor_row", self._cursor_moved, init=False)
        self.screen_clock.start()
        fresh = self.show_first_rows()
        self.refresh_headers()
        # With the Hub's page in the first frame, nothing is urgent: poll after that frame.
        if fresh:
            self.call_after_refresh(self._start_polling)
        else:
            self._start_polling()
        watch = self.jobs_app.idle_watch
        self.run_worker(watch.run(), group="idle", exit_on_error=False, description="idle GPUs")

    def _start_polling(self) -> None:
        self.run_worker(
            self.jobs_app.poller.run(), group="poll", exit_on_error=False, description="poll"
        )

    # ---- layout -------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        # The new size, not the one before: the event carries it.
        self.narrow = event.size.width < NARROW_WIDTH

    def watch_narrow(self, narrow: bool) -> None:
        self.set_class(narrow, "-narrow")

    def watch_detail_instead_of_log(self, value: bool) -> None:
        self.set_class(value, "-show-detail")

    def action_jump_to_failure(self) -> None:
        self.jobs_app.say(self.log_pane.jump_to_failure(), timeout=5)

    def action_follow_log(self) -> None:
        self.log_pane.view.action_follow()

    def action_toggle_detail(self) -> None:
        if not self.narrow:
            # Wide, Details are always beside the log: i moves there (and back).
            (self.table if self.detail.has_focus else self.detail).focus()
            return
        self.detail_instead_of_log = not self.detail_instead_of_log

    # ---- what the monitor reports -------------------------------------------------------

    @on(messages.NamespacesKnown)
    def _namespaces_known(self, message: messages.NamespacesKnown) -> None:
        self.listing.namespaces = message.namespaces
        self.listing.user = message.user
        if message.user is not None and self.listing.shown_namespace is None:
            self.listing.shown_namespace = message.user
        self.table.set_layout(show_owner=self.listing.show_owner)
        self.jobs_app.poller.show(self.listing.watched())
        self.refresh_headers()

    @on(messages.PollApplied)
    def _poll_applied(self, message: messages.PollApplied) -> None:
        self.apply(message.diff)
        if not self._saved and len(self.store) >= self._set_aside + SET_ASIDE_EVERY:
            # The first listing's jobs live as long as the app: set aside as they come, or
            # full collections scan them all again while the rest come in. Not every page:
            # each setting aside also keeps what garbage cycles exist then.
            self._set_aside = len(self.store)
            self.jobs_app.freeze_long_lived()

    def apply(self, diff: StoreDiff) -> None:
        if diff:
            settled = self.listing.settle(diff)
            if settled:
                self.table.set_flags(self.listing.marked, self.listing.canceling)
            shown: list[JobInfo] = []
            hidden = list(diff.removed)
            for job in (*diff.added, *diff.changed):  # each job's filter test, once
                if self.listing.visible(job):
                    shown.append(job)
                else:
                    hidden.append(job.id)
            self.table.apply(shown, hidden)
            if not self._sync_selection() and any(
                job.id == self.selected_job_id for job in diff.changed
            ):
                self.show_detail()
                self.metrics.show_job(self.selected_job())  # it may have ended
            # Counts in the header and the list title are redrawn at the end of each poll,
            # and by a clock tick within a second of a change: counting every page of a
            # 10,000-job first load would be waste.
            self.screen_clock.wake_at(self.jobs_app.clock() + 1.0)
        app = self.jobs_app
        for notice in stage_notices(diff.stage_changes):
            app.say(notice.message, severity="error" if notice.failed else "information", timeout=8)
            if notice.failed and app.bell_on_failure:
                app.bell()

    @on(messages.PollFinished)
    def _poll_finished(self, message: messages.PollFinished) -> None:
        fresh = message.freshness
        if fresh.last_ok is not None and not self._saved:
            self._saved = True  # the first good poll: next start opens on it
            self.jobs_app.save_first_screen()
            self.jobs_app.freeze_long_lived()
        if fresh.error is not None and (fresh.error != self._said_error):
            # The header has room for "OFFLINE"; the reason, fix first, goes in a notice
            # once (and stays on the help screen, `?`).
            self.jobs_app.say(self.problem() or "", severity="error", timeout=15)
        self._said_error = fresh.error
        self.refresh_headers()

    def problem(self) -> str | None:
        """What is wrong with the data, the fix first; None when nothing is."""
        fresh = self.jobs_app.poller.freshness
        if fresh.error is None:
            if fresh.failing:
                return " ".join(f"{ns} is not answering: {why}" for ns, why in fresh.failing)
            return None
        if fresh.token_refused:
            return f"{self.jobs_app.client.token.how_to_fix()} {fresh.error}"
        return f"Offline: jobtui retries by itself (R to retry now). {fresh.error}"

    @on(messages.IdleGpusChanged)
    def _idle_gpus_changed(self, message: messages.IdleGpusChanged) -> None:
        self.table.set_idle_gpu(message.change.idle)
        for stretch in message.change.started:  # once per idle stretch
            job = self.store.get(stretch.job_id)
            settings = self.jobs_app.idle_watch.settings
            self.jobs_app.say(idle_notice(job, stretch, settings), severity="warning", timeout=20)

    @on(messages.PricesKnown)
    def _prices_known(self) -> None:
        self.show_detail()
        self.refresh_headers()  # what the running jobs burn

    def action_refresh(self) -> None:
        self.jobs_app.poller.poll_now()

    # ---- what the list shows ------------------------------------------------------------

    def refilter(self) -> None:
        self.table.show_jobs(job for job in self.store if self.listing.visible(job))  # it sorts
        self._sync_selection()
        self.refresh_headers()

    def _sync_selection(self) -> bool:
        """Follow the row under the cursor after rows moved (none, when nothing matches the
        filter); True if the selection changed."""
        selected = self.table.selected_job_id
        if selected == self.selected_job_id:
            return False
        self.selected_job_id = selected
        return True

    def action_filter(self) -> None:
        if not self.filter_box.display:
            self._before_filter = self.selected_job_id  # escape comes back to it
        self.filter_box.display = True
        self.filter_box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if event.value == self.listing.filter_text:
            return  # e.g. escape already cleared it
        self.listing.filter_text = event.value
        self.refilter()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        # Each keystroke already filtered the rows: enter only goes to the first of them,
        # and gives the box's line back to the rows (the list's title names the filter).
        if self.listing.filter_error:
            self.jobs_app.say(self.listing.filter_error, severity="warning", timeout=8)
            return
        self.narrow_listing()
        if self.table.row_count:
            self.table.move_cursor(row=0)
        self._sync_selection()
        self.filter_box.display = False
        self.table.focus()

    def action_clear_filter(self) -> None:
        if self.cancel_whole_log():
            return
        box = self.filter_box
        if not box.display and not self.listing.filter_text:
            return
        box.value = ""
        box.display = False
        self.listing.filter_text = ""
        self.refilter()
        self.narrow_listing()
        before, self._before_filter = self._before_filter, None
        if before is not None and before in self.table.job_ids():
            self.table.move_cursor(row=self.table.get_row_index(before))
        self.table.focus()

    # ---- the selected job: detail and log -----------------------------------------------

    def selected_job(self) -> JobInfo | None:
        return self.store.get(self.selected_job_id or "")

    def _cursor_moved(self) -> None:
        self.selected_job_id = self.table.selected_job_id

    def watch_selected_job_id(self) -> None:
        self.show_detail()
        self.log_pane.show_job(self.selected_job())
        self.metrics.show_job(self.selected_job())

    def show_detail(self) -> None:
        job = self.selected_job()
        if job is None:
            self.detail.show(Text(self.nothing_selected(), style="bright_black"))
            return
        app = self.jobs_app
        flavor = app.poller.hardware.get(job.flavor or "")
        self.screen_clock.wake_at(self.detail.show_job(job, flavor, app.now()))

    def recolor(self) -> None:
        if self.is_mounted:
            self.table.redraw_all()
            self.refresh_headers()
            self.show_detail()

    def nothing_selected(self) -> str:
        if self.listing.filter_text and not self.table.row_count:
            return "No job matches the filter (escape clears it)."
        return "No job selected."

    # ---- time passing -------------------------------------------------------------------

    def _tick(self) -> None:
        """When the clock may have changed something on screen: whatever it changed, and
        only that (each part compares what it would show with what it shows, and says when
        it may next read differently: `self.screen_clock` sleeps until the first of those)."""
        self.refresh_headers()
        self.refresh_times()

    def refresh_times(self) -> None:
        """Relative times and live runtimes moved on: in the rows on screen and in Details."""
        self.table.refresh_times()
        self.show_detail()

    def refresh_headers(self) -> None:
        """The status line and the list's title, from one count of the namespaces shown."""
        app, listing = self.jobs_app, self.listing
        watched = listing.watched()
        counts = self.store.stage_counts(watched)
        fresh, now = app.poller.freshness, app.now()
        # The live jobs and what they burn change with the jobs, not with the clock: worked
        # out again only when the store or the namespaces shown moved (700 live jobs, each
        # second, was most of an idle tick). Timeouts are looked at when one is due.
        key = (tuple(watched), self.store.version, len(app.poller.hardware))
        if key != self._live_key:
            self._live_key = key
            live = [j for job_id in self.store.live_ids(watched) if (j := self.store.get(job_id))]
            self._live, self._burning = live, burn_rate(live, app.poller.hardware)
            self._warn_due = -math.inf
        burning = self._burning
        self.status.show(status_line(watched, counts, fresh, now, demo=app.demo, burning=burning))
        if now.timestamp() >= self._warn_due:
            # Once per job, when it has used the share of its timeout the settings say (0.9).
            unwarned = (job for job in self._live if job.id not in self._timeout_warned)
            due, self._warn_due = timeout_warnings(unwarned, app.settings.timeout_warning, now)
            for job, left in due:
                self._timeout_warned.add(job.id)
                app.say(timeout_notice(job, left), severity="warning", timeout=15)
        self.screen_clock.wake_at(min(self._warn_due, status_changes_at(fresh, now)))
        title = listing.title(clean_text)
        if listing.marked:
            title += f" · {len(listing.marked)} marked (M clears)"
        subtitle = count_line(self.table.row_count, sum(counts.values()))
        # Assigned only on change: each assignment lays the screen out again.
        if (title, subtitle) != self._titles:
            self._titles = (title, subtitle)
            self.list_pane.border_title = Text(title)
            self.list_pane.border_subtitle = subtitle
