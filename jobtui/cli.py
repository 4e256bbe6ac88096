"""The `jobtui` command: the monitor (default), `--demo`, and `jobtui sim`."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from jobtui import __version__
from jobtui.argtypes import at_least_seconds, minutes, name, percent, whole_number
from jobtui.settings.schema import MIN_INTERVAL, Settings

if TYPE_CHECKING:
    from jobtui.hub import HubClient, Token
    from jobtui.hub.head_start import HeadStart
    from jobtui.monitor.idle import IdleSettings

DEFAULTS = Settings()


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
        metavar="SECONDS",
        help=f"seconds between refreshes of the job list (default {DEFAULTS.interval:g})",
    )
    parser.add_argument(
        "--log-lines",
        type=whole_number(1),
        metavar="N",
        help=f"log lines the log pane holds (default {DEFAULTS.log_lines:,}); past that a "
        "whole log (f) keeps its first and last lines",
    )
    parser.add_argument(
        "--local-time",
        action="store_true",
        help="log timestamps (T) in local time instead of UTC",
    )
    parser.add_argument(
        "--idle-gpu-percent",
        type=percent,
        metavar="PCT",
        help="a GPU job is idle while every GPU is under this utilisation "
        f"(default {DEFAULTS.idle_gpu_percent:g})",
    )
    parser.add_argument(
        "--idle-gpu-minutes",
        type=minutes,
        metavar="MIN",
        help="...for this many minutes: its row says 'idle GPU' and one notice says what "
        f"the idle stretch cost (default {DEFAULTS.idle_gpu_minutes:g}; --demo: 0.5)",
    )
    parser.add_argument(
        "--filter",
        type=job_filter,
        metavar="TERMS",
        help="start with the list filtered, as typed after / (e.g. 'label:team=speech "
        "stage:error'); stages and key=value labels are asked of the Hub, so a long "
        "history is not read to find them",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start a simulated Hub with lively jobs and watch it (no account needed)",
    )
    parser.add_argument(
        "--bell",
        action=argparse.BooleanOptionalAction,
        help="ring the terminal bell when a job fails (default: off)",
    )
    parser.add_argument(
        "--no-cache",
        dest="cache",
        action="store_const",
        const=False,
        help="do not open on the jobs seen last time (kept in your user cache folder, "
        "readable only by you; never the token)",
    )
    parser.add_argument(
        "--theme",
        metavar="NAME",
        help=f"a Textual theme, e.g. textual-light, nord, gruvbox (default {DEFAULTS.theme}; "
        "one chosen with ctrl+p is remembered)",
    )
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="the config file (default: $JOBTUI_CONFIG, else config.toml in your user "
        "config folder, e.g. ~/.config/jobtui/config.toml)",
    )
    parser.add_argument(
        "--print-config",
        action="store_true",
        help="print the settings in effect and where each comes from, then exit",
    )
    # Named here for --help only: `jobtui sim` has a parser of its own (see main), so the
    # monitor never imports the simulator, uvicorn or starlette.
    commands = parser.add_subparsers(dest="command", metavar="{sim}")
    commands.add_parser("sim", help="serve a simulated Hub (the Jobs API) on loopback")
    return parser


def job_filter(text: str) -> str:
    """An argparse type: a filter as `/` takes it, refused with the filter's own message."""
    from jobtui.monitor.filtering import FilterError, parse_filter

    try:
        parse_filter(text)
    except FilterError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text.strip()


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
        gc.enable()  # a server runs for hours (jobtui.start turned it off for a quick start)
        from jobtui.sim.cli import run

        return run(build_sim_parser().parse_args(argv[1:]))
    from jobtui.deferred import import_when_used

    import_when_used("httpx2")  # see jobtui.hub.head_start
    parser = build_parser()
    from jobtui.settings import unset_flag_defaults

    unset_flag_defaults(parser)
    args = parser.parse_args(argv)
    if args.command == "sim":  # options before it: `jobtui --demo sim` and the like
        parser.error("`sim` takes no monitor options: run `jobtui sim --help`")
    head_start = None if args.print_config or args.demo else early_head_start(args)
    try:
        from jobtui.ui.setup import load_settings  # imports Textual: the head start is off

        settings = load_settings(args)
        if isinstance(settings, str):
            print(settings, end="" if settings.endswith("\n") else "\n", file=sys.stderr)
            return 2
        if args.print_config:
            from jobtui.ui.setup import effective_config

            print(effective_config(args, settings), end="")
            for warning in settings.warnings:
                print(f"jobtui: warning: {warning}", file=sys.stderr)
            return 0
        return run_monitor(parser, args, settings, head_start)
    finally:
        if head_start is not None:
            head_start.close()


