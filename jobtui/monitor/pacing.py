"""How far apart polls come: the share of the Hub API budget they may spend, and the back-off
while offline. Plain arithmetic on what the Hub's rate limit headers said."""

from __future__ import annotations

from typing import Any

MAX_OFFLINE_BACKOFF = 60.0
BUDGET_SHARE = 0.10
"""The share of the Hub API budget jobtui may spend: the rest is the user's own jobs'."""
HEADROOM = 0.9
"""Polls aim this much of their part of the share (see budget_delay)."""
FREE_QUOTA, FREE_WINDOW = 1_000, 300
"""A free account's budget, assumed until the Hub's headers say otherwise."""
LOW_BUDGET, SPENT_BUDGET = 0.20, 0.05
UNFOCUSED_SLOWDOWN = 3.0


def budget_delay(
    requests: float, budget: Any, *, share: float = BUDGET_SHARE, elsewhere: float = 0.0
) -> tuple[float, str | None]:
    """The least wait after a poll that sent `requests`, to stay within `share` of the API
    budget, of which `elsewhere` requests per window go to other readers (the idle watch);
    and why, when the budget runs low (None otherwise)."""
    quota = getattr(budget, "quota", None) or FREE_QUOTA
    window = getattr(budget, "window", None) or FREE_WINDOW
    # Polls keep at least half the share, whatever the others spend; and they aim a tenth
    # under it: a poll's cost is an average, and the idle watch's pace an estimate, so
    # aiming at the share itself came out just over it about as often as under.
    allowance = HEADROOM * max(share * quota / 2, share * quota - elsewhere)
    fair = requests * window / allowance
    remaining, reset_in = getattr(budget, "remaining", None), getattr(budget, "reset_in", None)
    if remaining is None or reset_in is None:
        return fair, None
    left = remaining / quota
    words = f"Hub API budget {left:.0%} left, resets in {max(1, round(reset_in / 60))} min"
    if left < SPENT_BUDGET:
        return max(fair, reset_in), words
    if left < LOW_BUDGET:
        return max(fair * 4, 30.0), words
    return fair, None


def offline_delay(interval: float, failures: int) -> float:
    """How long to wait after `failures` failed polls in a row: doubling, at most a minute."""
    if failures <= 0:
        return interval
    return min(max(MAX_OFFLINE_BACKOFF, interval), interval * 2 ** (failures - 1))
