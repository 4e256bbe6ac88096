"""The HTTP core of the Hub client: one connection pool, retries, deadlines, readable errors.

`HubHTTP` is the base of `HubClient`; it knows how to send a request and read an answer, not
what the Jobs API means. Every failure leaves it as a `HubError` subclass.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncGenerator, Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Self, TypeVar, cast

import httpx2

from jobtui import __version__
from jobtui.hub.auth import Token
from jobtui.hub.errors import (
    AuthError,
    ForbiddenError,
    HubError,
    HubUnreachable,
    InvalidResponse,
    NotFoundError,
    RateLimitedError,
    RequestRejected,
    ServerError,
)

log = logging.getLogger(__name__)

# The Hub sends a keep-alive comment every 30 s: a stream read timeout must outlast it.
KEEPALIVE_SECONDS = 30.0
STREAM_READ_TIMEOUT = 3 * KEEPALIVE_SECONDS
NO_FOLLOW_READ_TIMEOUT = 5.0
# What a log stream waits out and tries again; anything else (401, 404) ends it.
RETRYABLE = (HubUnreachable, ServerError, RateLimitedError, InvalidResponse)
# 100,000 jobs at 50 a page: more means a broken or hostile paginator.
MAX_PAGES = 2_000
# Room for a log stream, a metrics stream and several polls at once without a PoolTimeout.
POOL_LIMITS = httpx2.Limits(max_connections=32, max_keepalive_connections=16)
# A log line can be long (a whole JSON dump), but not unbounded.
MAX_EVENT_BYTES = 16 * 1024 * 1024
JOB_STARTED_MARKER = "===== Job started"


def _timeout(read: float) -> httpx2.Timeout:
    """Requests and streams differ only in how long a read may wait."""
    return httpx2.Timeout(connect=10.0, read=read, write=30.0, pool=10.0)


REQUEST_TIMEOUT = _timeout(read=30.0)
T = TypeVar("T")


class HubHTTP:
    """Sends requests to one Hub. Methods raise `HubError` subclasses only, never httpx errors."""

    def __init__(
        self,
        endpoint: str,
        token: Token,
        *,
        retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        max_retry_after: float = 60.0,
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.token = token
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self._http = httpx2.AsyncClient(
            base_url=self.endpoint,
            headers={
                "Authorization": f"Bearer {token.value}",
                "User-Agent": f"jobtui/{__version__}",
            },
            timeout=REQUEST_TIMEOUT,
            limits=POOL_LIMITS,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"HubClient({self.endpoint!r}, {self.token})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def _events(
        self,
        path: str,
        params: Mapping[str, Any],
        *,
        what: str,
        meta: dict[str, Any] | None = None,
        read_timeout: float = STREAM_READ_TIMEOUT,
        on_connect: Callable[[], None] | None = None,
    ) -> AsyncGenerator[httpx2.ServerSentEvent]:
        """The events of one SSE response. `meta` receives the server's `date`."""
        meta = {} if meta is None else meta
        try:
            async with self._http.stream(
                "GET",
                path,
                params=dict(params),
                headers={"Accept": "text/event-stream", "Cache-Control": "no-store"},
                timeout=_timeout(read=read_timeout),
            ) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise self._error(response, what)
                meta["date"] = _http_date(response.headers.get("date"))
                if on_connect is not None:
                    on_connect()
                content_type = response.headers.get("content-type", "")
                if not content_type.lower().startswith("text/event-stream"):
                    # The official client never checks; read it as SSE rather than fail.
                    log.warning("log stream came as %r, reading it as SSE", content_type)
                    response.headers["content-type"] = "text/event-stream"
                source = httpx2.EventSource(response, max_event_size=MAX_EVENT_BYTES)
                # Closed explicitly, so that closing this generator closes the response now.
                events = cast(AsyncGenerator[httpx2.ServerSentEvent], aiter(source))
                async with contextlib.aclosing(events):
                    async for event in events:
                        yield event
        except httpx2.SSEError as exc:
            raise InvalidResponse(f"the stream for {what} is not valid: {exc}") from None
        except (httpx2.TransportError, httpx2.DecodingError) as exc:
            meta["timed_out"] = isinstance(exc, httpx2.ReadTimeout)
            raise HubUnreachable(_network_message(exc, self.endpoint)) from None

    # ---- transport, retries, errors ----------------------------------------------------

    async def _request(
        self,
        method: str,
        url: str,
        *,
        params: list[tuple[str, str]] | None = None,
        json: Any = None,
        what: str = "",
        idempotent: bool = True,
    ) -> httpx2.Response:
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._http.request(
                    method, url, params=tuple(params) if params else None, json=json
                )
            except httpx2.TransportError as exc:
                # A request that never reached the server is always safe to send again.
                sent = not isinstance(exc, httpx2.ConnectError | httpx2.ConnectTimeout)
                error: HubError = HubUnreachable(_network_message(exc, self.endpoint))
                if attempt > self.retries or (sent and not idempotent):
                    raise error from None
                await asyncio.sleep(self._delay(attempt))
                continue
            if response.status_code < 400:
                return response
            error = self._error(response, what)
            retryable = response.status_code == 429 or (response.status_code >= 500 and idempotent)
            if not retryable or attempt > self.retries:
                raise error
            if isinstance(error, RateLimitedError) and error.retry_after is not None:
                delay = min(error.retry_after, self.max_retry_after)
            else:
                delay = self._delay(attempt)
            log.info(
                "%s %s answered %s; retrying in %.1f s", method, url, response.status_code, delay
            )
            await asyncio.sleep(delay)

    def _delay(self, attempt: int) -> float:
        base = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return base * random.uniform(0.8, 1.2)

    def _error(self, response: httpx2.Response, what: str) -> HubError:
        status = response.status_code
        reason = _server_reason(response)
        suffix = f": {reason}" if reason else ""
        if status == 401:
            return AuthError(
                f"The Hub refused the {self.token} (401 Unauthorized){suffix}. "
                f"{self.token.how_to_fix()}"
            )
        if status == 403:
            return ForbiddenError(f"No access to {what or 'that'} (403 Forbidden){suffix}")
        if status == 404:
            return NotFoundError(f"{(what or 'That').capitalize()} was not found (404){suffix}")
        if status == 429:
            retry_after = _retry_after(response.headers.get("retry-after"))
            wait = f"; try again in {retry_after:.0f} s" if retry_after is not None else ""
            return RateLimitedError(
                f"The Hub is rate limiting requests (429){suffix}{wait}", retry_after=retry_after
            )
        if status >= 500:
            return ServerError(f"The Hub had an internal error ({status}){suffix}", status=status)
        return RequestRejected(f"The Hub rejected the request ({status}){suffix}", status=status)


