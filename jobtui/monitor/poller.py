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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from jobtui.hub.errors import AuthError, HubError
from jobtui.hub.models import Account, JobHardwareInfo
from jobtui.monitor.store import JobStore, StoreDiff
from jobtui.monitor.sync import JobSource, JobSync

log = logging.getLogger(__name__)

POLL_TIMEOUT = 120.0
MAX_OFFLINE_BACKOFF = 60.0
HARDWARE_TIMEOUT = 30.0


class HubSource(JobSource, Protocol):
    """The part of the Hub client a poller uses."""

    async def whoami(self) -> Account: ...

    async def list_hardware(self) -> list[JobHardwareInfo]: ...


@dataclass(frozen=True)
class Freshness:
    """Where the data stands: last good poll, and the error and next try while offline."""

    last_ok: datetime | None = None
    error: str | None = None
    next_try: datetime | None = None
    refused: tuple[str, ...] = ()
    """Namespaces the token may not list."""
    failing: tuple[tuple[str, str], ...] = ()
    """Namespaces that failed while others answered, with the reason."""
    token_refused: bool = False
    """The error is a 401: retrying will not help until the token changes."""


# ---- what a poller reports ------------------------------------------------------------


@dataclass(frozen=True)
class Connected:
    """The namespaces to watch are known (from the command line, or the token's account)."""

    user: str | None
    namespaces: tuple[str, ...]


@dataclass(frozen=True)
class JobsChanged:
    """A piece of a poll reached the store."""

    diff: StoreDiff


@dataclass(frozen=True)
class PollFinished:
    freshness: Freshness
    manual: bool = False


@dataclass(frozen=True)
class HardwareLoaded:
    hardware: dict[str, JobHardwareInfo]


Report = Connected | JobsChanged | PollFinished | HardwareLoaded


def offline_delay(interval: float, failures: int) -> float:
    """How long to wait after `failures` failed polls in a row: doubling, at most a minute."""
    if failures <= 0:
        return interval
    return min(max(MAX_OFFLINE_BACKOFF, interval), interval * 2 ** (failures - 1))


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

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def poll_now(self) -> None:
        """Poll at once, or as soon as the poll under way ends (it is never cut short: the
        store may already hold what it read while the screen does not show it yet)."""
        self._manual = True
        self._wake.set()

    async def run(self) -> None:
        """Poll for ever. Cancel the task to stop."""
        while True:
            manual, self._manual = self._manual, False
            self._wake.clear()
            delay = await self.poll_once(manual=manual)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def poll_once(self, *, manual: bool = False) -> float:
        """One poll; returns how long to wait before the next."""
        self.polls += 1
        limit = max(self.timeout, self.interval)
        try:
            async with asyncio.timeout(limit):
                sync = self._sync or await self._connect()
                async for diff in sync.poll():
                    self.report(JobsChanged(diff))
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
            self.failures, delay = 0, self.interval
            assert self._sync is not None
            self.freshness = Freshness(
                last_ok=self.now(),
                refused=tuple(self._sync.refused),
                failing=tuple(self._sync.failing.items()),
            )
        self.report(PollFinished(self.freshness, manual=manual))
        return delay

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
        )
        return delay

    async def _connect(self) -> JobSync:
        user = None
        if not self.namespaces:
            account = await self.source.whoami()
            self.namespaces, user = account.namespaces, account.name
        self.report(Connected(user, tuple(self.namespaces)))
        # Prices are a nicety: the list must never wait for them.
        self._hardware_task = asyncio.create_task(self._load_hardware())
        self._sync = JobSync(self.source, self.store, self.namespaces)
        return self._sync

    async def _load_hardware(self) -> None:
        try:
            async with asyncio.timeout(HARDWARE_TIMEOUT):
                flavors = await self.source.list_hardware()
        except Exception:
            log.warning("no hardware list: prices will not show", exc_info=True)
            return
        self.hardware = {flavor.name: flavor for flavor in flavors}
        self.report(HardwareLoaded(dict(self.hardware)))
