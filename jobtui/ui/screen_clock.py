"""When the clock next changes something on screen: one timer, armed for the earliest moment
a relative time, a runtime or the status line may read differently, instead of a tick every
second. Left alone on a finished job, jobtui then wakes about once a minute, not 60 times."""

from __future__ import annotations

import math
from collections.abc import Callable

from textual.message_pump import MessagePump
from textual.timer import Timer

LONGEST_SLEEP = 60.0
"""Seconds the clock sleeps at most, even with nothing due: the wall clock may jump (a laptop
waking, NTP), which a timer on the monotonic clock cannot see."""
LATE_BY = 0.01
"""Seconds after a moment that the clock wakes: a timer may fire a little early, and a tick
just before a minute turns would find nothing to change and sleep again."""


class ScreenClock:
    """Everything that shows a time says when it may next read differently (`wake_at`); the
    clock keeps the earliest of those moments and calls `tick` then, once. The tick redraws
    what changed and, in passing, says again when each of those things is next due."""

    def __init__(
        self,
        owner: MessagePump,
        tick: Callable[[], None],
        clock: Callable[[], float],
        longest: float = LONGEST_SLEEP,
    ) -> None:
        self._owner = owner
        self._tick = tick
        self._clock = clock
        self._longest = longest
        self._timer: Timer | None = None
        self._due = math.inf  # the moment the timer is armed for (Unix time, `clock`'s)
        self._ticking = False
        self.ticks = 0  # how many times it woke so far

    @property
    def due(self) -> float:
        """The moment of the next tick (Unix time); inf when none is armed."""
        return self._due

    def wake_at(self, moment: float) -> None:
        """Something on screen may read differently at `moment` (a Unix time): tick then, or
        sooner if something else is due sooner."""
        if moment >= self._due:
            return
        self._due = moment
        if self._ticking:
            return  # armed once the tick is done, for the earliest moment it heard of
        self._arm()

    def start(self) -> None:
        """The first tick, at once: it works everything out and arms the next."""
        self.wake_at(-math.inf)

    def _arm(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        delay = min(self._longest, max(0.0, self._due - self._clock()) + LATE_BY)
        self._timer = self._owner.set_timer(delay, self._fire, name="screen clock")

    def _fire(self) -> None:
        self._timer = None
        self._due = math.inf
        self._ticking = True
        self.ticks += 1
        try:
            self._tick()
        finally:
            self._ticking = False
            if not math.isfinite(self._due):
                self._due = self._clock() + self._longest
            self._arm()
