"""Fault injection for client tests: scripted error answers, dropped log streams, a request log."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass


@dataclass
class InjectedError:
    """An error answer waiting for the next `times` requests that match."""

    method: str
    path: re.Pattern[str]
    status: int
    times: int
    retry_after: int | None
    message: str | None


class Faults:
    """What the simulated Hub should get wrong next, and every request it has received.

    Safe to drive from the test's thread while the server runs in its own.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._errors: list[InjectedError] = []
        self._cuts: list[int] = []
        # (method, path) of every request received, in order: tests count them.
        self.requests: list[tuple[str, str]] = []
        # The client (host, port) of every connection a request came on: tests count them.
        self.connections: set[tuple[str, int]] = set()

    def fail(
        self,
        method: str,
        path_regex: str,
        status: int,
        *,
        times: int = 1,
        retry_after: int | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next `times` requests whose method and whole path match with `status`
        (JSON error body, and `Retry-After` when given). Faults apply before authentication."""
        error = InjectedError(
            method.upper(), re.compile(path_regex), status, times, retry_after, message
        )
        with self._lock:
            self._errors.append(error)

    def cut_streams(self, after_events: int, times: int = 1) -> None:
        """Make the next `times` log streams drop the connection, without a clean end, once they
        have sent `after_events` data events (the "Job started" marker counts as one). A stream
        that runs out of events first is dropped at its end instead of closing cleanly."""
        with self._lock:
            self._cuts.extend([after_events] * times)

    def clear(self) -> None:
        """Forget the faults not used yet (the request log stays)."""
        with self._lock:
            self._errors.clear()
            self._cuts.clear()

    def record(
        self, method: str, path: str, client: tuple[str, int] | None = None
    ) -> InjectedError | None:
        """Log a request; returns the injected error it must get, if any (using it up)."""
        self.requests.append((method, path))
        if client is not None:
            self.connections.add(client)
        with self._lock:
            for error in self._errors:
                if error.method == method.upper() and error.path.fullmatch(path):
                    error.times -= 1
                    if error.times <= 0:
                        self._errors.remove(error)
                    return error
        return None

    def take_cut(self) -> int | None:
        """For a new log stream: after how many events to drop it, or None to let it be."""
        with self._lock:
            return self._cuts.pop(0) if self._cuts else None
