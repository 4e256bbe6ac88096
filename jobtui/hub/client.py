"""The async Hub client: every Jobs API call jobtui makes, with retries and readable errors."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar, cast

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
from jobtui.hub.models import (
    Account,
    JobHardwareInfo,
    JobInfo,
    LogLine,
    ScheduledJobInfo,
    parse_timestamp,
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
StatusCallback = Callable[[str, str], None]
"""on_status(state, detail): state is "streaming", "reconnecting" or "ended"."""


class HubClient:
    """One per app. Methods raise `HubError` subclasses only, never httpx errors."""

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
        self._whoami: Account | None = None
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

    async def __aenter__(self) -> HubClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    # ---- plain calls -------------------------------------------------------------------

    async def whoami(self) -> Account:
        if self._whoami is None:
            response = await self._request("GET", "/api/whoami-v2")
            self._whoami = _parse(Account.from_api, _json(response), "the account")
        return self._whoami

    async def iter_job_pages(
        self,
        namespace: str,
        *,
        stages: Sequence[str] = (),
        labels: Mapping[str, str] | None = None,
    ) -> AsyncGenerator[list[JobInfo]]:
        """Yield each page of jobs as it arrives, following `Link: rel="next"`."""
        params: list[tuple[str, str]] = [("stage", str(s).upper()) for s in stages]
        params += [("label", f"{key}={value}") for key, value in (labels or {}).items()]
        url: str | None = f"/api/jobs/{namespace}"
        seen: set[str] = set()
        while url is not None:
            response = await self._request("GET", url, params=params, what=namespace)
            params = []  # the next link already carries the query
            yield _parse_items(
                lambda item: JobInfo.from_api(item, self.endpoint, namespace),
                _json(response),
                f"the job list of {namespace}",
            )
            url = self._next_page(response, seen)

    def _next_page(self, response: httpx2.Response, seen: set[str]) -> str | None:
        """The `rel="next"` link, if it is one to follow: same Hub (the token goes with the
        request), not seen before (a loop would poll forever), not past MAX_PAGES."""
        url = response.links.get("next", {}).get("url")
        if not url:
            return None
        target = httpx2.URL(url)
        if target.is_relative_url:
            target = response.url.join(target)
        if (target.scheme, target.host, target.port) != (
            self._http.base_url.scheme,
            self._http.base_url.host,
            self._http.base_url.port,
        ):
            log.warning("not following a next-page link to another host: %s", target.host)
            return None
        if str(target) in seen or len(seen) >= MAX_PAGES:
            log.warning("stopped following next-page links after %d pages", len(seen))
            return None
        seen.add(str(target))
        return str(target)

    async def list_jobs(
        self,
        namespace: str,
        *,
        stages: Sequence[str] = (),
        labels: Mapping[str, str] | None = None,
        max_pages: int | None = None,
    ) -> list[JobInfo]:
        """All jobs (newest first), or those of the first `max_pages` pages."""
        jobs: list[JobInfo] = []
        pages = self.iter_job_pages(namespace, stages=stages, labels=labels)
        read = 0
        async with contextlib.aclosing(pages):
            async for page in pages:
                jobs.extend(page)
                read += 1
                if read == max_pages:
                    break
        return jobs

    async def inspect_job(self, namespace: str, job_id: str) -> JobInfo:
        response = await self._request(
            "GET", f"/api/jobs/{namespace}/{job_id}", what=f"job {job_id}"
        )
        return self._job(response, namespace, "the job")

    async def run_job(self, namespace: str, spec: Mapping[str, Any]) -> JobInfo:
        """Create a job. Never retried once sent, so it cannot be created twice."""
        response = await self._request(
            "POST", f"/api/jobs/{namespace}", json=dict(spec), what=namespace, idempotent=False
        )
        return self._job(response, namespace, "the new job")

    async def cancel_job(self, namespace: str, job_id: str) -> None:
        await self._request("POST", f"/api/jobs/{namespace}/{job_id}/cancel", what=f"job {job_id}")

    async def relabel_job(self, namespace: str, job_id: str, labels: Mapping[str, str]) -> JobInfo:
        response = await self._request(
            "PUT",
            f"/api/jobs/{namespace}/{job_id}/labels",
            json={"labels": dict(labels)},
            what=f"job {job_id}",
        )
        return self._job(response, namespace, "the job")

    def _job(self, response: httpx2.Response, namespace: str, what: str) -> JobInfo:
        return _parse(  # type: ignore[no-any-return]
            lambda p: JobInfo.from_api(p, self.endpoint, namespace), _json(response), what
        )

    async def list_hardware(self) -> list[JobHardwareInfo]:
        response = await self._request("GET", "/api/jobs/hardware")
        return _parse_items(JobHardwareInfo.from_api, _json(response), "the hardware list")

    async def list_scheduled_jobs(self, namespace: str) -> list[ScheduledJobInfo]:
        response = await self._request("GET", f"/api/scheduled-jobs/{namespace}", what=namespace)
        return _parse_items(
            lambda item: ScheduledJobInfo.from_api(item, namespace),
            _json(response),
            f"the scheduled job list of {namespace}",
        )

    # ---- streams -----------------------------------------------------------------------

    async def stream_logs(
        self,
        namespace: str,
        job_id: str,
        *,
        tail: int | None = None,
        follow: bool = True,
        on_status: StatusCallback | None = None,
    ) -> AsyncIterator[LogLine]:
        """Yield a job's log lines; with `follow`, keep going until the job ends.

        A broken stream is reconnected with backoff (after asking whether the job is still
        live) and resumed after the last line yielded, so no line is doubled or skipped.
        Closing the generator (or cancelling its task) closes the connection at once.
        """
        notify = on_status or (lambda state, detail: None)
        path = f"/api/jobs/{namespace}/{job_id}/logs"
        resume = _Resume()
        params: dict[str, Any] = {"tail": tail} if tail is not None else {}
        failures = 0
        while True:
            broken: Exception | None = None
            resume.begin_stream()
            meta: dict[str, Any] = {}
            events = self._events(
                path,
                params,
                what=f"job {job_id}",
                meta=meta,
                read_timeout=STREAM_READ_TIMEOUT if follow else NO_FOLLOW_READ_TIMEOUT,
                on_connect=lambda: notify("streaming", ""),
            )
            try:
                async with contextlib.aclosing(events):
                    async for event in events:
                        if event.event not in ("message", ""):
                            continue
                        line = _log_line(event.data)
                        if line is None or line.text.startswith(JOB_STARTED_MARKER):
                            continue
                        if not follow and _after(line, meta.get("date")):
                            break  # without follow: what had been logged when the Hub answered
                        for new in resume.accept(line):
                            failures = 0
                            yield new
                for new in resume.end_of_stream():
                    yield new
            except RETRYABLE as exc:
                broken = exc
            if not follow:
                # Without follow, a silent live job ends the read after a short wait.
                if broken is not None and not meta.get("timed_out"):
                    raise broken
                notify("ended", "")
                return
            # The stream stopped: a clean end for a finished job, or a break to resume.
            try:
                job = await self.inspect_job(namespace, job_id)
                live = job.is_live
            except RETRYABLE as exc:
                broken, live = broken or exc, True
            if not live and broken is None:
                notify("ended", "")
                return
            failures += 1
            delay = self._delay(failures)
            detail = str(broken) if broken else "the stream closed before the job ended"
            notify("reconnecting", f"{detail}; retrying in {delay:.0f} s")
            await asyncio.sleep(delay)
            # Once lines have come, replay everything and skip what was already seen: a
            # second `tail` could leave a gap if many lines arrived in between.
            if resume.count:
                params = {}

    async def stream_metrics(self, namespace: str, job_id: str) -> AsyncIterator[dict[str, Any]]:
        """Yield one metrics sample per second while the job runs; ends when it stops."""
        path = f"/api/jobs/{namespace}/{job_id}/metrics"
        events = self._events(path, {}, what=f"job {job_id}")
        try:
            async with contextlib.aclosing(events):  # closing this closes the response now
                async for event in events:
                    if event.event != "metric":
                        continue
                    try:
                        sample = event.json()
                    except ValueError:
                        continue
                    if isinstance(sample, dict):
                        yield sample
        except ServerError:
            return  # the Hub answers 500 once the job has finished: no more samples

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


class _Resume:
    """Remembers where a log stream got to, so that a replay yields exactly the lines after it.

    Log timestamps never go backwards. A line without one is taken to be stamped like the line
    before it in the same stream (a log with none at all is one long instant). On a replay,
    lines older than the last one yielded are skipped; lines stamped that same instant are held
    until the run of them already yielded is found among them, and only what follows that run
    is let through. This works for a replay of everything after a `tail` stream, too.
    """

    MAX_RUN = 50_000

    def __init__(self) -> None:
        self.count = 0
        self.last: datetime | None = None
        self.run: list[str] = []  # texts yielded with the stamp `last`, in order
        self._replaying = False
        self._stamp: datetime | None = None  # the stamp of the stream's latest line
        self._held: list[LogLine] = []

    def begin_stream(self) -> None:
        self._replaying = self.count > 0
        self._stamp = None
        self._held = []

    def accept(self, line: LogLine) -> list[LogLine]:
        """The lines to yield now, given the next line of the current stream."""
        stamp = self._stamp = line.timestamp or self._stamp
        if not self._replaying:
            self._record(line, stamp)
            return [line]
        if stamp is not None and self.last is not None and stamp < self.last:
            return []
        if stamp == self.last:
            self._held.append(line)
            # As soon as the whole run has gone by, what follows it is new.
            width, held = len(self.run), self._held
            # The cheap test first: the window is only compared when its last line fits.
            if (
                len(held) > width
                and held[-2].text == self.run[-1]
                and [h.text for h in held[-1 - width : -1]] == self.run
            ):
                return self._catch_up(held[-1:], stamp)
            return []
        return self._catch_up([*self._after_run(), line], stamp)

    def end_of_stream(self) -> list[LogLine]:
        """Held lines that turned out to be new when a stream ends cleanly."""
        if not self._replaying or not self._held:
            return []
        return self._catch_up(self._after_run(), self.last)

    def _after_run(self) -> list[LogLine]:
        held, run = self._held, self.run
        texts = [line.text for line in held]
        width = len(run)
        for end in range(width, len(texts) + 1):
            if texts[end - width : end] == run:
                return held[end:]
        return held[width:]  # the run was not found whole: trust its length

    def _catch_up(self, lines: list[LogLine], stamp: datetime | None) -> list[LogLine]:
        self._replaying = False
        self._held = []
        for line in lines:
            self._record(line, line.timestamp or stamp)
        return lines

    def _record(self, line: LogLine, stamp: datetime | None) -> None:
        self.count += 1
        if stamp == self.last and self.count > 1:
            if len(self.run) < self.MAX_RUN:
                self.run.append(line.text)
        else:
            self.last, self.run = stamp, [line.text]


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


def _log_line(data: str) -> LogLine | None:
    try:
        event = json.loads(data)
    except ValueError:
        return LogLine(text=data, timestamp=None)  # not JSON: show it as it came
    if not isinstance(event, dict):
        return None
    text = event.get("data")
    return LogLine(
        text=text if isinstance(text, str) else "" if text is None else str(text),
        timestamp=parse_timestamp(event.get("timestamp")),
    )


def _http_date(value: str | None) -> datetime | None:
    try:
        moment = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # "-0000" means UTC with no zone named
    return moment


def _after(line: LogLine, answered_at: datetime | None) -> bool:
    """Whether a line was logged after the Hub answered (its Date header has 1 s steps)."""
    if answered_at is None or line.timestamp is None:
        return False
    return (line.timestamp - answered_at).total_seconds() > 1.0


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
