"""The log tail: a state line (streaming / ended / reconnecting) above a LogView.

The pane owns its stream: `show_job(job)` closes the old one and, once the cursor rests,
opens the new one from the LogFeed it was handed (it holds no HTTP code itself).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static

from jobtui.hub.errors import HubError
from jobtui.hub.models import JobInfo
from jobtui.monitor.log_lines import NO_STAMP
from jobtui.monitor.logs import FAILURE_HINT, LogFeed, failure_kind, waiting_note
from jobtui.ui.key_first import KeyFirst
from jobtui.ui.terminal_text import clean_text, without_colour
from jobtui.ui.widgets.log_search import Search, SearchBox, compile_query
from jobtui.ui.widgets.log_state import count_note
from jobtui.ui.widgets.log_text import clean_lines
from jobtui.ui.widgets.log_view import LogView

log = logging.getLogger(__name__)

FLUSH_SECONDS = 1 / 20
STREAM_SWITCH_DELAY = 0.1
YIELD_SECONDS = 0.0005
# A whole log of a live job is "loaded" once its replay pauses this long (the Hub does not
# say where the replay ends and the live lines begin).
SETTLED_SECONDS = 1.0
WHOLE_FLUSH_SECONDS = 0.25
# A log pouring in faster than a pane a flush is unreadable at any rate: drawn 10 times a
# second instead of 20, half the frames to render and for the terminal to parse.
POURING_FLUSH_SECONDS = 0.09

STATE_STYLES = {
    "connecting": "yellow",
    "streaming": "green",
    "ended": "bright_black",
    "reconnecting": "bold yellow",
    "error": "bold red",
}


class LogPane(Vertical):
    """Buffers incoming lines and hands them to the view a batch per frame."""

    DEFAULT_CSS = """
    LogPane > #log-state { height: 1; padding: 0 1; background: $panel; }
    LogPane > LogView { height: 1fr; }
    """

    class StateChanged(Message):
        """The stream's state changed (connecting, streaming, reconnecting, ended, error)."""

        def __init__(self, job_id: str, state: str, detail: str) -> None:
            super().__init__()
            self.job_id = job_id
            self.state = state
            self.detail = detail

    def __init__(
        self,
        feed: LogFeed | None = None,
        max_lines: int = 10_000,
        key_first: KeyFirst | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.feed = feed
        self.key_first = key_first
        """While it holds (a key's frame on its way), lines wait: no reading, no flush."""
        self._pouring = False  # the last flush brought more lines than the pane has rows
        self.job_id: str | None = None
        """The job whose log is open (or about to open)."""
        self._switch: Timer | None = None
        self._flusher: Timer | None = None
        self._failure_at: int | None = None
        self._search: Search | None = None
        self._search_note = ""
        self._search_box = SearchBox()
        self._pending: list[str] = []
        self._pending_stamps: list[float] = []
        self._pending_widths: list[int] = []  # the cells of each pending (cleaned) line
        self._job: JobInfo | None = None
        self.whole = False
        """The pane holds the whole log (asked for with `f`), not the tail."""
        self.fetching = False
        """The whole log is on its way (not `loading`: that is Textual's spinner)."""
        self._settle: Timer | None = None
        self._asked_at = 0.0
        self._flushed_at = 0.0
        self._totals: dict[str, int] = {}  # lines in each job's whole log, once loaded
        self._state = ("", "")
        self._empty_note = ""
        # Held, not queried: a stream or a flush may still report while the app shuts
        # down and the children are already gone.
        self._state_line = Static("", id="log-state")
        self._state_shown: Text | None = None
        self._view = LogView(max_lines=max_lines, id="log-view")

    BINDINGS = [
        Binding(
            "slash",
            "search",
            "Search",
            tooltip="log: search it (/ with the log focused)",
            id="log.search",
        ),
        Binding(
            "n",
            "step_search(True)",
            "Next match",
            show=False,
            tooltip="log: next match",
            id="log.next_match",
        ),
        Binding(
            "N",
            "step_search(False)",
            "Previous match",
            show=False,
            tooltip="log: previous match",
            id="log.previous_match",
        ),
    ]

    def compose(self) -> ComposeResult:
        yield self._state_line
        yield self._view
        yield self._search_box

    # ---- search -------------------------------------------------------------------------

    def action_search(self) -> None:
        self._search_box.display = True
        self._search_box.focus()

    @on(Input.Changed, "SearchBox")
    def _query_changed(self, event: Input.Changed) -> None:
        event.stop()
        if not event.value:
            self._end_search()
            return
        pattern = compile_query(event.value)
        if isinstance(pattern, str):
            self._search, self._search_note = None, pattern
            self.view.highlight(None)
        else:
            self._search = Search(pattern)
            self._search.run(self.view.plain_lines())
            self.view.following = False  # searching holds the view still
            self.view.highlight(pattern)
        self._show_state()

    @on(Input.Submitted, "SearchBox")
    def _query_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.view.focus()
        self.action_step_search(True)

    @on(SearchBox.Cancelled)
    def _search_cancelled(self) -> None:
        self._end_search()
        self.view.focus()

    def _end_search(self) -> None:
        self._search, self._search_note = None, ""
        self.view.highlight(None)
        self._show_state()

    def action_step_search(self, forward: bool) -> None:
        if self._search is None:
            self.app.notify("No search: / with the log focused searches it.", timeout=3)
            return
        index = self._search.step(forward, near=int(self.view.scroll_y))
        if index is not None:
            self.view.show_line(index)
        self._show_state()

    def on_mount(self) -> None:
        # Runs only while lines wait: an idle pane wakes nobody 20 times a second.
        self._flusher = self.set_interval(FLUSH_SECONDS, self.flush, pause=True)
        self.watch(self.view, "following", lambda _: self._show_state(), init=False)

    @property
    def view(self) -> LogView:
        return self._view

    # ---- the stream ---------------------------------------------------------------------

    def show_job(self, job: JobInfo | None) -> None:
        """Show this job's log: close the old stream now, open the new once the cursor rests."""
        if (job.id if job else None) == self.job_id:
            return
        self.workers.cancel_group(self, "logs")
        if self._switch is not None:
            self._switch.stop()
        self.whole = self.fetching = False
        self._job = job
        if job is None:  # nothing selected (a filter matching none): show no one's log
            self.job_id = None
            self.start("", empty_note="")
            self.border_title = "Log"
            self.set_state("", "")
            return
        self.job_id = job.id
        self._switch = self.set_timer(STREAM_SWITCH_DELAY, lambda: self._stream(job))

    def load_whole(self) -> str:
        """`f`: load the whole log (again); while it loads, `f` cancels. Says what it did."""
        job = self._job
        if self.fetching:
            self.cancel_whole()
            return "Loading the whole log: cancelled; back to the tail."
        if job is None or self.feed is None:
            return "No job selected."
        self.workers.cancel_group(self, "logs")
        self.whole = self.fetching = True
        self._asked_at = time.time()
        self._show_state()
        self._stream(job, whole=True)
        return "Loading the whole log (f or escape cancels)."

    def cancel_whole(self) -> bool:
        """Stop loading the whole log and go back to the tail; False if none was loading."""
        if not self.fetching or self._job is None:
            return False
        self.workers.cancel_group(self, "logs")
        self.whole = self.fetching = False
        self._stream(self._job)
        return True

    def _settled(self) -> None:
        if self.fetching:
            self.fetching = False
            self._show_state()

    @work(group="logs", exclusive=True, exit_on_error=False, description="stream a log")
    async def _stream(self, job: JobInfo, whole: bool = False) -> None:
        if self.feed is None or job.id != self.job_id:
            return
        self.start(job.display_name, empty_note=waiting_note(job), whole=whole)
        self.view.origin = job.started_at.timestamp() if job.started_at else NO_STAMP

        def report(state: str, detail: str) -> None:
            self.post_message(self.StateChanged(job.id, state, detail))

        try:
            yielded = time.monotonic()
            async for lines, stamps in self.feed.batches(job, report, whole=whole):
                self.add_lines(lines, stamps)
                if self.key_first is not None and self.key_first.held:
                    await self.key_first.wait()
                    yielded = time.monotonic()
                    continue
                # Keys and redraws come in between every half ms: each step of a key's way
                # waits for one such slice (not after each read: a pouring log is ~16,000
                # small HTTP chunks a second, and a pass of the event loop each is costly).
                if time.monotonic() - yielded > YIELD_SECONDS:
                    await asyncio.sleep(0)
                    yielded = time.monotonic()
        except HubError as exc:
            report("error", f"{exc} (select the job again to retry)")
        except Exception as exc:  # a bug of ours: say it in the pane, keep the app
            log.exception("log stream failed")
            report("error", f"internal error ({type(exc).__name__}: {exc})")
        finally:
            if whole and job.id == self.job_id and self.fetching:
                self.flush(now=True)
                self._totals[job.id] = self.view.written
                self._settled()

    @on(StateChanged)
    def _state_changed(self, message: StateChanged) -> None:
        if message.job_id == self.job_id:  # not a late word from a stream already closed
            self.set_state(message.state, message.detail)

    def jump_to_failure(self) -> str:
        """Show the next line that looks like a failure; says what was found."""
        index = self.view.next_match(failure_kind, self._failure_at, FAILURE_HINT)
        if index is None:
            self._failure_at = None
            return "No line that looks like a failure in the lines held."
        wrapped = self._failure_at is not None and index <= self._failure_at
        self._failure_at = index
        self.view.show_line(index)
        kind = failure_kind(without_colour(self.view.line(index))) or "a failure"
        again = " (back to the first)" if wrapped else ""
        return f"Line {self.view.line_number(index):,}: {kind}{again}. e again for the next."

    def start(self, title: str, *, empty_note: str = "", whole: bool = False) -> None:
        """A new job's log: empty the view and say we are connecting.

        `empty_note` is said while no line has come (e.g. the job has not started yet);
        `whole`: the whole log comes, whose start is kept if it outgrows the view."""
        self._pending.clear()
        self._pending_stamps.clear()
        self._pending_widths.clear()
        self._failure_at = None
        self._empty_note = empty_note
        if whole:
            self.view.keep_head()
        else:
            self.view.clear()
        if self._search is not None:
            self._search.run([])
        self.border_title = Text(f"Log · {clean_text(title, max_length=60)}")
        self.set_state("connecting", "")

    def add(self, line: str, stamp: float = NO_STAMP) -> None:
        self.add_lines([line], [stamp])

    def add_lines(self, lines: list[str], stamps: list[float]) -> None:
        """Lines that came, cleaned now (between keys: cleaning a 50 ms batch of a firehose in
        the flush held a key for 1-7 ms); the next flush hands them to the view."""
        if not self._pending and self._flusher is not None:
            self._flusher.resume()
        cleaned, widths = clean_lines(lines)
        self._pending += cleaned
        self._pending_widths += widths
        self._pending_stamps += stamps

    def flush(self, *, now: bool = False) -> None:
        """Hand the lines that came to the view (`now`: even while a whole log pours in)."""
        if not self._pending and self._flusher is not None:
            self._flusher.pause()
        at = time.monotonic()
        if not now:
            if self.key_first is not None and self.key_first.held:
                return  # a key's frame comes first, and without the log's rows in it
            if self.fetching and at - self._flushed_at < WHOLE_FLUSH_SECONDS:
                return  # a whole log pours in: fewer, bigger batches leave the loop to it
            if self._pouring and at - self._flushed_at < POURING_FLUSH_SECONDS:
                return
        self._flushed_at = at
        self._pouring = len(self._pending) > self.view.size.height
        if self._pending:
            lines, self._pending = self._pending, []
            stamps, self._pending_stamps = self._pending_stamps, []
            widths, self._pending_widths = self._pending_widths, []
            view = self.view
            dropped = view.write_lines(lines, stamps, widths)
            if math.isnan(view.origin):
                view.origin = next((s for s in stamps if not math.isnan(s)), NO_STAMP)
            if self.fetching and self._job is not None and self._job.is_live:
                if self._settle is not None:
                    self._settle.stop()
                if max(stamps) >= self._asked_at:  # NaN compares false: unstamped lines wait
                    self._settled()  # a line logged since f: the replay is behind us
                else:
                    self._settle = self.set_timer(SETTLED_SECONDS, self._settled)
            if self._search is not None:  # search what came, not the whole buffer again
                first = view.line_count - view.added
                self._search.advance(dropped, view.plain_lines(first), first, view.head_len)
            self._show_state()

    def set_state(self, state: str, detail: str) -> None:
        self._state = (state, detail)
        self._show_state()

    def _count_note(self) -> Text:
        tail = self.feed.tail if self.feed is not None and not self.whole else 0
        total = self._totals.get(self.job_id or "")
        whole, fetching = self.whole, self.fetching
        return count_note(self.view, tail=tail, total=total, whole=whole, fetching=fetching)

    def _show_state(self) -> None:
        state, detail = self._state
        view = self.view
        text = Text(state or "no job selected", style=STATE_STYLES.get(state, "bright_black"))
        if detail:
            text.append(" · " + clean_text(detail, max_length=120))
        elif not view.written and self._empty_note and state not in ("ended", "error"):
            text.append(" · " + self._empty_note, style="bright_black")
        # What the keys changed comes first: the line is cut at the pane's width, and the
        # counts after it matter least.
        if not view.following and view.line_count:
            text.append(" · paused, G or end to follow", style="bold cyan")
        if self._search is not None:
            text.append(f" · search: {self._search.where()} (n/N)", style="bold yellow")
        elif self._search_note:
            text.append(f" · {self._search_note}", style="bold red")
        text.append_text(self._count_note())
        # A flush comes 20 times a second while a log streams; the line is one row high.
        if text != self._state_shown:
            self._state_shown = text
            self._state_line.update(text, layout=False)
