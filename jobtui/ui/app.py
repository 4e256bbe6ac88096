"""The jobtui app: builds the store, the poller and the log feed, and opens the main screen."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.app import App
from textual.notifications import SeverityLevel

from jobtui.monitor.cache import ScreenCache
from jobtui.monitor.idle import IdleChanged, IdleSettings, IdleWatch
from jobtui.monitor.logs import LogFeed
from jobtui.monitor.metrics import MetricsFeed
from jobtui.monitor.poller import Freshness, Poller, Report
from jobtui.monitor.store import JobStore
from jobtui.settings import Settings, StateFile
from jobtui.ui.format import PALETTE, now_utc
from jobtui.ui.key_first import KeyFirst
from jobtui.ui.messages import IdleGpusChanged, from_report
from jobtui.ui.screens.main import MainScreen
from jobtui.ui.terminal_text import clean_text

if TYPE_CHECKING:
    from jobtui.hub.client import HubClient

# Middle collections between two full ones (Python's default is 10).
FULL_COLLECTION_EVERY = 100


class JobsApp(App[int]):
    """The monitor. Takes a ready HubClient, so tests hand it one for a local simulated Hub."""

    TITLE = "jobtui"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True  # ctrl+p; the main screen adds jobs, actions and views

    def __init__(
        self,
        client: HubClient,
        *,
        namespaces: Sequence[str] = (),
        interval: float = 5.0,
        log_lines: int = 200_000,
        local_time: bool = False,
        bell: bool = False,
        demo: bool = False,
        clock: Callable[[], float] = time.time,
        cache: ScreenCache | None = None,
        token_file: Path | None = None,
        idle: IdleSettings | None = None,
        filter_text: str = "",
        settings: Settings | None = None,
        state: StateFile | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self._gc_thresholds = gc.get_threshold()  # put back when the app ends
        self.state = state
        self.keymap: dict[str, str] = dict(self.settings.keys)
        if self.keymap:
            self.set_keymap(self.keymap)
        self.theme = self.settings.theme
        self.client = client
        self.cache = cache
        self.namespaces: tuple[str, ...] = tuple(namespaces)
        self.log_lines = log_lines
        self.local_time = local_time
        self.bell_on_failure = bell
        self.demo = demo
        self.clock = clock
        self.store = JobStore()
        self.poller = Poller(
            client, self.store, self._report, self.namespaces, interval=interval, clock=clock
        )
        self.poller.token_file = token_file
        self.poller.painted = self.painted
        self.log_feed = LogFeed(client)
        self.key_first = KeyFirst()
        self.metrics_feed = MetricsFeed(client, clock)
        # Idle GPUs: sparse short reads of its own, plus every sample streamed anyway; its
        # reads come out of the polls' share of the API budget.
        self.idle_watch = IdleWatch(
            client,
            self.store,
            lambda: self.poller.hardware,
            self._idle_changed,
            idle or IdleSettings(),
            clock,
            poll_interval=interval,
        )
        self.metrics_feed.observers.append(self.idle_watch.observe)
        self.poller.spent_elsewhere = self.idle_watch.per_window
        self.main_screen = MainScreen(self)
        if filter_text:
            self.main_screen.start_filtered(filter_text)

    async def painted(self) -> None:
        """Returns once the main screen has handled what was reported so far and the frame
        after it is on screen (`call_later` queues behind those messages)."""
        shown: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def done() -> None:
            if not shown.done():
                shown.set_result(None)

        self.main_screen.call_later(self.call_after_refresh, done)
        await shown

    async def on_event(self, event: events.Event) -> None:
        # A key from the terminal: the log holds its lines until the key's frame is out.
        # The key goes on to the focused widget's queue; the callback queued behind it asks
        # for the frame after whatever the key changed.
        if isinstance(event, events.Key) and not event.is_forwarded:
            self.key_first.key_pressed()
            await super().on_event(event)
            self.call_later(self.screen.call_after_refresh, self.key_first.key_shown)
            return
        await super().on_event(event)

    def get_default_screen(self) -> MainScreen:
        return self.main_screen

    def on_mount(self) -> None:
        for warning in self.settings.warnings:  # once, at start, and kept a while
            self.say(warning, severity="warning", timeout=15)
        self.watch(self, "theme", self.remember_theme, init=False)
        self.theme_changed_signal.subscribe(self, self.recolor)
        self.recolor()
        self.call_after_refresh(self.freeze_long_lived)
        # A full collection stops everything for as long as it scans what lives (20-60 ms
        # while a log pours in): with Python's default (every 10th middle collection, ~1-2 s
        # apart under a firehose), one key in twenty or thirty waited for one. Ten times
        # rarer; what is only freed by the collector (cycles) waits a little longer.
        young, middle, _ = self._gc_thresholds
        gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)

    def freeze_long_lived(self) -> None:
        """Move what exists now out of the cyclic garbage collector's way: by the first frame
        (modules, widgets, styles: ~85,000 objects) and after the first listing (the jobs),
        what exists lives as long as the app. A full collection scanned it all again every
        second or two while a log poured in, 30-70 ms each with keys waiting. Objects set
        aside are still freed when nothing refers to them; only a cycle among them would stay
        (until the app ends: see on_unmount). The collector is turned on here: `jobtui`
        starts with it off (jobtui.start)."""
        gc.freeze()
        gc.enable()

    def recolor(self, *_: object) -> None:
        """The stage colours drawn as Rich styles follow the theme (CSS ones do by themselves)."""
        PALETTE.use(self.theme_variables)
        self.main_screen.recolor()

    def remember_theme(self, theme: str) -> None:
        """A theme chosen in the app (the command palette) is kept for the next start, in
        the state file: the user's config file is never rewritten."""
        if self.state is not None and (problem := self.state.remember_theme(theme)):
            self.say(problem, severity="warning")

    def _report(self, report: Report) -> None:
        self.main_screen.post_message(from_report(report))

    def _idle_changed(self, change: IdleChanged) -> None:
        self.main_screen.post_message(IdleGpusChanged(change))

    @property
    def freshness(self) -> Freshness:
        return self.poller.freshness

    def now(self) -> datetime:
        return now_utc(self.clock())

    def say(
        self, message: str, *, severity: SeverityLevel = "information", timeout: float = 5.0
    ) -> None:
        """Every notice goes through here: cleaned of terminal codes, never read as markup."""
        self.notify(clean_text(message), severity=severity, timeout=timeout, markup=False)

    # The terminal tells when it gains or loses focus: nobody looking, polls slow down.
    def on_app_focus(self) -> None:
        self.poller.set_focus(True)

    def on_app_blur(self) -> None:
        self.poller.set_focus(False)

    def save_first_screen(self) -> None:
        if self.cache is not None and self.poller.freshness.last_ok is not None:
            listing = self.main_screen.listing
            self.cache.save(listing.user, listing.namespaces, self.store)

    async def on_unmount(self) -> None:
        self.save_first_screen()
        self.workers.cancel_all()
        await self.client.aclose()
        gc.unfreeze()  # what was set aside is the collector's again (tests run many apps)
        gc.set_threshold(*self._gc_thresholds)
