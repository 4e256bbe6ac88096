"""`jobtui sim`: serve a simulated Hub in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import ipaddress
import sys
import threading

from jobtui.argtypes import seconds, whole_number
from jobtui.sim.ratelimit import FREE_ACCOUNT, RateLimit
from jobtui.sim.server import SimulatedHub

DEFAULT_TOKEN = "hf_jobtui_sim_token"  # a local toy token: fine to print


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The simulator's options; bad values end in parser.error."""
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=whole_number(0, 65535),
        default=8765,
        help="port (default %(default)s; 0 picks a free one)",
    )
    parser.add_argument(
        "--token", default=DEFAULT_TOKEN, help="the token it accepts (default %(default)s)"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="makes history and outcomes repeatable (default %(default)s)",
    )
    parser.add_argument(
        "--jobs",
        type=whole_number(0),
        default=40,
        help="past jobs to preload (default %(default)s)",
    )
    parser.add_argument(
        "--page-size",
        type=whole_number(1),
        default=50,
        help="jobs per page of the list (default %(default)s)",
    )
    parser.add_argument(
        "--keepalive",
        type=seconds,
        default=30.0,
        metavar="SECONDS",
        help="seconds between SSE keep-alives (default %(default)g)",
    )
    limits = parser.add_mutually_exclusive_group()
    limits.add_argument(
        "--rate-limit",
        type=_rate_limit,
        default=FREE_ACCOUNT,
        metavar="QUOTA/SECONDS",
        help="each token's API quota per fixed window; over it the Hub answers 429 "
        "(default 1000/300, a free account's)",
    )
    limits.add_argument(
        "--no-rate-limit",
        dest="rate_limit",
        action="store_const",
        const=None,
        help="no quota and no RateLimit headers (for benchmarks)",
    )
    parser.add_argument(
        "--scenario",
        choices=("history", "demo"),
        default="history",
        help="a plain history, or the lively demo set (default %(default)s)",
    )


def _rate_limit(text: str) -> RateLimit:
    try:
        return RateLimit.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C (exit 0); exit 1 with one line if the port cannot be bound."""
    hub = SimulatedHub(
        token=args.token,
        seed=args.seed,
        jobs=args.jobs,
        scenario=args.scenario,
        page_size=args.page_size,
        keepalive=args.keepalive,
        host=args.host,
        port=args.port,
        rate_limit=args.rate_limit,
    )
    if not _is_loopback(args.host):
        print(
            f"warning: listening on {args.host}: anyone who can reach it can use the simulated "
            "Hub with the printed token",
            file=sys.stderr,
        )
    try:
        hub.start()
    except OSError as error:
        reason = error.strerror or str(error)
        print(f"jobtui sim: cannot listen on {args.host}:{args.port}: {reason}", file=sys.stderr)
        return 1
    print(f"Simulated Hub at {hub.url}", flush=True)
    print(f"Token: {hub.token}")
    limit = args.rate_limit
    print(
        "Rate limit: none"
        if limit is None
        else f"Rate limit: {limit.quota} API requests per {limit.window} s per token"
    )
    if hub.world.featured:  # e.g. a GPU job that goes idle, one near its timeout
        featured = ", ".join(f"{role} {job_id}" for role, job_id in hub.world.featured.items())
        print(f"Featured jobs: {featured}")
    print("Paste one of these in another terminal: the official CLI, or the monitor:")
    print(f"HF_ENDPOINT={hub.url} HF_TOKEN={hub.token} hf jobs ps -a")
    print(f"HF_ENDPOINT={hub.url} HF_TOKEN={hub.token} jobtui")
    print("Press Ctrl-C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("Stopped.")
    finally:
        hub.stop()
    return 0
