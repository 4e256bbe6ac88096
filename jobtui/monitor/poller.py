"""The Poller: when to poll, how long a poll may take, and how to back off while offline.

It reports what happens as small dataclasses handed to `report`; the UI turns them into
messages. Polls never overlap: one loop polls, then sleeps until the next is due or
`poll_now()` wakes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from jobtui.hub.auth import find_token
from jobtui.hub.errors import AuthError, HubError
from jobtui.hub.head_start import FirstAnswers
from jobtui.hub.models import Account, JobHardwareInfo
from jobtui.hub.ratelimit import Budget
from jobtui.monitor.filtering import HubQuery
from jobtui.monitor.pacing import (
    BUDGET_SHARE,
    FREE_WINDOW,
    MAX_OFFLINE_BACKOFF,
    UNFOCUSED_SLOWDOWN,
    budget_delay,
    offline_delay,
)
from jobtui.monitor.reports import (
    Connected,
    Freshness,
    HardwareLoaded,
    JobsChanged,
    PollFinished,
    Report,
)
from jobtui.monitor.store import JobStore
from jobtui.monitor.sync import JobSource, JobSync, PrimedSource

log = logging.getLogger(__name__)

POLL_TIMEOUT = 120.0
# How long the head start's page waits for the frame that shows it, at most.
PAINT_WAIT = 1.0
HARDWARE_TIMEOUT = 30.0


class FirstAsker(Protocol):
    """A head start (`jobtui.hub.head_start.HeadStart`)."""

    async def answers(self) -> FirstAnswers | None: ...

    def answered_now(self) -> FirstAnswers | None: ...


class HubSource(JobSource, Protocol):
    """The part of the Hub client a poller uses."""

    async def whoami(self) -> Account: ...

    async def list_hardware(self) -> list[JobHardwareInfo]: ...


@dataclass
class Poller:
    """Polls `source` into `store` every `interval` seconds, reporting to `report`."""

    source: HubSource
    store: JobStore
    report: Callable[[Report], None]
    namespaces: Sequence[str] = ()
    interval: float = 5.0
    clock: Callable[[], float] = time.time
    timeout: float = POLL_TIMEOUT
    freshness: Freshness = field(default_factory=Freshness, init=False)
    hardware: dict[str, JobHardwareInfo] = field(default_factory=dict, init=False)
    failures: int = field(default=0, init=False)
    polls: int = field(default=0, init=False)
    _sync: JobSync | None = field(default=None, init=False)
    _wake: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    _manual: bool = field(default=False, init=False)
    _hardware_task: asyncio.Task[None] | None = field(default=None, init=False)
    _shown: Sequence[str] | None = field(default=None, init=False)
    _query: HubQuery = field(default_factory=HubQuery, init=False)
    _expected_user: str | None = field(default=None, init=False)
    _costs: deque[int] = field(default_factory=lambda: deque(maxlen=24), init=False)
    focused: bool = field(default=True, init=False)
    """Whether the terminal has focus; polls come UNFOCUSED_SLOWDOWN times further apart
    while it has not."""
    budget_share: float = BUDGET_SHARE
    token_file: Path | None = None
    """Where the token came from, if from `hf auth login`'s file: while the Hub refuses it,
    the file is watched, and a new token there is used at once."""
    _token_stamp: float | None = field(default=None, init=False)
    head_start: FirstAsker | None = None
    """The helper process asking the Hub for the first answers while the app starts
    (`jobtui.hub.head_start`); the first poll begins with what it got."""
    painted: Callable[[], Awaitable[None]] | None = None
    """Returns once the screen shows what was reported (the app's next frame)."""
    _hold_until_shown: bool = field(default=False, init=False)
    _shown_early: bool = field(default=False, init=False)  # see head_start_page
    spent_elsewhere: Callable[[float], float] | None = None
    """Requests per `window` seconds other readers of the same budget spend (the idle
    watch): the polls are paced to leave them their part of the share."""

    def from_cache(self, saved_at: float, user: str | None = None) -> None:
        """The store holds cached rows until the first poll answers; `user`: whose they
        were (their first page is asked for beside whoami, see `PrimedSource`)."""
        self.freshness = Freshness(cached_at=datetime.fromtimestamp(saved_at, UTC))
        self._expected_user = user

    def head_start_page(self) -> FirstAnswers | None:
        """The head start's answers if they are here already and the first poll will list
        their page as it is (see `_connect`): then the first frame can show that page."""
        answers = self.head_start.answered_now() if self.head_start is not None else None
        if answers is None or answers.page is None or self._query:
            return None
        account = answers.account
        namespaces = self.namespaces or (account.namespaces if account is not None else ())
        if answers.namespace not in namespaces:
            return None
        self._shown_early = True  # shown before the first poll: `_connect` holds nothing
        return answers

    def show(self, namespaces: Sequence[str]) -> None:
        """These namespaces are on screen: poll them at the full rate, and at once."""
        self._shown = list(namespaces)
        if self._sync is not None:
            self._sync.show(self._shown)
            self.poll_now()

    def narrow(self, query: HubQuery) -> None:
        """The filter's Hub-side part (stages, labels): histories not listed yet are listed
        with it, at once."""
        self._query = query
        if self._sync is not None and query != self._sync.query:
            self._sync.narrow(query)
            self.poll_now()

    def set_focus(self, focused: bool) -> None:
        if focused and not self.focused:
            self.poll_now()  # back at the terminal: fresh data at once
        self.focused = focused

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def poll_now(self) -> None:
        """Poll at once, or as soon as the poll under way ends (it is never cut short: the
        store may already hold what it read while the screen does not show it yet)."""
        self._manual = True
        self._wake.set()

    async def run(self) -> None:
        """Poll for ever. Cancel the task to stop."""
        self._token_stamp = self._token_file_stamp()
        while True:
            manual, self._manual = self._manual, False
            self._wake.clear()
            delay = await self.poll_once(manual=manual)
            await self._sleep(delay)

    async def _sleep(self, delay: float) -> None:
        """Until the next poll is due, `poll_now()` wakes us, or a refused token is replaced."""
        loop = asyncio.get_running_loop()
        due = loop.time() + delay
        while (left := due - loop.time()) > 0:
            watching = self.freshness.token_refused and self.token_file is not None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._wake.wait(), timeout=min(left, 1.0) if watching else left
                )
                return
            if watching and self._token_renewed():
                return

    def _token_file_stamp(self) -> float | None:
        try:
            return self.token_file.stat().st_mtime if self.token_file is not None else None
        except OSError:
            return None

    def _token_renewed(self) -> bool:
        assert self.token_file is not None
        stamp = self._token_file_stamp()
        if stamp is None or stamp == self._token_stamp:
            return False
        self._token_stamp = stamp
        try:
            token = find_token(env={"HF_TOKEN_PATH": str(self.token_file)})
        except HubError:
            return False
        use_token = getattr(self.source, "use_token", None)
        if use_token is None:
            return False
        use_token(token)
        return True

    async def poll_once(self, *, manual: bool = False) -> float:
        """One poll; returns how long to wait before the next."""
        self.polls += 1
        limit = max(self.timeout, self.interval)
        budget = getattr(self.source, "budget", None)
        sent_before = getattr(budget, "sent", 0)
        try:
            async with asyncio.timeout(limit):
                sync = self._sync or await self._connect()
                async for diff in sync.poll():
                    self.report(JobsChanged(diff))
                    await self._shown_first()
        except AuthError as exc:
            delay = self._failed(str(exc), manual=manual, token=True)
        except HubError as exc:
            delay = self._failed(str(exc), manual=manual)
        except TimeoutError:
            delay = self._failed(f"the Hub took over {limit:.0f} s to answer a poll", manual=manual)
        except Exception as exc:  # a bug of ours: say so, keep the last data, keep polling
            log.exception("poll failed")
            delay = self._failed(f"internal error ({type(exc).__name__}: {exc})", manual=manual)
        else:
            self.failures = 0
            assert self._sync is not None
            # A first listing is paid once: pace by what the polls after it cost.
            if not self._sync.listed_last_poll:
                self._costs.append(getattr(budget, "sent", 0) - sent_before)
            # Paced by what polls cost on average: a poll that also read a namespace off
            # screen or the newest page costs more than most, and must not set the pace.
            average = sum(self._costs) / len(self._costs) if self._costs else 0.0
            delay, slowed = self._paced(average, budget)
            self.freshness = Freshness(
                last_ok=self.now(),
                refused=tuple(self._sync.refused),
                failing=tuple(self._sync.failing.items()),
                slowed=slowed,
            )
        self._release()  # whatever happened to the first page (a no-op after)
        self.report(PollFinished(self.freshness, manual=manual))
        return delay

    def _paced(self, requests: float, budget: Any) -> tuple[float, str | None]:
        """The wait before the next poll: the interval, longer while the terminal has no
        focus, and stretched to keep within the API budget (saying why when it is)."""
        delay = self.interval * (1.0 if self.focused else UNFOCUSED_SLOWDOWN)
        if budget is None:
            return delay, None
        window = getattr(budget, "window", None) or FREE_WINDOW
        elsewhere = self.spent_elsewhere(window) if self.spent_elsewhere is not None else 0.0
        needed, low = budget_delay(requests, budget, share=self.budget_share, elsewhere=elsewhere)
        if low is not None:
            return max(delay, needed), f"slowed: {low}"
        if needed > delay * 1.05:
            return needed, f"every {needed:.0f} s (API budget)"
        return delay, None

    def _failed(self, reason: str, *, manual: bool, token: bool = False) -> float:
        # A refresh asked for by hand is not one more failure: it must not stretch the wait.
        self.failures = max(1, self.failures) if manual else self.failures + 1
        delay = offline_delay(self.interval, self.failures)
        if token:
            delay = max(delay, MAX_OFFLINE_BACKOFF)  # a refused token will not heal by itself
        self.freshness = Freshness(
            last_ok=self.freshness.last_ok,
            error=reason,
            next_try=datetime.fromtimestamp(self.clock() + delay, UTC),
            refused=self.freshness.refused,
            token_refused=token,
            cached_at=self.freshness.cached_at if self.freshness.last_ok is None else None,
        )
        return delay

    async def _connect(self) -> JobSync:
        user = None
        source: JobSource = self.source
        answers = await self._first_answers()
        # A filtered start lists with the Hub's query instead of the helper's page.
        page = answers.page if answers is not None and not self._query else None
        account = answers.account if answers is not None else None
        if page is None or (account is None and not self.namespaces):
            page = None
            self._release()  # the client asks what the helper did not get, at once
        self._start_hardware()  # beside whoami and the first page
        if not self.namespaces:
            expected, self._expected_user = self._expected_user, None
            primed = None
            if expected and not self._query and page is None:
                primed = PrimedSource.asking(self.source, expected)
            try:
                account = account or await self.source.whoami()
            except BaseException:
                if primed is not None:
                    await primed.close()
                raise
            self.namespaces, user = account.namespaces, account.name
            if primed is not None:
                if expected in self.namespaces:
                    source = primed
                else:  # another account's token now: its jobs are not the cached ones
                    await primed.close()
        if answers is not None and page is not None and answers.namespace in self.namespaces:
            assert answers.namespace is not None
            source = PrimedSource.answered(self.source, answers.namespace, list(page), answers.rest)
            self._hold_until_shown = not self._shown_early
        if not self._hold_until_shown:
            self._release()
        self.report(Connected(user, tuple(self.namespaces)))
        self._sync = JobSync(source, self.store, self.namespaces)
        if self._shown is not None:
            self._sync.show(self._shown)
        self._sync.narrow(self._query)
        return self._sync

    async def _shown_first(self) -> None:
        """After the head start's page is reported: once the screen shows it, the client
        may start (it was held so its own start would not delay that frame)."""
        if self._hold_until_shown:
            self._hold_until_shown = False
            if self.painted is not None:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(PAINT_WAIT):
                        await self.painted()
            self._release()

    def _release(self) -> None:
        release = getattr(self.source, "release", None)
        if release is not None:
            release()

    async def _first_answers(self) -> FirstAnswers | None:
        """What the head start got (once): its prices are taken at once, its requests and
        rate limit headers go into the budget."""
        head, self.head_start = self.head_start, None
        if head is None:
            return None
        answers = await head.answers()
        if answers is None:
            return None
        budget = getattr(self.source, "budget", None)
        if isinstance(budget, Budget):
            budget.take(answers.budget)
        if answers.hardware is not None and not self.hardware:
            self._got_hardware(answers.hardware)
        return answers

    def _start_hardware(self) -> None:
        """Ask for the prices unless they came or are coming (again after a failure: a start
        offline must not leave the session without prices). The list never waits for them."""
        task = self._hardware_task
        if not self.hardware and (task is None or task.done()):
            self._hardware_task = asyncio.create_task(self._load_hardware())

    async def _load_hardware(self) -> None:
        try:
            async with asyncio.timeout(HARDWARE_TIMEOUT):
                flavors = await self.source.list_hardware()
        except Exception:
            log.warning("no hardware list: prices will not show", exc_info=True)
            return
        self._got_hardware(flavors)

    def _got_hardware(self, flavors: Sequence[JobHardwareInfo]) -> None:
        self.hardware = {flavor.name: flavor for flavor in flavors}
        self.report(HardwareLoaded(dict(self.hardware)))
