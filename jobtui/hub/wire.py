"""What goes over the wire, both ways: path segments and JSON bodies jobtui can always send,
answers read within a size cap, the Hub's reasons, dates and waits read tolerantly, and an
error answer as the HubError that says it."""

from __future__ import annotations

import json as jsonlib
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import SplitResult, quote, urljoin, urlsplit

import httpx2
import msgspec

from jobtui.hub.errors import (
    AuthError,
    ForbiddenError,
    HubError,
    InvalidRequest,
    InvalidResponse,
    NotFoundError,
    RateLimitedError,
    RequestRejected,
    ResponseTooLarge,
    ServerError,
)
from jobtui.hub.ratelimit import parse_ratelimit

if TYPE_CHECKING:
    from jobtui.hub.auth import Token

log = logging.getLogger(__name__)

MB = 1024 * 1024
# A whole answer (lists and inspects), once decoded: a gzip bomb stops here, not in RAM.
MAX_BODY_BYTES = 64 * MB
# A Retry-After past a day is nonsense (or inf): it is not believed.
MAX_RETRY_AFTER = 86_400.0
T = TypeVar("T")
_decode_json = msgspec.json.Decoder().decode

# Headers that describe the body as it came over the wire, not as it is held once decoded.
_DECODED = frozenset({"content-encoding", "content-length", "transfer-encoding"})
_LINK = re.compile(r"<(?P<url>[^>]*)>(?P<params>[^,<]*)")
_REL = re.compile(r';\s*rel\s*=\s*(?:"(?P<quoted>[^"]*)"|(?P<bare>[^;\s]+))', re.IGNORECASE)


def next_link(header: str | None) -> str | None:
    """The URL of a `Link` header's `rel="next"` entry, as written (maybe relative)."""
    for match in _LINK.finditer(header or ""):
        for rel in _REL.finditer(match["params"]):
            if "next" in (rel["quoted"] or rel["bare"] or "").lower().split():
                return match["url"].strip()
    return None


def same_hub(url: str, page_url: str, endpoint: str) -> str | None:
    """`url` (from a page's Link header) made absolute against the page's own URL, if it
    is on the Hub the token is for (same scheme, host and port); else None: the token would
    go with the request."""
    try:
        target = urlsplit(urljoin(page_url, url))
        hub = urlsplit(endpoint)
        same = (target.scheme, target.hostname, _port(target)) == (
            hub.scheme,
            hub.hostname,
            _port(hub),
        )
    except ValueError:  # a port that is not a number, say
        return None
    return target.geturl() if same and target.scheme in ("http", "https") else None


def _port(url: SplitResult) -> int | None:
    return url.port or {"http": 80, "https": 443}.get(url.scheme)


def held_response(response: httpx2.Response, body: bytes) -> httpx2.Response:
    """The answer with its body read and decoded, as the rest of the client reads it."""
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _DECODED]
    return httpx2.Response(
        response.status_code, headers=headers, content=body, request=response.request
    )


async def read_capped(
    response: httpx2.Response, limit: int, what: str, *, truncate: bool = False
) -> bytes:
    """The decoded body, never more than `limit` bytes held (httpx decodes gzip in 1 MiB
    pieces); past it, `truncate` keeps what fits, else `ResponseTooLarge`."""
    body = bytearray()
    async for chunk in response.aiter_bytes():
        if len(body) + len(chunk) > limit:
            if truncate:
                body += chunk[: limit - len(body)]
                break
            raise ResponseTooLarge(
                f"The Hub's answer about {what or 'the request'} is over {limit // MB} MB once "
                "decoded; jobtui stopped reading it",
                limit=limit,
            )
        body += chunk
    return bytes(body)


def segment(value: object, what: str) -> str:
    """One path segment from a value the Hub sent (an id, a namespace), percent-encoded.

    Refused with `InvalidRequest`: an empty value, `.` and `..` (they would change the path),
    and text that is not Unicode (a lone surrogate), which no URL can carry.
    """
    text = str(value)
    if text in ("", ".", ".."):
        raise InvalidRequest(f"jobtui cannot ask the Hub about {what} {shown(text)!r}")
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidRequest(
            f"jobtui cannot ask the Hub about {what} {shown(text)}: it holds a character "
            "that cannot be sent (a lone surrogate)"
        ) from None
    return quote(raw, safe="")


def shown(text: str, limit: int = 120) -> str:
    """Hub text fit for a message: controls and lone surrogates escaped, length bounded."""
    if text.isprintable() and len(text) <= limit:
        return text
    cleaned = "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
        for ch in text[:limit]
    )
    return cleaned + ("…" if len(text) > limit else "")


