"""The simulated Hub's HTTP face: a Starlette app speaking the Hugging Face Jobs REST API."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from jobtui.sim.errors import ApiError, BadRequest
from jobtui.sim.faults import Faults
from jobtui.sim.gate import Gate, error_response
from jobtui.sim.pages import PAGE_HEADERS, job_page, missing_page
from jobtui.sim.ratelimit import RequestLog
from jobtui.sim.stamps import iso, started_marker
from jobtui.sim.world import World

POLL_SECS = 0.5  # how often an idle stream looks for a cancel or a shutdown
SAMPLE_SECS = 1.0  # one metrics sample a second, as the Hub sends them
METRICS_POLL_SECS = 0.25  # how often a metrics stream looks at the clocks and the client
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


class StreamCut(Exception):
    """Raised inside a stream to drop the connection without a clean end."""


def _hide_stream_cuts(record: logging.LogRecord) -> bool:
    """Keep uvicorn from logging the streams we drop on purpose as application errors."""
    return not (record.exc_info and isinstance(record.exc_info[1], StreamCut))


def _event(line: str, moment: float) -> bytes:
    # ensure_ascii: no raw U+2028 or other line separators ever reach the wire.
    return b"data: " + json.dumps({"data": line, "timestamp": iso(moment)}).encode() + b"\n\n"


def _started_marker(started_at: float) -> bytes:
    return _event(started_marker(started_at), started_at)


async def _json_body(request: Request) -> Any:
    try:
        return json.loads(await request.body() or b"null")
    except ValueError:
        raise BadRequest("The request body is not valid JSON") from None


class HubApi:
    """The endpoints, bound to one world."""

    def __init__(
        self,
        world: World,
        *,
        page_size: int,
        keepalive: float,
        faults: Faults,
        closing: threading.Event,
    ) -> None:
        self.world, self.page_size, self.keepalive = world, page_size, keepalive
        self.faults, self.closing = faults, closing

    def routes(self) -> list[Route]:
        jobs, scheduled = "/api/jobs/{namespace}", "/api/scheduled-jobs/{namespace}"
        job, one_scheduled = jobs + "/{job_id}", scheduled + "/{scheduled_id}"
        return [
            Route("/jobs/{namespace}/{job_id}", self.job_page),
            Route("/api/whoami-v2", self.whoami),
            Route("/api/jobs/hardware", self.hardware),
            Route(jobs, self.list_jobs),
            Route(jobs, self.create_job, methods=["POST"]),
            Route(job, self.inspect_job),
            Route(job + "/cancel", self.cancel_job, methods=["POST"]),
            Route(job + "/duplicate", self.duplicate_job, methods=["POST"]),
            Route(job + "/labels", self.set_labels, methods=["PUT"]),
            Route(job + "/expose", self.expose, methods=["PUT"]),
            Route(job + "/logs", self.logs),
            Route(job + "/metrics", self.metrics),
            Route(scheduled, self.list_scheduled_jobs),
            Route(scheduled, self.create_scheduled_job, methods=["POST"]),
            Route(one_scheduled, self.scheduled_job),
            Route(one_scheduled, self.delete_scheduled_job, methods=["DELETE"]),
            Route(one_scheduled + "/suspend", self.suspend_scheduled_job, methods=["POST"]),
            Route(one_scheduled + "/resume", self.resume_scheduled_job, methods=["POST"]),
            Route(one_scheduled + "/run", self.trigger_scheduled_job, methods=["POST"]),
            Route(one_scheduled + "/schedule", self.set_schedule, methods=["POST"]),
            Route(one_scheduled + "/labels", self.set_scheduled_labels, methods=["PUT"]),
        ]

    # -- the web page a job's URL points at (a browser sends no token)

    async def job_page(self, request: Request) -> Response:
        namespace, job_id = request.path_params["namespace"], request.path_params["job_id"]
        try:
            page, status = job_page(self.world.job(namespace, job_id)), 200
        except ApiError:
            page, status = missing_page(namespace, job_id), 404
        return HTMLResponse(page, status_code=status, headers=PAGE_HEADERS)

    # -- account and hardware

    async def whoami(self, request: Request) -> Response:
        return JSONResponse(self.world.whoami())

    async def hardware(self, request: Request) -> Response:
        return JSONResponse(self.world.hardware())

    # -- jobs

    async def list_jobs(self, request: Request) -> Response:
        query = request.query_params
        page, cursor = self.world.list_jobs(
            request.path_params["namespace"],
            stages=query.getlist("stage"),
            labels=query.getlist("label"),
            after=query.get("cursor"),
            limit=self.page_size,
        )
        headers = {}
        if cursor is not None:
            kept = [(key, value) for key, value in query.multi_items() if key != "cursor"]
            next_url = request.url.replace(query=urlencode([*kept, ("cursor", cursor)]))
            headers["Link"] = f'<{next_url}>; rel="next"'
        return JSONResponse(page, headers=headers)

    async def create_job(self, request: Request) -> Response:
        body = await _json_body(request)
        return JSONResponse(self.world.create_job(request.path_params["namespace"], body))

    async def inspect_job(self, request: Request) -> Response:
        return JSONResponse(self.world.job(**request.path_params))

    async def cancel_job(self, request: Request) -> Response:
        return JSONResponse(self.world.cancel_job(**request.path_params))

    async def duplicate_job(self, request: Request) -> Response:
        return JSONResponse(self.world.duplicate_job(**request.path_params))

    async def set_labels(self, request: Request) -> Response:
        body = await _json_body(request)
        return JSONResponse(self.world.set_labels(**request.path_params, body=body))

    async def expose(self, request: Request) -> Response:
        body = await _json_body(request)
        return JSONResponse(self.world.expose(**request.path_params, body=body))

    async def logs(self, request: Request) -> Response:
        namespace, job_id = request.path_params["namespace"], request.path_params["job_id"]
        self.world.state(namespace, job_id)  # 403 / 404 before the stream starts
        tail_text = request.query_params.get("tail")
        if tail_text is not None and not tail_text.isdigit():
            raise BadRequest("tail must be a non-negative integer")
        tail = None if tail_text is None else int(tail_text)
        events = self._log_events(request, namespace, job_id, tail, self.faults.take_cut())
        return StreamingResponse(events, media_type="text/event-stream", headers=SSE_HEADERS)

    async def _log_events(
        self,
        request: Request,
        namespace: str,
        job_id: str,
        tail: int | None,
        cut_after: int | None,
    ) -> AsyncIterator[bytes]:
        """The job's log as SSE: the marker once it starts, every line at its own time, a
        keep-alive comment after `keepalive` seconds of silence, the end when the job ends."""
        loop = asyncio.get_running_loop()
        quiet_since = loop.time()
        sent = 0
        next_line: int | None = None  # index of the next line to send, once started
        while True:
            view = self.world.logs(namespace, job_id, next_line or 0)
            events: list[bytes] = []
            if view.started_at is not None:
                lines = view.lines
                if next_line is None:
                    events.append(_started_marker(view.started_at))
                    if tail is not None:
                        lines = lines[max(0, len(lines) - tail) :]
                events.extend(_event(line, moment) for moment, line in lines)
                next_line = view.printed
            if cut_after is not None:
                events = events[: max(0, cut_after - sent)]
            if events:
                yield b"".join(events)
                sent += len(events)
                quiet_since = loop.time()
            if cut_after is not None and (sent >= cut_after or not view.live):
                raise StreamCut  # the injected fault: no clean end, whatever comes next
            if self.closing.is_set():
                raise StreamCut  # the Hub goes away: open connections drop
            if not view.live or await request.is_disconnected():
                return
            await self._wait(view.wake_at, quiet_since)
            if loop.time() - quiet_since >= self.keepalive:
                yield b": keep-alive\n\n"
                quiet_since = loop.time()

    async def _wait(self, wake_at: float | None, quiet_since: float) -> None:
        """Sleep until `wake_at` (world time), the next keep-alive or the next poll, whichever
        comes first."""
        loop = asyncio.get_running_loop()
        delay = min(POLL_SECS, quiet_since + self.keepalive - loop.time())
        if wake_at is not None:
            delay = min(delay, wake_at - self.world.clock())
        await asyncio.sleep(max(0.0, delay))

    async def metrics(self, request: Request) -> Response:
        namespace, job_id = request.path_params["namespace"], request.path_params["job_id"]
        state = self.world.state(namespace, job_id)
        if not state.live:  # 406 today; older Hubs answered 500
            return error_response(406, f"Job '{job_id}' is {state.stage}: it has no live metrics")
        events = self._metric_events(request, namespace, job_id)
        return StreamingResponse(events, media_type="text/event-stream", headers=SSE_HEADERS)

    async def _metric_events(
        self, request: Request, namespace: str, job_id: str
    ) -> AsyncIterator[bytes]:
        """A `metric` event a second while the job runs (waiting while it is scheduling), and
        the end when it ends. A second is one of real time or of world time, whichever passes
        first, so a test that moves a fake clock on gets a sample of the new time at once. A
        client that hangs up is noticed within METRICS_POLL_SECS (see open streams)."""
        loop = asyncio.get_running_loop()
        quiet_since = loop.time()
        last: tuple[float, float] | None = None  # (loop time, world time) of the last sample
        while not self.closing.is_set():
            if await request.is_disconnected():
                return
            real, world = loop.time(), self.world.clock()
            due = last is None or max(real - last[0], world - last[1]) >= SAMPLE_SECS
            state, sample = self.world.metrics(namespace, job_id) if due else (None, None)
            if state is not None and not state.live:
                return
            if sample is not None:
                yield b"event: metric\ndata: " + json.dumps(sample).encode() + b"\n\n"
                quiet_since, last = loop.time(), (real, world)
            elif due:
                last = None  # scheduling: look again at the next poll
            if loop.time() - quiet_since >= self.keepalive:
                yield b": keep-alive\n\n"
                quiet_since = loop.time()
            wait = METRICS_POLL_SECS
            if last is not None:
                wait = min(wait, last[0] + SAMPLE_SECS - loop.time())
            await asyncio.sleep(max(0.0, min(wait, quiet_since + self.keepalive - loop.time())))
        raise StreamCut

    # -- scheduled jobs

    async def list_scheduled_jobs(self, request: Request) -> Response:
        labels = request.query_params.getlist("label")
        return JSONResponse(
            self.world.schedules.list(request.path_params["namespace"], labels=labels)
        )

    async def create_scheduled_job(self, request: Request) -> Response:
        body = await _json_body(request)
        return JSONResponse(self.world.schedules.create(request.path_params["namespace"], body))

    async def scheduled_job(self, request: Request) -> Response:
        return JSONResponse(self.world.schedules.get(**request.path_params))

    async def delete_scheduled_job(self, request: Request) -> Response:
        self.world.schedules.delete(**request.path_params)
        return Response(status_code=204)

    async def suspend_scheduled_job(self, request: Request) -> Response:
        return JSONResponse(self.world.schedules.suspend(**request.path_params, suspend=True))

    async def resume_scheduled_job(self, request: Request) -> Response:
        return JSONResponse(self.world.schedules.suspend(**request.path_params, suspend=False))

    async def trigger_scheduled_job(self, request: Request) -> Response:
        return JSONResponse(self.world.schedules.trigger(**request.path_params))

    async def set_schedule(self, request: Request) -> Response:
        body = await _json_body(request)
        return JSONResponse(self.world.schedules.set_schedule(**request.path_params, body=body))

    async def set_scheduled_labels(self, request: Request) -> Response:
        body = await _json_body(request)
        return JSONResponse(self.world.schedules.set_labels(**request.path_params, body=body))


async def _hub_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ApiError)
    return error_response(error.status, error.message)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    return error_response(error.status_code, error.detail, dict(error.headers or {}))


def create_app(
    world: World,
    *,
    token: str,
    page_size: int = 50,
    keepalive: float = 30.0,
    faults: Faults | None = None,
    closing: threading.Event | None = None,
    requests: RequestLog | None = None,
) -> Starlette:
    """The ASGI app of a simulated Hub serving `world` to holders of `token`.

    Set `closing` to make every open stream drop its connection, as when the Hub goes away.
    `requests` counts each token's requests and enforces its rate limit (default: count only).
    """
    faults = faults if faults is not None else Faults()
    requests = requests if requests is not None else RequestLog(None, world.clock)
    api = HubApi(
        world,
        page_size=page_size,
        keepalive=keepalive,
        faults=faults,
        closing=closing if closing is not None else threading.Event(),
    )
    logging.getLogger("uvicorn.error").addFilter(_hide_stream_cuts)
    routes = api.routes()
    gate = Middleware(
        Gate, world=world, token=token, faults=faults, requests=requests, routes=routes
    )
    return Starlette(
        routes=routes,
        middleware=[gate],
        exception_handlers={ApiError: _hub_error, HTTPException: _http_error},
    )
