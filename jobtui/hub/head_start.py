"""A head start: the first requests of a start, sent by a helper process while the monitor
imports Textual and draws its first frame.

Before the newest jobs can show, a start needs the account (whoami), the hardware prices and
the first page of jobs, and importing and building an HTTP client costs ~140 ms of CPU
before the first request. All of that waited for Textual's own start (~250 ms), on the same
core. `HeadStart.begin` hands it to a second Python process (that runs
`jobtui.hub.head_start.main`) at once: it asks the Hub while the monitor starts, and passes back
what the Hub answered. The monitor then goes on from there with its own client (the first
listing continues from the page after, so nothing is asked twice).

The helper is told the endpoint and token on its stdin (never on its command line, which
`ps` shows), sends each request once with the standard library (`plain_http`: no asyncio,
no httpx to import; no retries: the monitor asks again itself, with its own retries and
error messages, for anything the helper did not get), gives up after `HELPER_SECONDS`, and
writes one pickled `FirstAnswers` to its stdout. Its stderr goes nowhere: it never draws on
the terminal. With a proxy set there is no helper (it would not go through the proxy).

The monitor reads the answer when its screen mounts; it is usually there by then, and its
page is in the first frame (`Poller.head_start_page`, `ui.first_rows`).
"""

from __future__ import annotations

import contextlib
import copyreg
import json
import os
import pickle
import subprocess
import sys
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from msgspec import Struct, field

from jobtui.hub.models import Account, JobHardwareInfo, JobInfo
from jobtui.hub.ratelimit import Budget

if TYPE_CHECKING:
    from jobtui.hub.auth import Token
    from jobtui.hub.plain_http import Answer

# The helper stops asking after this, and the monitor waits a little longer for its answer:
# on a network this slow the monitor's own client (with its retries) takes over, and a
# start offline says so soon.
HELPER_SECONDS = 4.0
WAIT_SECONDS = HELPER_SECONDS + 1.0
# -P: the current folder is not put on sys.path, so a folder named jobtui there is not run.
# (Not `-m`: what it pickles must name this module, not `__main__`.)
HELPER = (
    sys.executable,
    "-P",
    "-c",
    "import sys; from jobtui.hub.head_start import main; sys.exit(main())",
)

T = TypeVar("T")
# The environment variables that send httpx through a proxy. With one set, there is no head
# start: its plain connection would go past the proxy.
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")


def proxy_set(environ: Mapping[str, str]) -> bool:
    """Whether httpx would go through a proxy (any case of the usual variables)."""
    return any(environ.get(name) or environ.get(name.upper()) for name in PROXY_VARIABLES)


class PageMark(Struct, frozen=True):
    """Where a listing goes on: the next page's URL, and the jobs read before it."""

    next_page: str
    ids: frozenset[str] = frozenset()


class FirstAnswers(Struct, frozen=True):
    """What the helper got. None: not asked, or not answered (the monitor asks itself)."""

    account: Account | None = None
    hardware: tuple[JobHardwareInfo, ...] | None = None
    namespace: str | None = None
    page: tuple[JobInfo, ...] | None = None
    rest: PageMark | None = None
    """Where the listing of `namespace` goes on; None when `page` was its last."""
    budget: Budget = field(default_factory=Budget)
    """The helper's requests and the rate limit headers they were answered with."""