def encode_json(body: Any, what: str) -> bytes:
    """JSON as ASCII: a lone surrogate or a control character goes as an escape, as sent."""
    try:
        return jsonlib.dumps(body, ensure_ascii=True, allow_nan=False).encode("ascii")
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidRequest(f"jobtui cannot send {what or 'that'} as JSON: {exc}") from None


def rate_limit_wait(headers: httpx2.Headers) -> float | None:
    """How long a 429 asks to wait: the RateLimit reset when the budget is spent (as the
    official client reads it), else Retry-After."""
    limit = parse_ratelimit(headers)
    if limit is not None and limit[0] == 0:
        return float(limit[1])
    return retry_after_seconds(headers.get("retry-after"))


def parse_one(reader: Callable[[Any], Any], payload: Any, what: str) -> Any:
    try:
        return reader(payload)
    except Exception as exc:  # whatever the shape, a readable error, never a crash
        raise InvalidResponse(f"The Hub sent {what} in a shape jobtui cannot read: {exc}") from None


def parse_items(reader: Callable[[Any], T], payload: Any, what: str) -> list[T]:
    """A JSON list read item by item: one odd item is skipped and logged, not fatal."""
    if not isinstance(payload, list):
        raise InvalidResponse(f"{what} is not a list")
    items = []
    for item in payload:
        try:
            items.append(reader(item))
        except Exception as exc:  # one odd item must not cost the rest
            log.warning("skipped an item of %s: %s", what, exc)
    return items


def read_json(response: httpx2.Response) -> Any:
    """The answer's JSON. msgspec reads it in half the time the standard library takes (a
    listed job is 1.8 us instead of 3.5), and what it reads it reads the same; what it
    refuses and the standard library reads loosely (NaN, 1e400, a lone surrogate, a
    byte-order mark) goes the standard way, so what jobtui accepts does not change."""
    try:
        return decode_json(response.content)
    except (ValueError, RecursionError):
        raise InvalidResponse(
            f"The Hub answered {response.request.method} {response.request.url.path} "
            "with something that is not JSON"
        ) from None


def decode_json(body: bytes) -> Any:
    """JSON from bytes, as `read_json` reads it; ValueError or RecursionError if it is not."""
    try:
        return _decode_json(body)
    except (msgspec.DecodeError, ValueError):
        pass
    return jsonlib.loads(body)


def http_date(value: str | None) -> datetime | None:
    from email.utils import parsedate_to_datetime  # here: email is ~1 ms of every start

    try:
        moment = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # "-0000" means UTC with no zone named
    return moment


def server_reason(response: httpx2.Response) -> str:
    header = response.headers.get("x-error-message")
    if header:
        return shown(header, 300)
    try:
        body = response.json()
    except (ValueError, RecursionError):  # deep nesting is not JSON to us
        return ""
    if isinstance(body, dict):
        for key in ("error", "message"):
            if isinstance(body.get(key), str):
                return shown(body[key], 300)
    return ""


def retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds <= MAX_RETRY_AFTER else None
    moment = http_date(value)
    if moment is None:
        return None
    seconds = (moment - datetime.now(UTC)).total_seconds()
    return max(0.0, seconds) if seconds <= MAX_RETRY_AFTER else None


def network_message(exc: Exception, endpoint: str) -> str:
    if isinstance(exc, httpx2.TimeoutException):
        return f"{endpoint} did not answer in time"
    if isinstance(exc, httpx2.ConnectError):
        return f"cannot connect to {endpoint}"
    return f"the connection to {endpoint} broke ({type(exc).__name__})"


def hub_error(response: httpx2.Response, what: str, token: Token) -> HubError:
    """The error an answer of 400 or more stands for, with the Hub's reason in it."""
    status = response.status_code
    reason = server_reason(response)
    suffix = f": {reason}" if reason else ""
    error: HubError
    if status == 401:
        fix = token.how_to_fix()
        error = AuthError(f"The Hub refused the {token} (401 Unauthorized){suffix}. {fix}", fix=fix)
    elif status == 403:
        error = ForbiddenError(f"No access to {what or 'that'} (403 Forbidden){suffix}")
    elif status == 404:
        error = NotFoundError(f"{(what or 'That').capitalize()} was not found (404){suffix}")
    elif status == 429:
        retry_after = rate_limit_wait(response.headers)
        wait = f"; try again in {retry_after:.0f} s" if retry_after is not None else ""
        error = RateLimitedError(
            f"The Hub is rate limiting requests (429){suffix}{wait}", retry_after=retry_after
        )
        if retry_after is not None:
            error.fix = f"Try again in {retry_after:.0f} s."
    elif status >= 500:
        error = ServerError(f"The Hub had an internal error ({status}){suffix}", status=status)
    else:
        error = RequestRejected(f"The Hub rejected the request ({status}){suffix}", status=status)
    error.reason = reason
    if not error.status:
        error.status = status
    return error