def early_head_start(args: argparse.Namespace) -> HeadStart | None:
    """Start asking the Hub before Textual is imported (`jobtui.hub.head_start`), from the
    settings as read without Textual's help (the theme is checked later; any setting that
    does not read means no head start, and the full reading says what is wrong)."""
    from jobtui.hub import find_token
    from jobtui.hub.errors import HubError
    from jobtui.settings import ConfigError, resolve

    if os.environ.get("JOBTUI_HEAD_START", "1") == "0":
        return None
    try:
        settings, _ = resolve(args, os.environ)
        token = find_token(args.token)
    except (ConfigError, HubError):
        return None
    return begin_head_start(settings.endpoint, token, settings)


def run_monitor(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    settings: Settings,
    head_start: HeadStart | None = None,
) -> int:
    from jobtui.hub import HubClient, find_token
    from jobtui.hub.errors import NoTokenError

    if args.demo:
        if args.endpoint or args.token:
            parser.error("--demo runs its own simulated Hub: leave out --endpoint and --token")
        return run_demo(settings, args.filter or "")
    endpoint = settings.endpoint  # checked as it was read (flag, HF_ENDPOINT or the file)
    try:
        token = find_token(args.token)
    except NoTokenError as exc:
        print(f"jobtui: {exc}", file=sys.stderr)
        return 1
    from jobtui.hub.auth import token_file

    # A token from `hf auth login`'s file is watched while the Hub refuses it: logging in
    # again in another pane is enough.
    watched = token_file(os.environ) if token.source.startswith("the token file") else None
    return launch(
        HubClient(endpoint, token),
        settings,
        cache=endpoint if settings.cache else None,
        token_file=watched,
        args_filter=args.filter or "",
        head_start=head_start,
    )


def begin_head_start(endpoint: str, token: Token, settings: Settings) -> HeadStart | None:
    """Ask the Hub for the first answers in a helper process while Textual starts: the
    first namespace's jobs if namespaces are set, else whoami and the jobs of the account
    the cache saw last (or, with no cache, of the account whoami names)."""
    from jobtui.hub.head_start import HeadStart

    if settings.namespaces:
        return HeadStart.begin(endpoint, token, namespace=settings.namespaces[0], whoami=False)
    user = None
    if settings.cache:
        from jobtui.monitor.cache import ScreenCache

        user = ScreenCache(cache_folder(), endpoint).user()
    return HeadStart.begin(endpoint, token, namespace=user, whoami=True)


def cache_folder() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("jobtui"))


def run_demo(settings: Settings, args_filter: str = "") -> int:
    from jobtui.hub import HubClient, Token
    from jobtui.sim import SimulatedHub

    hub = SimulatedHub(scenario="demo", jobs=25, keepalive=15.0)
    try:
        hub.start()
    except OSError as exc:
        print(f"jobtui: could not start the simulated Hub: {exc}", file=sys.stderr)
        return 1
    try:
        return launch(
            HubClient(hub.url, Token(hub.token, "the demo Hub")),
            settings,
            demo=True,
            args_filter=args_filter,
        )
    finally:
        hub.stop()


def idle_settings(settings: Settings, *, demo: bool = False) -> IdleSettings:
    """The idle GPU thresholds. The demo's idle job shows its badge within the first minute
    because the demo watches a 30-second window (and reads more often, the simulated Hub's
    budget being nobody's), unless the minutes were set by a flag, the environment or the
    config file."""
    from msgspec.structs import replace

    from jobtui.monitor.idle import DEMO_IDLE, IdleSettings

    percent = settings.idle_gpu_percent
    if demo and settings.origins.get("idle_gpu_minutes", "default") == "default":
        return replace(DEMO_IDLE, gpu_percent=percent)
    return IdleSettings(gpu_percent=percent, minutes=settings.idle_gpu_minutes)


def launch(
    client: HubClient,
    settings: Settings,
    *,
    demo: bool = False,
    cache: str | None = None,
    token_file: Path | None = None,
    args_filter: str = "",
    head_start: HeadStart | None = None,
) -> int:
    """Run the monitor; `cache`: the endpoint whose first screen to keep between runs."""
    from jobtui.monitor.cache import ScreenCache
    from jobtui.settings import StateFile
    from jobtui.ui.app import JobsApp

    folder = cache_folder()

    app = JobsApp(
        client,
        namespaces=settings.namespaces,
        interval=settings.interval,
        log_lines=settings.log_lines,
        local_time=settings.local_time,  # a time zone set turns it on (settings.load)
        bell=settings.bell,
        demo=demo,
        cache=ScreenCache(folder, cache) if cache else None,
        token_file=token_file,
        idle=idle_settings(settings, demo=demo),
        filter_text=args_filter,
        settings=settings,
        state=StateFile(),
    )
    if head_start is not None:
        app.poller.head_start = head_start
        client.hold()  # until the head start's jobs are on screen (see Poller._shown_first)
    app.run()
    return app.return_code or 0
