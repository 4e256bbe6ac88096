"""Key-to-screen latency in jobtui while a log pours in, and keys that are lost.

Run: .venv/bin/python benchmarks/bench_keys.py [--rate 50000] [--keys 20]
     (about 1.5 minutes; needs about 1.5 GB of memory for the simulated log)

What it measures. A simulated Hub runs in a subprocess on a free loopback port: this script
with --serve builds a `jobtui.sim.World` whose two newest jobs, "firehose-a" and
"firehose-b", print --rate lines per second each (while streamed, the Hub sends each line at
its time) for --seconds, and serves it with `jobtui.sim.SimulatedHub`. jobtui runs in a tmux
session of 120x36 against it (default options). Its first row, firehose-a, is selected and
its log streams in the log pane.

Keys are sent with `send-keys`; after each, the pane is read with `capture-pane -p` every
~5 ms until the change the key makes is on screen. Both go through one tmux client in control
mode, kept open (`tmux_control.py`); `--capture-by process` starts a `tmux` process for each,
as this script did before (a process every ~5 ms, on the cores being measured):

- list keys (focus on the job list): `j` moves to firehose-b, `k` back to firehose-a; done
  when the details pane names the job. Before each key the selected job's log is streaming
  again (its line count grows).
- log keys (Tab, focus on the log pane, following the stream): `k` scrolls up, which pauses
  following: done when the state line says "paused"; `G` follows again: done when it no
  longer does.

Which key is sent next follows the screen (j when firehose-a is selected, k when paused is
not shown, ...), so one lost key does not spoil the rest. A key whose change does not show
within --key-timeout seconds (default 2) counts as lost. Also printed: the log lines per second
jobtui took in (its own "N lines" count on screen) while followed, before the keys.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol, cast

sys.path.append(str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import (  # noqa: E402
    HEIGHT,
    JOBTUI,
    PYTHON,
    WIDTH,
    Sim,
    Tmux,
    add_code_option,
    median,
    percentile,
    scratch_dir,
    serve_world,
    table,
    use_code,
    wait_listing,
)
from benchmarks.tmux_control import TmuxControl  # noqa: E402


class Pane(Protocol):
    """Where keys go and the screen is read: `Tmux` (a process each) or `TmuxControl`."""

    def capture(self, name: str) -> str: ...

    def keys(self, name: str, *keys: str) -> None: ...


DETAIL_JOB = re.compile(r"Job\s+(firehose-[ab])\b")
LINE_COUNT = re.compile(r"(?:streaming|connecting)[^\n│]*?([\d,]+) lines?\b")
PAUSED = "· paused"


# ---- the simulated Hub (--serve) ---------------------------------------------------------


def serve(rate: int, seconds: float) -> None:
    """Serve a world with two firehose jobs until interrupted."""
    from jobtui.sim.jobs import Plan
    from jobtui.sim.logs import LogScript
    from jobtui.sim.spec import spec_for_image
    from jobtui.sim.world import World

    world = World(seed=1, scheduling_secs=0.0)
    now = world.clock()
    quiet: LogScript = [(0.0, "done")]
    spec = spec_for_image("python:3.12", ("python", "train.py"))
    for index in range(30):  # a little finished history under the two firehoses
        created = now - 3600 - index * 600
        plan = Plan(created, 20.0, 300.0, "COMPLETED")
        world.add_job(world.user, spec, plan, lambda: quiet, labels={"name": f"done-{index}"})
    # Both firehoses share one script (its memory once): a line every 1/rate s from 2 s on.
    lines = [
        (2.0 + n / rate, f"fh{n:08d} step {n} loss={1 / (n + 1):.6f} lr=3e-4 tok/s=48213")
        for n in range(int(rate * seconds))
    ]
    script = cast(LogScript, lines)
    runs = 2.0 + seconds + 3600.0
    for offset, name in ((0.0, "firehose-b"), (0.001, "firehose-a")):  # a is the newest
        plan = Plan(now + offset, 0.0, runs, "COMPLETED")
        job = world.add_job(world.user, spec, plan, lambda: script, labels={"name": name})
        assert len(job._line_times) == len(lines)  # computed now, not on the first stream
    serve_world(world)


# ---- the measurement ---------------------------------------------------------------------


def line_count(screen: str) -> int | None:
    found = LINE_COUNT.search(screen)
    return int(found.group(1).replace(",", "")) if found else None


def selected(screen: str) -> str | None:
    found = DETAIL_JOB.search(screen)
    return found.group(1) if found else None


def wait_streaming(tmux: Pane, session: str, name: str, timeout: float = 10.0) -> None:
    """Until `name` is selected and its log's line count grows."""
    deadline = time.monotonic() + timeout
    last: int | None = None
    while time.monotonic() < deadline:
        screen = tmux.capture(session)
        count = line_count(screen)
        if f"Log · {name}" in screen and count is not None and last is not None and count > last:
            return
        last = count
        time.sleep(0.1)
    print(f"  warning: {name}'s log did not stream within {timeout:.0f} s", flush=True)


def press(
    tmux: Pane, session: str, key: str, done: re.Pattern[str] | str, gone: bool, timeout: float
) -> float | None:
    """Send `key`; seconds until `done` shows (or, with `gone`, stops showing); None if never."""
    started = time.perf_counter()
    tmux.keys(session, key)
    while time.perf_counter() - started < timeout:
        screen = tmux.capture(session)
        shown = bool(done.search(screen)) if isinstance(done, re.Pattern) else done in screen
        if shown != gone:
            return time.perf_counter() - started
        time.sleep(0.005)
    return None