def _parse(reader: Callable[[Any], Any], payload: Any, what: str) -> Any:
    try:
        return reader(payload)
    except Exception as exc:  # whatever the shape, a readable error, never a crash
        raise InvalidResponse(f"The Hub sent {what} in a shape jobtui cannot read: {exc}") from None


def _parse_items(reader: Callable[[Any], T], payload: Any, what: str) -> list[T]:
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


def _json(response: httpx2.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise InvalidResponse(
            f"The Hub answered {response.request.method} {response.request.url.path} "
            "with something that is not JSON"
        ) from None


def _http_date(value: str | None) -> datetime | None:
    try:
        moment = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # "-0000" means UTC with no zone named
    return moment


def _server_reason(response: httpx2.Response) -> str:
    header = response.headers.get("x-error-message")
    if header:
        return header
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        for key in ("error", "message"):
            if isinstance(body.get(key), str):
                return body[key]
    return ""


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    moment = _http_date(value)
    if moment is None:
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def _network_message(exc: Exception, endpoint: str) -> str:
    if isinstance(exc, httpx2.TimeoutException):
        return f"{endpoint} did not answer in time"
    if isinstance(exc, httpx2.ConnectError):
        return f"cannot connect to {endpoint}"
    return f"the connection to {endpoint} broke ({type(exc).__name__})"
