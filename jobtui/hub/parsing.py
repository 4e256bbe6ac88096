"""Tolerant readers for the values in the Hub's JSON: a value of an odd type is dropped
(None), never a crash; absurd numbers and dates are dropped too."""

from __future__ import annotations

import functools
import sys
from collections.abc import Hashable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

T = TypeVar("T", bound=Hashable)

DEFAULT_ENDPOINT = "https://huggingface.co"

# For isinstance: JSON gives dicts, and a dict is told apart at once where the Mapping ABC
# alone costs a lookup each time (a listed job asks about ten times).
MAPPINGS = (dict, Mapping)


class MalformedPayload(ValueError):
    """The server sent something that cannot be read as the object we asked for."""


MIN_YEAR, MAX_YEAR = 1970, 9000
MAX_INT = 10**12  # seconds, micro-dollars: far beyond any real value, safe for timedelta


def parse_timestamp(value: object) -> datetime | None:
    """ISO-8601 with or without fractional seconds or `Z`; naive times are UTC; junk is None."""
    if not isinstance(value, str):
        return None
    # The Hub's usual form is read by the standard parser directly (every listed job has
    # three stamps); anything odd goes the careful way.
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        elif parsed.utcoffset():
            parsed = parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return _parse_timestamp_text(value)
    return parsed if MIN_YEAR <= parsed.year <= MAX_YEAR else None


# A chatty log stamps many lines alike: every odd log stamp comes through here.
@functools.lru_cache(maxsize=4096)
def _parse_timestamp_text(value: str) -> datetime | None:
    if not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # Python reads at most 6 fractional digits; the Hub may send more (or fewer).
    if "." in text:
        head, _, rest = text.partition(".")
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = f"{head}.{rest[:digits][:6]:0<6}{rest[digits:]}"
    try:
        parsed = datetime.fromisoformat(text)
        parsed = (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    # Keep clear of the calendar's ends, where any arithmetic on the date overflows.
    return parsed if MIN_YEAR <= parsed.year <= MAX_YEAR else None


def _get(payload: Mapping[str, Any], camel: str, snake: str | None = None) -> Any:
    value = payload.get(camel)
    if value is None and snake is not None:
        value = payload.get(snake)
    return value


# A history repeats itself: the same image, flavor, owner, command and labels come back job
# after job. Equal values read from the Hub are kept once (strings interned, small tuples and
# frozen records shared), which more than halves what a listed job holds.
_SHARED: dict[Hashable, Hashable] = {}
_SHARED_MAX = 200_000


def shared(value: T) -> T:
    """The one kept copy of an equal immutable value (bounded: the table starts again when full)."""
    if len(_SHARED) >= _SHARED_MAX:
        _SHARED.clear()
    return _SHARED.setdefault(value, value)  # type: ignore[return-value]


def _text(value: object) -> str:
    text = value if type(value) is str else str(value)
    return sys.intern(text) if len(text) <= 256 else text


def _str_or_none(value: object) -> str | None:
    return None if value is None else _text(value)


def _int_or_none(value: object) -> int | None:
    """A sane whole number, or None: JSON can carry 1e400 (inf) or 10**400."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return None
    return number if abs(number) <= MAX_INT else None


def _strings(value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return shared((_text(value),))
    if isinstance(value, (list, tuple)):
        return shared(tuple([_text(item) for item in value]))
    return None


def _string_map(value: object) -> dict[str, str] | None:
    if not isinstance(value, MAPPINGS):
        return None
    return {_text(key): "" if item is None else _text(item) for key, item in value.items()}
