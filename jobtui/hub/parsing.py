"""Tolerant readers for the values in the Hub's JSON: a value of an odd type is dropped
(None), never a crash; absurd numbers and dates are dropped too."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

DEFAULT_ENDPOINT = "https://huggingface.co"


class MalformedPayload(ValueError):
    """The server sent something that cannot be read as the object we asked for."""


MIN_YEAR, MAX_YEAR = 1970, 9000
MAX_INT = 10**12  # seconds, micro-dollars: far beyond any real value, safe for timedelta


def parse_timestamp(value: object) -> datetime | None:
    """ISO-8601 with or without fractional seconds or `Z`; naive times are UTC; junk is None."""
    if not isinstance(value, str):
        return None
    if len(value) == 24 and value[-1] == "Z" and value[19] == ".":
        # The Hub's own shape, "2026-05-12T14:57:43.123Z", read at once: a whole log has a
        # stamp of its own on each line, so the cache below rarely helps there.
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if MIN_YEAR <= parsed.year <= MAX_YEAR else None
    return _parse_timestamp_text(value)


# A chatty log stamps many lines alike: every log line's stamp comes through here.
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


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


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
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(str(item) for item in value)
    return None


def _string_map(value: object) -> dict[str, str] | None:
    if not isinstance(value, Mapping):
        return None
    return {str(key): "" if item is None else str(item) for key, item in value.items()}
