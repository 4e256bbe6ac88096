"""What every request passes first: the request log, injected faults, the rate limit, the
token check, and the headers every answer carries (Date, and RateLimit on API answers)."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from email.utils import formatdate

from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jobtui.sim.faults import Faults
from jobtui.sim.ratelimit import STREAM_KINDS, RequestLog
from jobtui.sim.world import World

BAD_TOKEN = "Invalid credentials in Authorization header"
REQUESTS_PATH = "/_sim/requests"  # the simulator's own: how many requests this token made


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The Hub's error shape: a JSON body {"error": message} and an X-Error-Message header."""
    header = "".join(c if " " <= c <= "~" else "?" for c in message)
    return JSONResponse(
        {"error": message},
        status_code=status,
        headers={"X-Error-Message": header, **(headers or {})},
    )


def _rate_limited(quota: int, window: int, reset: int) -> str:
    return (
        f"You have exceeded the rate limit of {quota} API requests per {window} seconds. "
        f"Retry in {reset} seconds."
    )


def _stream_kind(route: str) -> str | None:
    """ "logs" or "metrics" for a job's streams, as `_route` names them; None for the rest."""
    if not route.startswith("GET /api/jobs/{namespace}/{job_id}/"):
        return None
    kind = route.rsplit("/", 1)[1]
    return kind if kind in STREAM_KINDS else None


class Gate:
    """Logs every request, answers injected faults, spends the token's API budget (429 when it
    is spent), checks the token and stamps the headers. `/api/...` and `/_sim/...` need the
    token; the job pages (`/jobs/...`) do not, as a browser sends none."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        world: World,
        token: str,
        faults: Faults,
        requests: RequestLog,
        routes: Sequence[BaseRoute],
    ) -> None:
        self.app, self.world, self.faults, self.requests = app, world, faults, requests
        self.routes = routes
        self.expected = f"Bearer {token}".encode()

    def _route(self, scope: Scope) -> str:
        """The endpoint asked for, as its path template: "GET /api/jobs/{namespace}"."""
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return f"{scope['method']} {getattr(route, 'path', '?')}"
        return f"{scope['method']} (no such endpoint)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        extra: dict[str, str] = {}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                date = formatdate(self.world.clock(), usegmt=True)
                added = [(b"date", date.encode())]
                added += [(k.lower().encode(), v.encode()) for k, v in extra.items()]
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        presented = dict(scope["headers"]).get(b"authorization", b"")
        key = presented.removeprefix(b"Bearer ").decode("latin-1")
        is_api = path.startswith("/api/")
        response: Response | None = None
        client = scope.get("client")
        injected = self.faults.record(scope["method"], path, tuple(client) if client else None)
        # Every API request counts and spends, whatever the answer (an injected one included).
        route = self._route(scope)
        budget = self.requests.spend(key, route) if is_api else None
        if budget is not None:
            extra.update(budget.headers())
        if injected is not None:
            retry = {}
            if injected.retry_after is not None:
                retry["Retry-After"] = str(injected.retry_after)
            if budget is not None and injected.status == 429:  # it says the budget is spent
                extra["RateLimit"] = f'"api";r=0;t={injected.retry_after or budget.reset_secs}'
            message = injected.message or f"Injected fault: HTTP {injected.status}"
            response = error_response(injected.status, message, retry)
        elif budget is not None and not budget.allowed:
            limit = budget.limit
            message = _rate_limited(limit.quota, limit.window, budget.reset_secs)
            response = error_response(429, message, {"Retry-After": str(budget.reset_secs)})
        if response is None and (is_api or path.startswith("/_sim/")):
            if not hmac.compare_digest(presented, self.expected):
                response = error_response(401, BAD_TOKEN)
            elif path == REQUESTS_PATH:
                response = JSONResponse(self.requests.report(key))
        if response is None:
            kind = _stream_kind(route) if is_api else None
            if kind is None:
                await self.app(scope, receive, send_with_headers)
                return
            self.requests.stream_opened(key, kind)
            try:
                await self.app(scope, receive, send_with_headers)
            finally:  # the stream ended, the client hung up, or the Hub went away
                self.requests.stream_closed(key, kind)
        else:
            await response(scope, receive, send_with_headers)
