"""What a poller reports to the app (`Report`), and where the data stands (`Freshness`)."""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct

from jobtui.hub.models import JobHardwareInfo
from jobtui.monitor.store import StoreDiff


class Freshness(Struct, frozen=True):
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
    slowed: str | None = None
    """Why polls come further apart than the interval asks (the API budget), if they do."""
    cached_at: datetime | None = None
    """When the rows on screen were saved, while they come from the cache."""


# ---- what a poller reports ------------------------------------------------------------


class Connected(Struct, frozen=True):
    """The namespaces to watch are known (from the command line, or the token's account)."""

    user: str | None
    namespaces: tuple[str, ...]


class JobsChanged(Struct, frozen=True):
    """A piece of a poll reached the store."""

    diff: StoreDiff


class PollFinished(Struct, frozen=True):
    freshness: Freshness
    manual: bool = False


class HardwareLoaded(Struct, frozen=True):
    hardware: dict[str, JobHardwareInfo]


Report = Connected | JobsChanged | PollFinished | HardwareLoaded
