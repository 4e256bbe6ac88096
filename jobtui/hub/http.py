"""The HTTP core of the Hub client: one connection pool, retries, deadlines, readable errors.

`HubHTTP` is the base of `HubClient`; it knows how to send a request and read an answer, not
what the Jobs API means. Every failure leaves it as a `HubError` subclass.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncGenerator, Callable, Mapping
from typing import Any, Self

import httpx2

from jobtui import __version__
from jobtui.hub.auth import Token
from jobtui.hub.errors import (
    AuthError,
    DeadlineExceeded,
    HubError,
    HubUnreachable,
    InvalidRequest,
    InvalidResponse,
    RateLimitedError,
    ServerError,
)
from jobtui.hub.ratelimit import Budget
from jobtui.hub.sse import Event, SSEParser
from jobtui.hub.wire import (
    MAX_BODY_BYTES,
    MB,
    encode_json,
    held_response,
    http_date,
    hub_error,
    network_message,
    read_capped,
)

log = logging.getLogger(__name__)

# The Hub sends a keep-alive comment every 30 s: a stream read timeout must outlast it.
KEEPALIVE_SECONDS = 30.0
STREAM_READ_TIMEOUT = 3 * KEEPALIVE_SECONDS
NO_FOLLOW_READ_TIMEOUT = 5.0
# Events handed on at most this many at a time (see _event_batches).
BATCH_EVENTS = 128
# What a log stream waits out and tries again; anything else (401, 404) ends it.
RETRYABLE = (HubUnreachable, ServerError, RateLimitedError, InvalidResponse)
# 100,000 jobs at 50 a page: more means a broken or hostile paginator.
MAX_PAGES = 2_000
# Room for a log stream, a metrics stream and several polls at once without a PoolTimeout.
MAX_CONNECTIONS, MAX_KEEPALIVE = 32, 16
# How long an idle connection is kept for the next request. httpx's 5 s is shorter than a
# poll interval, so every poll (and every idle-GPU metrics read) opened a new connection: a
# TLS handshake each time on the real Hub. A connection the Hub closed meanwhile is noticed
# before it is reused.
IDLE_CONNECTION_SECONDS = 120.0
# An error answer is read for its reason only.
ERROR_BODY_BYTES = 1 * MB
# Every request must have its whole answer within this, however slowly the Hub trickles it.
DEADLINE = 30.0


def _timeout(read: float) -> httpx2.Timeout:
    """Requests and streams differ only in how long a read may wait."""
    return httpx2.Timeout(connect=10.0, read=read, write=30.0, pool=10.0)


REQUEST_READ_TIMEOUT = 30.0


class HubHTTP:
    """Sends requests to one Hub. Methods raise `HubError` subclasses only, never httpx errors.

    Every request has a total `deadline` (seconds for the whole answer, not just between two
    reads), every answer a decoded size cap, and `budget` follows the Hub's rate limit headers.
    """

    def __init__(
        self,
        endpoint: str,
        token: Token,
        *,
        retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        max_retry_after: float = 60.0,
        deadline: float = DEADLINE,
        max_body_bytes: int = MAX_BODY_BYTES,
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.token = token
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.deadline = deadline
        self.max_body_bytes = max_body_bytes
        self.budget = Budget()
        self._token_error: HubError | None = None
        self._transport = transport
        self._headers = {"User-Agent": f"jobtui/{__version__}"}
        self._client: httpx2.AsyncClient | None = None
        self._held: asyncio.Event | None = None
        self.use_token(token)

    def hold(self) -> None:
        """Send nothing until `release()`. A start with a head start holds the client until
        the newest jobs are on screen: building it (and importing httpx) takes ~140 ms of
        CPU, which must not come between the head start's answer and the frame showing it."""
        if self._held is None:
            self._held = asyncio.Event()

    def release(self) -> None:
        if self._held is not None:
            self._held.set()
            self._held = None

    async def _unheld(self) -> None:
        if self._held is not None:
            await self._held.wait()

    @property
    def _http(self) -> httpx2.AsyncClient:
        """Built at the first request, not before: building one costs ~50 ms of CPU (and
        importing httpx more), which a start with a head start spends after the first frame."""
        if self._client is None:
            self._client = self._build_client()
        return self._client

    def _build_client(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(
            base_url=self.endpoint,
            headers=self._headers,
            timeout=_timeout(REQUEST_READ_TIMEOUT),
            limits=httpx2.Limits(
                max_connections=MAX_CONNECTIONS,
                max_keepalive_connections=MAX_KEEPALIVE,
                keepalive_expiry=IDLE_CONNECTION_SECONDS,
            ),
            transport=self._transport,
            # An SSL context costs ~70 ms at start; plain http (the simulated Hub) needs none,
            # and redirects are not followed, so no request can move on to https.
            verify=self.endpoint.startswith("https://"),
        )

    def __repr__(self) -> str:
        return f"HubClient({self.endpoint!r}, {self.token})"

    def use_token(self, token: Token) -> None:
        """Send `token` from now on (at start, and when the user logged in again while
        jobtui ran). A token that cannot be a header is not sent: every request says why."""
        self.token = token
        headers = self._client.headers if self._client is not None else self._headers
        if token.value.isascii() and token.value.isprintable():
            headers["Authorization"] = f"Bearer {token.value}"
            self._token_error = None
        else:
            headers.pop("Authorization", None)
            self._token_error = AuthError(
                f"The {token} holds characters no token has, so it cannot be sent. "
                f"{token.how_to_fix()}",
                fix=token.how_to_fix(),
            )

    async def aclose(self) -> None:
        if self._client is not None:  # never built: nothing to close
            await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    # ---- one request -------------------------------------------------------------------

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
        """Send a request and read its whole answer, retrying what is safe to retry.

        A request that may have reached the server is sent again only if `idempotent`; one
        that outran its deadline is not sent again (a Hub that trickles will trickle again).
        """
        content = None if json is None else encode_json(json, what)
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._attempt(method, url, params, content, what)
            except _SendFailed as failed:
                overdue = isinstance(failed.error, DeadlineExceeded)
                if overdue or attempt > self.retries or (failed.sent and not idempotent):
                    raise failed.error from None
                await asyncio.sleep(self._delay(attempt))
                continue
            if response.status_code < 400:
                return response
            error = hub_error(response, what, self.token)
            retryable = idempotent and (response.status_code == 429 or response.status_code >= 500)
            if not retryable or attempt > self.retries:
                raise error
            if isinstance(error, RateLimitedError) and error.retry_after is not None:
                if error.retry_after > self.max_retry_after:
                    raise error  # a shorter wait would only spend budget on another 429
                delay = error.retry_after  # exactly what the Hub asked for
            else:
                delay = self._delay(attempt)
            log.info(
                "%s %s answered %s; retrying in %.1f s", method, url, response.status_code, delay
            )
            await asyncio.sleep(delay)

    async def _attempt(
        self,
        method: str,
        url: str,
        params: list[tuple[str, str]] | None,
        content: bytes | None,
        what: str,
    ) -> httpx2.Response:
        await self._unheld()
        if self._token_error is not None:
            raise self._token_error
        headers = {"Content-Type": "application/json"} if content is not None else None
        request = self._build(method, url, params, content, headers, what)
        self.budget.sent += 1
        try:
            async with asyncio.timeout(self.deadline):
                response = await self._http.send(request, stream=True)
                try:
                    ok = response.status_code < 400
                    limit = self.max_body_bytes if ok else ERROR_BODY_BYTES
                    body = await read_capped(response, limit, what, truncate=not ok)
                finally:
                    await response.aclose()
        except HubError:
            raise
        except TimeoutError:
            raise _SendFailed(self._overdue(what), sent=True) from None
        except httpx2.RequestError as exc:
            # A request that never reached the server is always safe to send again.
            sent = not isinstance(exc, httpx2.ConnectError | httpx2.ConnectTimeout)
            raise _SendFailed(HubUnreachable(network_message(exc, self.endpoint)), sent) from None
        except Exception as exc:  # the contract: nothing but HubError leaves the client
            log.debug("unexpected failure of %s %s", method, url, exc_info=True)
            message = f"the request to {self.endpoint} failed ({type(exc).__name__})"
            raise _SendFailed(HubUnreachable(message), sent=True) from None
        self._note(response)
        return held_response(response, body)

    def _build(
        self,
        method: str,
        url: str,
        params: Any,
        content: bytes | None,
        headers: Mapping[str, str] | None,
        what: str,
        timeout: httpx2.Timeout | None = None,
    ) -> httpx2.Request:
        try:
            return self._http.build_request(
                method,
                url,
                params=params or None,
                content=content,
                headers=headers,
                timeout=timeout or _timeout(REQUEST_READ_TIMEOUT),
            )
        except Exception as exc:  # InvalidURL, UnicodeEncodeError: a value httpx cannot encode
            raise InvalidRequest(
                f"jobtui cannot send a request about {what or 'that'}: a value in it holds "
                f"characters that cannot go in a URL ({type(exc).__name__})"
            ) from None

    def _note(self, response: httpx2.Response) -> None:
        self.budget.note(response.headers)
        if response.status_code == 429:
            self.budget.limited += 1

    def _overdue(self, what: str) -> DeadlineExceeded:
        return DeadlineExceeded(
            f"{self.endpoint} did not send a whole answer about {what or 'the request'} "
            f"within {self.deadline:g} s"
        )

    # ---- one stream --------------------------------------------------------------------

    async def _event_batches(
        self,
        path: str,
        params: Mapping[str, Any],
        *,
        what: str,
        meta: dict[str, Any] | None = None,
        read_timeout: float = STREAM_READ_TIMEOUT,
        on_connect: Callable[[], None] | None = None,
    ) -> AsyncGenerator[list[Event]]:
        """The events of one SSE response, in the batches that each read brought (a log that
        pours in comes hundreds of events a read, not handed over one by one). `meta`
        receives the server's `date`, whether the stream was `connected`, and whether it
        ended by a read timeout (`timed_out`)."""
        meta = {} if meta is None else meta
        await self._unheld()
        if self._token_error is not None:
            raise self._token_error
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-store"}
        request = self._build(
            "GET", path, dict(params), None, headers, what, _timeout(read_timeout)
        )
        self.budget.sent += 1
        try:
            async with asyncio.timeout(self.deadline):
                response = await self._http.send(request, stream=True)
            try:
                self._note(response)
                if response.status_code >= 400:
                    async with asyncio.timeout(self.deadline):
                        body = await read_capped(response, ERROR_BODY_BYTES, what, truncate=True)
                    raise hub_error(held_response(response, body), what, self.token)
                meta["date"] = http_date(response.headers.get("date"))
                meta["connected"] = True
                if on_connect is not None:
                    on_connect()
                content_type = response.headers.get("content-type", "")
                if not content_type.lower().startswith("text/event-stream"):
                    # The official client never checks; read it as SSE rather than fail.
                    log.warning("a stream came as %r, reading it as SSE", content_type)
                parser = SSEParser()
                async for chunk in response.aiter_bytes():
                    events = parser.feed(chunk)
                    # One read can hold hundreds of events (most hold a few): in pieces,
                    # a key waits for ~1 ms of parsing and cleaning, not for all of it.
                    for start in range(0, len(events), BATCH_EVENTS):
                        yield events[start : start + BATCH_EVENTS]
            finally:
                await response.aclose()
        except HubError:
            raise
        except TimeoutError:
            raise self._overdue(what) from None
        except httpx2.RequestError as exc:
            meta["timed_out"] = isinstance(exc, httpx2.ReadTimeout)
            raise HubUnreachable(network_message(exc, self.endpoint)) from None

    # ---- retries and errors ------------------------------------------------------------

    def _delay(self, attempt: int) -> float:
        base = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return base * random.uniform(0.8, 1.2)


class _SendFailed(Exception):
    """A request that got no answer; `sent` says whether it may have reached the server."""

    def __init__(self, error: HubError, sent: bool) -> None:
        super().__init__(str(error))
        self.error = error
        self.sent = sent
