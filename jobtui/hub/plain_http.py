"""Plain GETs with the standard library, for the head start.

The head start's helper (`jobtui.hub.head_start`) sends three GETs and exits. Importing
asyncio and httpx and building an httpx client took it ~180 ms before its first request,
longer than the monitor takes to import Textual; `http.client` is imported in ~25 ms. It
sends nothing httpx would not: the same headers, no redirects followed, and it reads an
answer within the same size cap. Anything out of the ordinary (a status other than 200, an
encoded body, a proxy to go through) it leaves alone: the monitor's own client then asks,
with its retries and messages.
"""

from __future__ import annotations

import http.client
import time
from typing import Any
from urllib.parse import urlsplit

from msgspec import Struct

from jobtui import __version__
from jobtui.hub.wire import decode_json


class Answer(Struct, frozen=True):
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes
    url: str

    @property
    def readable(self) -> bool:
        """A 200 with a plain body: what the helper reads (anything else, the monitor)."""
        return self.status == 200 and self.headers.get("content-encoding", "identity") == (
            "identity"
        )

    def json(self) -> Any:
        return decode_json(self.body)


class PlainHub:
    """One keep-alive connection to the Hub; `get` raises OSError or http.client's errors."""

    def __init__(self, endpoint: str, token: str, *, deadline: float, max_body: int) -> None:
        self.endpoint = endpoint.rstrip("/")
        parts = urlsplit(self.endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) endpoint: {endpoint!r}")
        self._parts = parts
        self._until = time.monotonic() + deadline
        self._max_body = max_body
        self._headers = {
            "User-Agent": f"jobtui/{__version__}",
            "Authorization": f"Bearer {token}",
            "Accept-Encoding": "identity",
        }
        self._connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            timeout = self._left()
            if self._parts.scheme == "https":
                import ssl

                self._connection = http.client.HTTPSConnection(
                    self._parts.hostname or "",
                    self._parts.port,
                    timeout=timeout,
                    context=ssl.create_default_context(),
                )
            else:
                self._connection = http.client.HTTPConnection(
                    self._parts.hostname or "", self._parts.port, timeout=timeout
                )
        return self._connection

    def _left(self) -> float:
        left = self._until - time.monotonic()
        if left <= 0:
            raise TimeoutError("the head start's time is up")
        return left

    def get(self, path: str) -> Answer:
        """GET `path` (on the endpoint) or an absolute URL on the same Hub."""
        url = path if "://" in path else f"{self.endpoint}{path}"
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection = self._connect()
        if connection.sock is not None:
            connection.sock.settimeout(self._left())
        connection.request("GET", target, headers=self._headers)
        response = connection.getresponse()
        body = response.read(self._max_body + 1)
        headers = {name.lower(): value for name, value in response.getheaders()}
        if len(body) > self._max_body or response.will_close or not response.isclosed():
            self.close()  # not read to its end (or the Hub closes it): no reuse
        return Answer(response.status, headers, body, url)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