def absorbed_rate(tmux: Pane, session: str, seconds: float = 3.0) -> float:
    first = line_count(tmux.capture(session))
    started = time.perf_counter()
    time.sleep(seconds)
    last = line_count(tmux.capture(session))
    if first is None or last is None:
        return float("nan")
    return (last - first) / (time.perf_counter() - started)


def list_keys(
    tmux: Pane, session: str, count: int, timeout: float
) -> Iterator[tuple[str, float | None]]:
    for _ in range(count):
        current = selected(tmux.capture(session)) or "firehose-a"
        wait_streaming(tmux, session, current)
        key, target = ("j", "firehose-b") if current == "firehose-a" else ("k", "firehose-a")
        pattern = re.compile(rf"Job\s+{target}\b")
        yield key, press(tmux, session, key, pattern, False, timeout)


def log_keys(
    tmux: Pane, session: str, count: int, timeout: float
) -> Iterator[tuple[str, float | None]]:
    for _ in range(count):
        paused = PAUSED in tmux.capture(session)
        if paused:
            yield "G", press(tmux, session, "G", PAUSED, True, timeout)
        else:
            time.sleep(0.3)  # following a while: new lines scroll the view
            yield "k", press(tmux, session, "k", PAUSED, False, timeout)


def summarize(where: str, results: Sequence[tuple[str, float | None]]) -> list[list[str]]:
    rows = []
    for key in sorted({key for key, _ in results}):
        times = [t * 1000 for k, t in results if k == key and t is not None]
        lost = sum(1 for k, t in results if k == key and t is None)
        sent = sum(1 for k, _ in results if k == key)
        if times:
            figures = [
                f"{median(times):.0f}",
                f"{percentile(times, 0.95):.0f}",
                f"{max(times):.0f}",
            ]
        else:
            figures = ["-", "-", "-"]
        rows.append([where, key, str(sent), *figures, str(lost)])
    return rows


def time_keys(pane: Pane, session: str, args: argparse.Namespace) -> tuple[float, list[list[str]]]:
    """The lines a second taken in, then the list keys' and the log keys' rows."""
    wait_streaming(pane, session, "firehose-a", timeout=30)
    rate = absorbed_rate(pane, session)
    print(f"  log lines taken in while followed: {rate:,.0f}/s", flush=True)
    results = summarize("list", list(list_keys(pane, session, args.keys, args.key_timeout)))
    if selected(pane.capture(session)) != "firehose-a":
        pane.keys(session, "k")
    wait_streaming(pane, session, "firehose-a")
    pane.keys(session, "Tab")
    time.sleep(0.5)
    results += summarize("log", list(log_keys(pane, session, args.keys, args.key_timeout)))
    return rate, results


def measure(args: argparse.Namespace) -> None:
    with scratch_dir("bench-keys-") as workdir:
        command = [PYTHON, str(Path(__file__).resolve()), "--serve"]
        command += ["--rate", str(args.rate), "--seconds", str(args.seconds)]
        print(f"building {args.rate * args.seconds:,.0f} log lines ...", flush=True)
        with Sim(workdir, command=command) as sim, Tmux(workdir, "keys") as tmux:
            session = "keys"
            env = sim.env(workdir / "cache")
            with contextlib.ExitStack() as stack:
                pane: Pane = tmux
                if args.capture_by == "control":  # before the session: see tmux_control.py
                    pane = stack.enter_context(TmuxControl(tmux))
                tmux.start(session, [JOBTUI], env)
                started = time.monotonic()
                try:
                    wait_listing(tmux, session)
                    size = tmux.run(
                        "display-message", "-p", "-t", session, "#{window_width}x#{window_height}"
                    )
                    if size.strip() != f"{WIDTH}x{HEIGHT}":
                        raise SystemExit(
                            f"benchmark: the pane is {size.strip()}, not {WIDTH}x{HEIGHT}"
                        )
                    rate, results = time_keys(pane, session, args)
                    late = time.monotonic() - started
                    screen = tmux.capture(session)
                finally:
                    tmux.kill(session)
    if late > args.seconds:
        print(f"  note: the keys ran past the firehose ({late:.0f} s > {args.seconds:g} s)")
    print(
        f"\nkey to screen in tmux 120x36 (pane read by {args.capture_by}), "
        f"{args.rate:,} lines/s offered, "
        f"{rate:,.0f} lines/s taken in by jobtui while followed:\n"
    )
    print(table(["pane", "key", "sent", "p50 ms", "p95 ms", "max ms", "lost"], results))
    if args.show_screen:
        print("\nthe screen at the end:\n" + screen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=50_000, help="log lines per second offered")
    parser.add_argument("--seconds", type=float, default=90.0, help="how long the log pours")
    parser.add_argument("--keys", type=int, default=20, help="keys sent per pane (default 20)")
    parser.add_argument("--key-timeout", type=float, default=2.0)
    parser.add_argument("--show-screen", action="store_true")
    parser.add_argument(
        "--capture-by",
        choices=["control", "process"],
        default="control",
        help="read the pane through one kept tmux control client, or a tmux process each time",
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    add_code_option(parser)
    args = parser.parse_args()
    use_code(args.code)
    if args.serve:
        serve(args.rate, args.seconds)
    else:
        measure(args)


if __name__ == "__main__":
    main()
