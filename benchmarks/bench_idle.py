"""Idle cost of a running jobtui: CPU share of a core, and screen updates written per second.

Run: .venv/bin/python benchmarks/bench_idle.py [--jobs 10 10000] [--window 30] [--settle 5]
     (about 6 minutes at the defaults: 8 configurations of load + settle + window)

What it measures. A simulated Hub (`jobtui sim --seed 1 --jobs N`, no rate limit) runs in a
subprocess on a free loopback port. jobtui runs in a detached tmux session of 120x36 against
it, once with the default interval and once with `--interval 3600` (no polling after the
first listing). Everything the app writes to its terminal is piped (`tmux pipe-pane -O`) to a
small logger that timestamps each chunk read.

Once the first listing is loaded (the header no longer says "loading…" and the list's
border shows its job count), it waits --settle seconds, then over a --window second window
(30 s by default; the issue asks for 30-60) it reads:

- CPU: utime + stime of the jobtui process (all threads) from /proc/PID/stat, as a
  percentage of one core over the window; and of its main thread alone (the app's own work:
  the rest is Textual's input thread, which wakes 10 times a second, and its writer thread);
- screen output: bytes, chunks (what tmux read in one go) and updates (chunks closer than
  5 ms apart merged: one redraw may span several chunks) per second; also the seconds
  between the first and the last update, and the RSS at the end.

Each configuration runs twice, with a different job selected (--selected):

- "newest": as jobtui opens, on the newest job. In the simulated Hub that job is usually live,
  so its log and metrics stream into the pane and its clock runs: the screen really changes.
- "finished": `j` (then page down) is pressed until Details show a finished job (completed,
  error, canceled or deleted), before the settle time. Nothing on screen has a reason to
  change but relative times ("3 minutes ago") and the live rows' runtimes: the idle cost.

Apart from that, the keyboard is never touched: this is jobtui left alone in a pane.

Last, the same window is measured on a bare Textual app (`textual_floor.py`; `--no-floor`
skips it): what any Textual app costs left alone on this machine, most of it its input
thread's 10 wake-ups a second.
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import (  # noqa: E402
    FLOOR_SCRIPT,
    JOBTUI,
    PYTHON,
    Sim,
    Tmux,
    add_code_option,
    clean_env,
    cpu_seconds,
    rss_mb,
    scratch_dir,
    table,
    use_code,
    wait_listing,
)

# Reads the pane's output from stdin: one "unix-time length" line per chunk read.
CHUNK_LOGGER = """
import os, sys, time
log = open(sys.argv[1], "w", buffering=1)
while True:
    data = os.read(0, 1 << 20)
    if not data:
        break
    log.write(f"{time.time():.6f} {len(data)}\\n")
