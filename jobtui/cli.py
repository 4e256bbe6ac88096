"""The `jobtui` command: the monitor (default), `--demo`, and `jobtui sim`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from jobtui import __version__
from jobtui.argtypes import at_least_seconds, name, whole_number

if TYPE_CHECKING:
    from jobtui.hub import HubClient

DEFAULT_INTERVAL = 5.0
MIN_INTERVAL = 2.0
DEFAULT_LOG_LINES = 200_000


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jobtui",
        description="Watch your Hugging Face Jobs: a live job list, details, logs, cancel, rerun.",
        epilog="Try it without an account: jobtui --demo. "
        "Run a simulated Hub for other tools: jobtui sim --help.",
    )
    parser.add_argument("--version", action="version", version=f"jobtui {__version__}")
    parser.add_argument(
        "--namespace",
        action="append",
        type=name,
        metavar="NS",
        help="user or org whose jobs to show; repeat to watch several "
        "(default: the token's user and its orgs, switch with n)",
    )
    parser.add_argument(
        "--endpoint",
        metavar="URL",
        help="Hub URL (default: $HF_ENDPOINT, else https://huggingface.co)",
    )
    parser.add_argument(
        "--token",
        metavar="TOKEN",
        help="Hugging Face token (default: $HF_TOKEN, then $HUGGING_FACE_HUB_TOKEN, "
        "then the token saved by `hf auth login`)",
    )
    parser.add_argument(
        "--interval",
        type=at_least_seconds(
            MIN_INTERVAL, "faster polling spends the Hub API budget your own jobs share"
        ),
        default=DEFAULT_INTERVAL,
        metavar="SECONDS",
        help=f"seconds between refreshes of the job list (default {DEFAULT_INTERVAL:g})",
    )
    parser.add_argument(
        "--log-lines",
        type=whole_number(1),
        default=DEFAULT_LOG_LINES,
        metavar="N",
        help=f"log lines the log pane holds (default {DEFAULT_LOG_LINES:,}); past that a "
        "whole log (f) keeps its first and last lines",
    )
    parser.add_argument(
        "--local-time",
        action="store_true",
        help="log timestamps (T) in local time instead of UTC",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start a simulated Hub with lively jobs and watch it (no account needed)",
    )
    parser.add_argument(
        "--bell", action="store_true", help="ring the terminal bell when a job fails"
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="do not open on the jobs seen last time (kept in your user cache folder, "
        "readable only by you; never the token)",
    )
    # Named here for --help only: `jobtui sim` has a parser of its own (see main), so the
    # monitor never imports the simulator, uvicorn or starlette.
    commands = parser.add_subparsers(dest="command", metavar="{sim}")
    commands.add_parser("sim", help="serve a simulated Hub (the Jobs API) on loopback")
    return parser


def build_sim_parser() -> argparse.ArgumentParser:
    from jobtui.sim.cli import add_arguments

    parser = argparse.ArgumentParser(
        prog="jobtui sim",
        description="Serve a simulated Hugging Face Hub that speaks the Jobs API. "
        "Jobs live, log and finish in real time; no command is ever executed.",
    )
    add_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["sim"]:
        from jobtui.sim.cli import run

        return run(build_sim_parser().parse_args(argv[1:]))
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "sim":  # options before it: `jobtui --demo sim` and the like
        parser.error("`sim` takes no monitor options: run `jobtui sim --help`")
    return run_monitor(parser, args)


def run_monitor(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from jobtui.hub import HubClient, find_endpoint, find_token
    from jobtui.hub.errors import NoTokenError

    if args.demo:
        if args.endpoint or args.token:
            parser.error("--demo runs its own simulated Hub: leave out --endpoint and --token")
        return run_demo(args)
    try:
        endpoint = find_endpoint(args.endpoint)
    except ValueError as exc:
        parser.error(f"--endpoint / HF_ENDPOINT: {exc}")
    try:
        token = find_token(args.token)
    except NoTokenError as exc:
        print(f"jobtui: {exc}", file=sys.stderr)
        return 1
    from jobtui.hub.auth import token_file

    # A token from `hf auth login`'s file is watched while the Hub refuses it: logging in
    # again in another pane is enough.
    watched = token_file(os.environ) if token.source.startswith("the token file") else None
    client = HubClient(endpoint, token)
    return launch(client, args, cache=None if args.no_cache else endpoint, token_file=watched)


def run_demo(args: argparse.Namespace) -> int:
    from jobtui.hub import HubClient, Token
    from jobtui.sim import SimulatedHub

    hub = SimulatedHub(scenario="demo", jobs=25, keepalive=15.0)
    try:
        hub.start()
    except OSError as exc:
        print(f"jobtui: could not start the simulated Hub: {exc}", file=sys.stderr)
        return 1
    try:
        return launch(HubClient(hub.url, Token(hub.token, "the demo Hub")), args, demo=True)
    finally:
        hub.stop()


def launch(
    client: HubClient,
    args: argparse.Namespace,
    *,
    demo: bool = False,
    cache: str | None = None,
    token_file: Path | None = None,
) -> int:
    """Run the monitor; `cache`: the endpoint whose first screen to keep between runs."""
    import platformdirs

    from jobtui.monitor.cache import ScreenCache
    from jobtui.ui.app import JobsApp

    folder = Path(platformdirs.user_cache_dir("jobtui"))

    app = JobsApp(
        client,
        namespaces=args.namespace or (),
        interval=args.interval,
        log_lines=args.log_lines,
        local_time=args.local_time,
        bell=args.bell,
        demo=demo,
        cache=ScreenCache(folder, cache) if cache else None,
        token_file=token_file,
    )
    app.run()
    return app.return_code or 0
