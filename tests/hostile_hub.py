"""A small, deliberately hostile Hub for tests: a raw asyncio HTTP/1.1 server on loopback.

Each test hands it a handler that gets the parsed request and writes whatever bytes it
likes (trickles, gzip bombs, endless next links, huge SSE events), which no well-behaved
framework would let it send. It runs in a daemon thread with its own event loop, so the
client under test talks to it over real sockets, as it would to the Hub.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit


@dataclass
class Request:
    method: str
    target: str  # the raw request target, as sent
    headers: dict[str, str]
    body: bytes
    arrived: float = field(default_factory=time.monotonic)

    @property
    def path(self) -> str:
        """The path, percent-decoded (as a server routes it)."""
        return unquote(urlsplit(self.target).path)

    @property
    def raw_path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.target).query)

    def json(self) -> Any:
        return json.loads(self.body)


Handler = Callable[[Request, "Reply"], Awaitable[None]]


@dataclass
class Reply:
    """What a handler writes with. `close()` ends the connection (every reply does)."""

    writer: asyncio.StreamWriter
    sent_headers: bool = field(default=False)

    async def raw(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def head(self, status: int, headers: dict[str, str] | None = None) -> None:
        lines = [f"HTTP/1.1 {status} X", "Connection: close"]
        lines += [f"{key}: {value}" for key, value in (headers or {}).items()]
        await self.raw(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        self.sent_headers = True

    async def send(
        self, status: int, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> None:
        await self.head(status, {"Content-Length": str(len(body)), **(headers or {})})
        await self.raw(body)

    async def json(self, payload: Any, status: int = 200, headers: dict[str, str] | None = None):
        body = json.dumps(payload).encode()
        await self.send(status, body, {"Content-Type": "application/json", **(headers or {})})

    async def sse_head(self) -> None:
        await self.head(200, {"Content-Type": "text/event-stream", "Cache-Control": "no-store"})


def log_event(text: str, stamp: str | None = "2026-05-12T14:00:00.000Z") -> bytes:
    payload: dict[str, Any] = {"data": text}
    if stamp is not None:
        payload["timestamp"] = stamp
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


def gzip_bomb(size: int, chunk: bytes = b" ") -> bytes:
    """A gzip body that inflates to `size` bytes of whitespace (valid JSON padding)."""
    out = gzip.compress(chunk * size, compresslevel=9)
    return out


def job(job_id: str = "a" * 24, stage: str = "COMPLETED", **extra: Any) -> dict[str, Any]:
    return {
        "id": job_id,
        "status": {"stage": stage},
        "owner": {"id": "u1", "name": "me", "type": "user"},
        **extra,
    }


class HostileHub:
    """`with HostileHub(handler) as hub:` serves on `hub.url`; `hub.requests` lists what came."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def count(self, method: str, path_part: str) -> int:
        return sum(1 for r in self.requests if r.method == method and path_part in r.path)

    def __enter__(self) -> HostileHub:
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("the hostile hub did not start")
        return self

    def __exit__(self, *_: object) -> None:
        def stop() -> None:
            if self._server is not None:
                self._server.close()
            for task in asyncio.all_tasks(self._loop):
                task.cancel()
            self._loop.call_later(0.05, self._loop.stop)

        self._loop.call_soon_threadsafe(stop)
        self._thread.join(5)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def start() -> None:
            self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
            self.port = self._server.sockets[0].getsockname()[1]
            self._ready.set()

        self._loop.run_until_complete(start())
        self._loop.run_forever()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    key, _, value = line.partition(":")
                    headers[key.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
            request = Request(method, target, headers, body)
            self.requests.append(request)
            await self.handler(request, Reply(writer))
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()