"""
MERGE_GAP_SECS = 0.005
FINISHED = re.compile(r"Stage +(COMPLETED|ERROR|CANCELED|DELETED)\b")


def updates(chunks: list[tuple[float, int]]) -> list[float]:
    """Start times of updates: chunks within MERGE_GAP_SECS of the previous one are merged."""
    starts: list[float] = []
    last = -1.0
    for moment, _ in chunks:
        if not starts or moment - last > MERGE_GAP_SECS:
            starts.append(moment)
        last = moment
    return starts


def select_finished(tmux: Tmux, tag: str) -> None:
    """Press j (then page down, past a screenful of live jobs) until Details show a finished
    job."""
    for press in range(60):
        if FINISHED.search(tmux.capture(tag)):
            return
        tmux.keys(tag, "j" if press < 20 else "PageDown")
        time.sleep(0.4)
    raise SystemExit("benchmark: no finished job found in the list")


def run_one(
    sim: Sim,
    tmux: Tmux,
    workdir: Path,
    jobs: int,
    interval: str | None,
    selected: str,
    args: argparse.Namespace,
) -> list[str]:
    tag = f"idle-{jobs}-{interval or 'default'}-{selected}"
    argv = [JOBTUI] + ([] if interval is None else ["--interval", interval])

    def prepare() -> str:
        loaded = wait_listing(tmux, tag)
        if selected == "finished":
            select_finished(tmux, tag)
        return f"{loaded:.1f}"

    label = "default" if interval is None else interval
    env = sim.env(workdir / f"cache-{tag}")
    return measure(tmux, workdir, tag, argv, env, prepare, [f"{jobs:,}", label, selected], args)


def run_floor(tmux: Tmux, workdir: Path, args: argparse.Namespace) -> list[str]:
    """The same window on a bare Textual app (benchmarks/textual_floor.py): what any
    Textual app costs left alone on this machine."""
    env = clean_env(workdir / "floor")
    return measure(
        tmux,
        workdir,
        "idle-floor",
        [PYTHON, FLOOR_SCRIPT, "floor"],
        env,
        lambda: "-",
        ["-", "-", "Textual floor"],
        args,
    )


def measure(
    tmux: Tmux,
    workdir: Path,
    tag: str,
    argv: list[str],
    env: dict[str, str],
    prepare: Callable[[], str],
    first: list[str],
    args: argparse.Namespace,
) -> list[str]:
    """Start `argv` in tmux, `prepare()` it (what it returns is the "load s" column), wait
    --settle seconds, then measure --window seconds; the table row, `first` its start."""
    log_path = workdir / f"{tag}.chunks"
    pid = tmux.start(tag, argv, env)
    logger = f"{shlex.quote(PYTHON)} -c {shlex.quote(CHUNK_LOGGER)} {shlex.quote(str(log_path))}"
    tmux.pipe_output(tag, logger)
    try:
        loaded = prepare()
        time.sleep(args.settle)
        main_before = cpu_seconds(pid, main_thread=True)
        cpu_before, wall_before = cpu_seconds(pid), time.time()
        time.sleep(args.window)
        cpu_after, wall_after = cpu_seconds(pid), time.time()
        main_after = cpu_seconds(pid, main_thread=True)
        rss = rss_mb(pid)
        if tmux.dead(tag):
            raise SystemExit(f"benchmark: {argv[0]} exited:\n{tmux.capture(tag, True)}")
    finally:
        tmux.kill(tag)
    chunks: list[tuple[float, int]] = []
    for line in log_path.read_text().splitlines():
        moment, size = line.split()
        if wall_before <= float(moment) < wall_after:
            chunks.append((float(moment), int(size)))
    span = wall_after - wall_before
    cpu = (cpu_after - cpu_before) / span * 100
    main = (main_after - main_before) / span * 100
    starts = updates(chunks)
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
    row = [
        *first,
        loaded,
        f"{cpu:.2f}%",
        f"{main:.2f}%",
        f"{sum(size for _, size in chunks) / span:,.0f}",
        f"{len(chunks) / span:.2f}",
        f"{len(starts) / span:.2f}",
        f"{max(gaps):.1f}" if gaps else "-",
        f"{rss:.0f}",
    ]
    print("  " + "  ".join(row), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[10, 10_000])
    parser.add_argument("--window", type=float, default=30.0, help="seconds measured")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds after the load")
    parser.add_argument(
        "--intervals",
        nargs="+",
        default=["default", "3600"],
        help="jobtui --interval values to try ('default': no option)",
    )
    parser.add_argument(
        "--selected",
        nargs="+",
        choices=["newest", "finished"],
        default=["finished", "newest"],
        help="which job is selected while measured (see above)",
    )
    parser.add_argument("--no-floor", action="store_true", help="skip the bare Textual app's row")
    add_code_option(parser)
    args = parser.parse_args()
    use_code(args.code)
    rows: list[list[str]] = []
    with scratch_dir("bench-idle-") as workdir:
        for jobs in args.jobs:
            print(f"\n{jobs:,} jobs: starting the simulated Hub ...", flush=True)
            with Sim(workdir, jobs=jobs) as sim, Tmux(workdir, "idle") as tmux:
                for interval in args.intervals:
                    value = None if interval == "default" else interval
                    for selected in args.selected:
                        rows.append(run_one(sim, tmux, workdir, jobs, value, selected, args))
        if not args.no_floor:
            print("\nthe Textual floor ...", flush=True)
            with Tmux(workdir, "floor") as tmux:
                rows.append(run_floor(tmux, workdir, args))
    print(f"\njobtui idle in tmux 120x36, {args.window:g} s window after the first listing:\n")
    headers = [
        "jobs",
        "interval",
        "selected",
        "load s",
        "CPU (% of a core)",
        "main thread",
        "bytes/s",
        "chunks/s",
        "updates/s",
        "longest quiet s",
        "RSS MB",
    ]
    print(table(headers, rows))


if __name__ == "__main__":
    main()
