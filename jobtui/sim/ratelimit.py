"""The Hub's API rate limit: a fixed-window quota per token, the headers that report it, and a
count of every request each token made (so a client's use of its budget can be measured)."""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimit:
    """`quota` API requests per fixed window of `window` seconds, per token."""

    quota: int
    window: int = 300

    def __post_init__(self) -> None:
        if self.quota < 1 or self.window < 1:
            raise ValueError("a rate limit needs a quota and a window of 1 or more")

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """ "QUOTA/SECONDS", e.g. "1000/300" (the Hub's free accounts)."""
        quota, slash, window = text.partition("/")
        if not slash or not quota.strip().isdigit() or not window.strip().isdigit():
            raise ValueError(f"expected QUOTA/SECONDS such as 1000/300, not {text!r}")
        return cls(int(quota), int(window))


STREAM_KINDS = ("logs", "metrics")  # the endpoints that answer with a stream
FREE_ACCOUNT = RateLimit(1000, 300)  # the Hub's quota for a free account's API requests


@dataclass(frozen=True)
class Budget:
    """Where a token stands in the current window, after the request it was asked for."""

    limit: RateLimit
    remaining: int
    reset_secs: int
    allowed: bool

    def headers(self) -> dict[str, str]:
        """The IETF ratelimit-headers (draft 09) fields the Hub sends with every API answer."""
        return {
            "RateLimit": f'"api";r={self.remaining};t={self.reset_secs}',
            "RateLimit-Policy": f'"fixed window";"api";q={self.limit.quota};w={self.limit.window}',
        }


@dataclass
class _Usage:
    window_start: float = -math.inf
    used: int = 0  # allowed requests in the current window
    total: int = 0  # every request ever, refused ones included
    refused: int = 0
    by_route: Counter[str] | None = None


class RequestLog:
    """Counts each token's API requests and, given a limit, spends its budget (thread-safe).

    Windows are fixed: they start at multiples of `window` seconds of `clock` time.
    """

    def __init__(self, limit: RateLimit | None, clock: Callable[[], float]) -> None:
        self.limit = limit
        self._clock = clock
        self._lock = threading.Lock()
        self._usage: dict[str, _Usage] = {}
        self._open: dict[str, Counter[str]] = {}  # token: stream kind: how many are open

    def _current(self, token: str, now: float) -> _Usage:
        usage = self._usage.setdefault(token, _Usage(by_route=Counter()))
        if self.limit is not None:
            start = math.floor(now / self.limit.window) * self.limit.window
            if start != usage.window_start:
                usage.window_start, usage.used = start, 0
        return usage

    def _budget(self, usage: _Usage, now: float, allowed: bool) -> Budget | None:
        if self.limit is None:
            return None
        reset = max(1, math.ceil(usage.window_start + self.limit.window - now))
        return Budget(self.limit, max(0, self.limit.quota - usage.used), reset, allowed)

    def spend(self, token: str, route: str) -> Budget | None:
        """Count one request; returns the budget after it (None when nothing is limited).
        A request over the quota is counted as refused and leaves the budget at 0."""
        now = self._clock()
        with self._lock:
            usage = self._current(token, now)
            usage.total += 1
            assert usage.by_route is not None
            usage.by_route[route] += 1
            allowed = self.limit is None or usage.used < self.limit.quota
            if allowed:
                usage.used += 1
            else:
                usage.refused += 1
            return self._budget(usage, now, allowed)

    def peek(self, token: str) -> Budget | None:
        """The budget now, without spending any."""
        now = self._clock()
        with self._lock:
            return self._budget(self._current(token, now), now, True)

    def requests(self, token: str) -> int:
        """Every API request `token` has made, refused ones included."""
        with self._lock:
            usage = self._usage.get(token)
            return 0 if usage is None else usage.total

    def stream_opened(self, token: str, kind: str) -> None:
        """A `kind` stream ("logs" or "metrics") of `token` is being answered."""
        with self._lock:
            self._open.setdefault(token, Counter())[kind] += 1

    def stream_closed(self, token: str, kind: str) -> None:
        with self._lock:
            self._open[token][kind] -= 1

    def open_streams(self, token: str) -> dict[str, int]:
        """How many of `token`'s log and metrics streams are open now."""
        with self._lock:
            counts = self._open.get(token, Counter())
            return {kind: counts[kind] for kind in STREAM_KINDS}

    def report(self, token: str) -> dict[str, object]:
        """What `GET /_sim/requests` answers: the counts and the current window."""
        budget = self.peek(token)
        with self._lock:
            usage = self._usage.get(token) or _Usage(by_route=Counter())
            report: dict[str, object] = {
                "total": usage.total,
                "refused": usage.refused,
                "byRoute": dict(sorted((usage.by_route or Counter()).items())),
            }
        report["openStreams"] = self.open_streams(token)
        if budget is not None:
            report["window"] = {
                "quota": budget.limit.quota,
                "seconds": budget.limit.window,
                "remaining": budget.remaining,
                "resetSecs": budget.reset_secs,
            }
        return report
