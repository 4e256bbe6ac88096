"""A simulated Hub you can start: uvicorn serving the app on a loopback port, in a thread."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from types import TracebackType

import uvicorn
from typing_extensions import Unpack

from jobtui.sim import scenarios
from jobtui.sim.app import create_app
from jobtui.sim.faults import Faults
from jobtui.sim.ratelimit import FREE_ACCOUNT, RateLimit, RequestLog
from jobtui.sim.scenarios import ScenarioOptions
from jobtui.sim.world import World

STARTUP_TIMEOUT_SECS = 10.0


class SimulatedHub:
    """A real HTTP server speaking the Hugging Face Jobs API over an in-memory `World`:
    `SimulatedHub(world)`, or `SimulatedHub(seed=..., jobs=..., scenario=...)` to build one.

    `port=0` picks a free port; `restart()` comes back on the same port with the same world.
    """

    def __init__(
        self,
        world: World | None = None,
        *,
        token: str | None = None,
        page_size: int = 50,
        keepalive: float = 30.0,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit: RateLimit | None = FREE_ACCOUNT,
        **scenario: Unpack[ScenarioOptions],
    ) -> None:
        """Serve `world`, or, when none is given, a world built by `scenarios.build(**scenario)`
        (`seed`, `jobs`, `scenario`, `scheduling_secs`, `user`, `org`, `clock`).

        `rate_limit` is each token's API quota per fixed window (default: a free account's,
        1000 per 300 s; over it, 429); None lifts it and drops the RateLimit headers.
        """
        if world is None:
            world = scenarios.build(**scenario)
        elif scenario:
            raise TypeError(f"give a world or scenario options, not both: {sorted(scenario)}")
        self.world = world
        self.token = token or (
            "hf_sim_" + hashlib.sha256(f"jobtui:{world.seed}".encode()).hexdigest()[:32]
        )
        self.faults = Faults()
        self._requests = RequestLog(rate_limit, world.clock)
        self.host = host
        self._port = port
        self._closing = threading.Event()
        self._app = create_app(
            self.world,
            token=self.token,
            page_size=page_size,
            keepalive=keepalive,
            faults=self.faults,
            closing=self._closing,
            requests=self._requests,
        )
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port served on (once started, the one picked for port=0)."""
        return self._port

    def requests(self, token: str | None = None) -> int:
        """How many API requests `token` (default: the Hub's own token) has made so far,
        refused ones included; `GET /_sim/requests` tells a client the same about itself."""
        return self._requests.requests(self.token if token is None else token)

    def open_streams(self, token: str | None = None) -> dict[str, int]:
        """How many log and metrics streams `token` (default: the Hub's own token) holds open
        right now, as {"logs": n, "metrics": m}; `GET /_sim/requests` says it as
        "openStreams". A stream counts from its request until the Hub stops answering it:
        the job ended, or the client hung up (a metrics stream notices within 0.25 s)."""
        return self._requests.open_streams(self.token if token is None else token)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._port}"

    def start(self) -> SimulatedHub:
        """Bind the port and serve in a daemon thread; returns once requests are accepted.

        Raises OSError when the port cannot be bound (for example, already in use).
        """
        if self._server is not None:
            raise RuntimeError("the simulated Hub is already running")
        family, kind, _, _, address = socket.getaddrinfo(
            self.host, self._port, type=socket.SOCK_STREAM
        )[0]
        sock = socket.socket(family, kind)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            # Accepted connections inherit this: without it, every answer on a kept-alive
            # connection waited ~40 ms for a delayed ACK (Nagle), measured here.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.bind(address)
        except OSError:
            sock.close()
            raise
        self._port = sock.getsockname()[1]
        config = uvicorn.Config(
            self._app,
            log_config=None,  # leave the host program's logging alone
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
            date_header=False,  # the app stamps Date from the world's clock
            server_header=False,
            # An idle connection is kept a minute, as the load balancers in front of most
            # APIs do; uvicorn's 5 s closed it between any two polls.
            timeout_keep_alive=60,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=f"simulated-hub-{self._port}"
        )
        thread.daemon = True
        self._closing.clear()
        thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECS
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                sock.close()
                raise RuntimeError("the simulated Hub did not start")
            time.sleep(0.005)
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        """Stop serving; open streams drop as if the Hub went away. The world is kept."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._closing.set()
        server.should_exit = True
        thread.join(timeout=10)
        self._server = self._thread = None

    def restart(self) -> None:
        """Stop, then serve again on the same port with the same world."""
        self.stop()
        self.start()

    def __enter__(self) -> SimulatedHub:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
