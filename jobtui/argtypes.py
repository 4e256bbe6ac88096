"""Command-line value checks shared by `jobtui` and `jobtui sim`: one clear line per mistake."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type for an int from `low` (to `high`)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < low or (high is not None and value > high):
            bounds = f"{low} or more" if high is None else f"from {low} to {high}"
            raise argparse.ArgumentTypeError(f"must be {bounds}, not {text}")
        return value

    return parse


def seconds(text: str) -> float:
    """An argparse type for a positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if math.isnan(value) or math.isinf(value):
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds, not {text}")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, not {text}")
    return value


def at_least_seconds(low: float, why: str) -> Callable[[str], float]:
    """Seconds, no fewer than `low`; `why` says the reason for the floor."""

    def parse(text: str) -> float:
        value = seconds(text)
        if value < low:
            raise argparse.ArgumentTypeError(f"must be {low:g} seconds or more ({why}), not {text}")
        return value

    return parse


def percent(text: str) -> float:
    """An argparse type for a percentage, more than 0 and at most 100."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 100:  # NaN fails too
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most 100, not {text}")
    return value


def minutes(text: str) -> float:
    """An argparse type for a positive, finite number of minutes (0.5 is half a minute)."""
    try:
        return seconds(text)
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(str(exc).replace("seconds", "minutes")) from None


def name(text: str) -> str:
    """A non-empty name (a user or org)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return text.strip()
