"""How the Hub writes times and ids: ISO-8601 UTC with milliseconds, Mongo-style hex ids."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime
from functools import lru_cache


def iso(moment: float) -> str:
    """A Unix time as the Hub writes it: ISO-8601 UTC with milliseconds and a Z."""
    millis = round(moment * 1000)
    return f"{_iso_second(millis // 1000)}.{millis % 1000:03d}Z"


@lru_cache(maxsize=4096)
def _iso_second(seconds: int) -> str:
    # Every log event and listed job is stamped; a chatty log stamps many alike.
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")


def whole_seconds(span: float) -> int:
    """Whole seconds elapsed, forgiving float noise below the millisecond timestamps carry."""
    return max(0, math.floor(span + 0.0005))


def new_id(rng: random.Random, moment: float) -> str:
    """24 lowercase hex digits, starting with the creation time like a Hub (Mongo) id."""
    return f"{int(moment) & 0xFFFFFFFF:08x}{rng.getrandbits(64):016x}"


def started_marker(started_at: float) -> str:
    """The line a log stream opens with, and carries again when a re-queued job starts anew."""
    when = datetime.fromtimestamp(started_at, UTC).strftime("%Y-%m-%d %H:%M:%S")
    return f"===== Job started at {when} ====="