class HeadStart:
    """The helper process, as the monitor sees it."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self._read_already = False
        self._answers: FirstAnswers | None = None

    @classmethod
    def begin(
        cls, endpoint: str, token: Token, *, namespace: str | None, whoami: bool
    ) -> HeadStart | None:
        """Start the helper: it asks for whoami (if `whoami`), the hardware, and the first
        page of `namespace` (the one named, or, without one, the account's own). None if it
        could not be started: the monitor then asks everything itself, as it always could."""
        if proxy_set(os.environ):
            return None
        order = {
            "endpoint": endpoint,
            "token": token.value,
            "namespace": namespace,
            "whoami": whoami,
        }
        try:
            process = subprocess.Popen(
                HELPER,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except Exception:  # no interpreter to start (an embedded Python, say): no head start
            return None
        assert process.stdin is not None
        try:
            process.stdin.write(json.dumps(order).encode())
            process.stdin.close()
            process.stdin = None  # said all: `communicate` only reads now
        except OSError:  # it died at once: a broken install, say
            process.kill()
            process.wait()
            return None
        return cls(process)

    async def answers(self) -> FirstAnswers | None:
        """What the helper got (waiting for it in a thread, so the screen goes on drawing);
        None if it failed in any way."""
        import asyncio

        if self._read_already or self._answered():  # no thread: it costs the frame a turn
            return self.answered_now()
        try:
            return await asyncio.to_thread(self.answered_now, wait=True)
        except asyncio.CancelledError:  # the app quits: the thread must not hold its exit
            self.close()
            raise

    def answered_now(self, *, wait: bool = False) -> FirstAnswers | None:
        """The answers if the helper has given them already (read once, without waiting
        unless `wait`); None if it has not yet, or failed."""
        if not self._read_already and (wait or self._answered()):
            self._answers, self._read_already = self._read(), True
        return self._answers

    def _answered(self) -> bool:
        """Whether the helper has written its answer (or ended): reading it cannot wait."""
        import select

        out = self.process.stdout
        try:
            return out is not None and bool(select.select([out], [], [], 0)[0])
        except (OSError, ValueError):
            return False

    def _read(self) -> FirstAnswers | None:
        try:
            out, _ = self.process.communicate(timeout=WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.close()
            return None
        except (OSError, ValueError):
            return None
        if self.process.returncode != 0:
            return None
        try:
            answers = pickle.loads(out)  # our own child's output
        except Exception:
            return None
        return answers if isinstance(answers, FirstAnswers) else None

    def close(self) -> None:
        """Stop the helper if it is still asking (the monitor quit first)."""
        if self.process.poll() is None:
            self.process.kill()
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            self.process.wait(timeout=1.0)


def _ask(order: dict[str, Any]) -> FirstAnswers:
    """Whoami (if asked) then the first page on one connection, the hardware beside them on
    another: on a real network that is two round trips after the handshakes, not three."""
    import threading

    from jobtui.hub.job import job_reader
    from jobtui.hub.plain_http import PlainHub
    from jobtui.hub.wire import (
        MAX_BODY_BYTES,
        next_link,
        parse_items,
        parse_one,
        same_hub,
        segment,
    )

    endpoint: str = order["endpoint"]
    asked: list[Answer | None] = []  # each request's answer (None: none came), for the budget

    def ask(hub: PlainHub, path: str) -> Answer | None:
        try:
            answer: Answer | None = hub.get(path)
        except Exception:  # the monitor asks again and says what went wrong
            answer = None
        asked.append(answer)  # from two threads: one append each, no count to race on
        return answer

    def connection() -> PlainHub:
        return PlainHub(endpoint, order["token"], deadline=HELPER_SECONDS, max_body=MAX_BODY_BYTES)

    hardware: list[Any] = []
    beside = threading.Thread(
        target=lambda: hardware.append(ask(connection(), "/api/jobs/hardware")), daemon=True
    )
    beside.start()
    hub = connection()
    namespace: str | None = order.get("namespace")
    account = None
    if order.get("whoami"):
        whoami = ask(hub, "/api/whoami-v2")
        account = _read(lambda: parse_one(Account.from_api, _payload(whoami), ""))
        namespace = namespace or (account.name if account is not None else None)
    page = rest = None
    if namespace:
        path = f"/api/jobs/{segment(namespace, 'namespace')}"
        listed = ask(hub, path)
        read = job_reader(endpoint, namespace)
        page = _read(lambda: tuple(parse_items(read, _payload(listed), "")))
        if page is not None and listed is not None:
            link = next_link(listed.headers.get("link"))
            following = same_hub(link, listed.url, endpoint) if link else None
            rest = PageMark(following, frozenset(job.id for job in page)) if following else None
    hub.close()
    beside.join(HELPER_SECONDS)
    flavors = _read(lambda: tuple(parse_items(JobHardwareInfo.from_api, _payload(hardware[0]), "")))
    budget = Budget(sent=len(asked))
    for answer in filter(None, asked):
        budget.note(answer.headers)
        budget.limited += answer.status == 429
    return FirstAnswers(
        account=account,
        hardware=flavors,
        namespace=namespace if page is not None else None,
        page=page,
        rest=rest,
        budget=budget,
    )


def _payload(answer: Answer | None) -> Any:
    """The JSON of a 200 answer with a plain body (anything else, the monitor asks again)."""
    if answer is None or not answer.readable:
        raise ValueError("not answered")
    return answer.json()


def _read(read: Callable[[], T]) -> T | None:
    try:
        return read()
    except Exception:  # not answered, or not readable: the monitor asks itself
        return None


def _frozen_mapping(mapping: MappingProxyType[Any, Any]) -> tuple[Any, ...]:
    return read_only, (dict(mapping),)


def read_only(mapping: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    """How a pickled read-only mapping is made again (in the monitor)."""
    return MappingProxyType(mapping)


def main() -> int:
    """The helper: one order on stdin, one pickled `FirstAnswers` on stdout."""
    # Jobs keep their labels and environment in read-only mappings, which pickle cannot
    # take by itself (in this process only: it exits after one answer).
    from jobtui.deferred import import_when_used

    copyreg.pickle(MappingProxyType, _frozen_mapping)
    try:
        order = json.loads(sys.stdin.buffer.read())
        # `jobtui.hub.wire` and `.http` name httpx; this process never sends with it.
        import_when_used("httpx2")
        answers = _ask(order)
        sys.stdout.buffer.write(pickle.dumps(answers))
        sys.stdout.buffer.flush()
    except BaseException:  # noqa: BLE001 - anything: the monitor asks itself
        return 1
    return 0
