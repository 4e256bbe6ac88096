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
`ps` shows), sends each request once (no retries: the monitor asks again itself, with its
own retries and error messages, for anything the helper did not get), gives up after
`HELPER_SECONDS`, and writes one pickled `FirstAnswers` to its stdout. Its stderr goes
nowhere: it never draws on the terminal.
"""

from __future__ import annotations

import contextlib
import copyreg
import json
import pickle
import subprocess
import sys
from collections.abc import Awaitable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from jobtui.hub.models import Account, JobHardwareInfo, JobInfo
from jobtui.hub.ratelimit import Budget

if TYPE_CHECKING:
    from jobtui.hub.auth import Token

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


@dataclass(frozen=True)
class PageMark:
    """Where a listing goes on: the next page's URL, and the jobs read before it."""

    next_page: str
    ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FirstAnswers:
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

    @classmethod
    def begin(
        cls, endpoint: str, token: Token, *, namespace: str | None, whoami: bool
    ) -> HeadStart | None:
        """Start the helper: it asks for whoami (if `whoami`), the hardware, and the first
        page of `namespace` (the one named, or, without one, the account's own). None if it
        could not be started: the monitor then asks everything itself, as it always could."""
        order = {
            "endpoint": endpoint,
            "token": token.value,
            "token_source": token.source,
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

        try:
            return await asyncio.to_thread(self._read)
        except asyncio.CancelledError:  # the app quits: the thread must not hold its exit
            self.close()
            raise

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


async def _ask(order: dict[str, Any]) -> FirstAnswers:
    import asyncio

    from jobtui.hub.auth import Token
    from jobtui.hub.client import HubClient

    client = HubClient(order["endpoint"], Token(order["token"], order["token_source"]), retries=0)

    async def get(call: Awaitable[T]) -> T | None:
        try:
            return await call
        except Exception:  # the monitor asks again and says what went wrong
            return None

    namespace: str | None = order.get("namespace")
    hardware = asyncio.create_task(get(client.list_hardware()))
    whoami = asyncio.create_task(get(client.whoami())) if order.get("whoami") else None
    if namespace is None and whoami is not None:
        account = await whoami
        namespace = account.name if account is not None else None
    first = await get(client.first_job_page(namespace)) if namespace else None
    account = await whoami if whoami is not None else None
    flavors = await hardware
    await client.aclose()
    return FirstAnswers(
        account=account,
        hardware=tuple(flavors) if flavors is not None else None,
        namespace=namespace if first is not None else None,
        page=tuple(first[0]) if first is not None else None,
        rest=first[1] if first is not None else None,
        budget=client.budget,
    )


async def _ask_in_time(order: dict[str, Any]) -> FirstAnswers:
    import asyncio

    async with asyncio.timeout(HELPER_SECONDS):
        return await _ask(order)


def _frozen_mapping(mapping: MappingProxyType[Any, Any]) -> tuple[Any, ...]:
    return read_only, (dict(mapping),)


def read_only(mapping: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    """How a pickled read-only mapping is made again (in the monitor)."""
    return MappingProxyType(mapping)


def main() -> int:
    """The helper: one order on stdin, one pickled `FirstAnswers` on stdout."""
    # Jobs keep their labels and environment in read-only mappings, which pickle cannot
    # take by itself (in this process only: it exits after one answer).
    copyreg.pickle(MappingProxyType, _frozen_mapping)
    try:
        order = json.loads(sys.stdin.buffer.read())
        import asyncio

        answers = asyncio.run(_ask_in_time(order))
        sys.stdout.buffer.write(pickle.dumps(answers))
        sys.stdout.buffer.flush()
    except BaseException:  # noqa: BLE001 - anything: the monitor asks itself
        return 1
    return 0
