"""The Hub's API budget, as its `RateLimit` and `RateLimit-Policy` headers tell it.

Every answer carries `RateLimit: "api";r=<remaining>;t=<seconds to reset>` and
`RateLimit-Policy: "fixed window";"api";q=<quota>;w=<window seconds>` (IETF draft
ratelimit-headers-09). A job run with the same user's token spends the same budget, so a
monitor should know what it has left.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

_RATELIMIT = re.compile(
    r'"(?P<name>[^"]{0,64})"\s*;\s*r\s*=\s*(?P<r>\d{1,12})\s*;\s*t\s*=\s*(?P<t>\d{1,12})'
)
_POLICY = re.compile(r"q\s*=\s*(?P<q>\d{1,12}).*?w\s*=\s*(?P<w>\d{1,12})")
# Beyond a day, a reset time is nonsense (a hostile header): it is not believed.
MAX_RESET_SECONDS = 86_400


def parse_ratelimit(headers: Mapping[str, str]) -> tuple[int, int] | None:
    """(remaining, seconds to reset) from a `RateLimit` header, or None."""
    match = _RATELIMIT.search(headers.get("ratelimit", ""))
    if match is None or int(match["t"]) > MAX_RESET_SECONDS:
        return None
    return int(match["r"]), int(match["t"])


def parse_policy(headers: Mapping[str, str]) -> tuple[int, int] | None:
    """(quota, window seconds) from a `RateLimit-Policy` header, or None."""
    match = _POLICY.search(headers.get("ratelimit-policy", ""))
    if match is None or not 0 < int(match["w"]) <= MAX_RESET_SECONDS:
        return None
    return int(match["q"]), int(match["w"])


@dataclass
class Budget:
    """What this client knows of its API budget. Read it; the client updates it.

    `remaining`, `quota`, `window` (seconds) and `reset_at` come from the latest answer that
    carried the headers (None until one did). `sent` counts every request this client sent
    (retries and streams included); `limited` counts the 429s it was answered.
    """

    remaining: int | None = None
    quota: int | None = None
    window: int | None = None
    reset_at: datetime | None = None
    sent: int = 0
    limited: int = 0
    _reset_clock: float | None = field(default=None, repr=False, compare=False)

    @property
    def reset_in(self) -> float | None:
        """Seconds until the window resets, as of now (never negative), or None."""
        if self._reset_clock is None:
            return None
        return max(0.0, self._reset_clock - time.monotonic())

    @property
    def used_fraction(self) -> float | None:
        """How much of the window's quota is spent (0..1), when both are known."""
        if self.remaining is None or not self.quota:
            return None
        return min(1.0, max(0.0, 1 - self.remaining / self.quota))

    def take(self, other: Budget) -> None:
        """Count another client's requests as ours (the head start's), and its view of
        the window if ours has none yet."""
        self.sent += other.sent
        self.limited += other.limited
        if self.remaining is None and other.remaining is not None:
            self.remaining, self.reset_at = other.remaining, other.reset_at
            self._reset_clock = other._reset_clock  # noqa: SLF001 - same class
        if self.quota is None:
            self.quota, self.window = other.quota, other.window

    def note(self, headers: Mapping[str, str]) -> None:
        """Read an answer's headers."""
        limit = parse_ratelimit(headers)
        if limit is not None:
            self.remaining, reset = limit
            self._reset_clock = time.monotonic() + reset
            self.reset_at = datetime.now(UTC) + timedelta(seconds=reset)
        policy = parse_policy(headers)
        if policy is not None:
            self.quota, self.window = policy
