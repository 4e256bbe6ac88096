"""The monitor at scale: the full listing against `hf jobs ps -a --limit 0`, memory per job,
and the CPU a poll costs. Prints figures; asserts nothing.

Run: .venv/bin/python benchmarks/bench_monitor.py [--jobs 1000 10000 50000] [--soak 60]
     (about 6 minutes at the defaults; `--jobs 100000` for the issue's 100k row)

Every figure is taken on the real thing: a simulated Hub in a subprocess of its own on a free
loopback port (`jobtui sim --seed 3 --jobs N --no-rate-limit`), real HTTP, and for the first
part jobtui itself in a tmux session of 120x36.

1. End to end, in tmux (from the tmux command that starts the program):
   - jobtui, default options: seconds until its first listing is complete on screen (the
     header no longer says "loading…" and the list's border shows its job count), the CPU
     seconds it used by then (utime + stime from /proc/PID/stat, every thread) and its RSS
     then; its RSS again after --soak seconds of polling at the default interval. Memory per
     job is (RSS - RSS of the same measurement with 10 jobs) / jobs: everything the process
     holds, decoded JSON and widgets included.
   - `hf jobs ps -a --limit 0` (the official CLI, every job): seconds until it has printed
     its table and exited.
2. In-process, against the same kind of simulated Hub: the CPU of one poll
   (`time.process_time`, all threads) as jobtui's poller makes it after the first listing,
   plus the frame that shows it (a 50 ms pause for the UI); median of 5. These are quick
   polls (the live jobs, which the simulated Hub answers with freshly computed durations, as
   the Hub does), unless the poller decides a full relist is due.

How long the first rows take to appear is bench_start.py's figure, key latency while a log
streams bench_keys.py's: both are measured on a real terminal there.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.append(str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import (  # noqa: E402
    HF,
    JOBTUI,
    PYTHON,
    Sim,
    Tmux,
    add_code_option,
    cpu_seconds,
    rss_mb,
    scratch_dir,
    table,
    use_code,
    wait_listing,
)

SEED = 3
POLL_PAUSE = 0.05


def sim_command(jobs: int) -> list[str]:
    command = [PYTHON, "-m", "jobtui", "sim", "--port", "0", "--seed", str(SEED)]
    return command + ["--jobs", str(jobs), "--token", "hf_bench_sim_token", "--no-rate-limit"]


def end_to_end(sim: Sim, tmux: Tmux, workdir: Path, jobs: int, soak: float) -> dict[str, float]:
    env = sim.env(workdir / f"cache-{jobs}")
    figures: dict[str, float] = {}
    session = f"list-{jobs}"
    expected = sim.count_jobs(sim.user())  # the count the list's border will show
    started = time.perf_counter()
    pid = tmux.start(session, [JOBTUI], env)
    try:
        waiting = time.perf_counter()
        figures["load"] = waiting - started + wait_listing(tmux, session, 900, expected)
        figures["cpu"] = cpu_seconds(pid)
        figures["rss"] = rss_mb(pid)
        time.sleep(soak)
        figures["rss_soak"] = rss_mb(pid)
    finally:
        tmux.kill(session)
    if jobs > 10:
        session = f"cli-{jobs}"
        started = time.perf_counter()
        tmux.start(session, [HF, "jobs", "ps", "-a", "--limit", "0"], env)
        while not tmux.dead(session) and time.perf_counter() - started < 900:
            time.sleep(0.01)
        figures["cli"] = time.perf_counter() - started
        tmux.kill(session)
    return figures


async def poll_cpu(url: str, token: str, rounds: int = 5) -> tuple[float, float]:
    """Median CPU seconds and wall seconds of a poll after the first listing."""
    from jobtui.hub import HubClient, Token
    from jobtui.ui.app import JobsApp

    client = HubClient(url, Token(token, "bench"))
    app = JobsApp(client, interval=3600)
    cpu: list[float] = []
    wall: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        deadline = time.monotonic() + 900
        while app.poller.freshness.last_ok is None:
            if time.monotonic() > deadline:
                raise SystemExit("benchmark: the first listing never finished")
            await pilot.pause(0.05)
        await pilot.pause(0.5)
        for _ in range(rounds):
            cpu_before, wall_before = time.process_time(), time.perf_counter()
            await app.poller.poll_once()
            await pilot.pause(POLL_PAUSE)
            cpu.append(time.process_time() - cpu_before)
            wall.append(time.perf_counter() - wall_before - POLL_PAUSE)
    await client.aclose()
    return statistics.median(cpu), statistics.median(wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1000, 10_000, 50_000])
    parser.add_argument("--soak", type=float, default=60.0, help="seconds of polling for RSS")
    add_code_option(parser)
    args = parser.parse_args()
    use_code(args.code)
    results: dict[int, dict[str, Any]] = {}
    with scratch_dir("bench-monitor-") as workdir:
        for jobs in [10, *args.jobs]:
            print(f"{jobs:,} jobs ...", flush=True)
            with Sim(workdir, command=sim_command(jobs)) as sim, Tmux(workdir, "mon") as tmux:
                figures = end_to_end(sim, tmux, workdir, jobs, args.soak)
                if jobs > 10:
                    figures["poll_cpu"], figures["poll_wall"] = asyncio.run(
                        poll_cpu(sim.url, sim.token)
                    )
            results[jobs] = figures
            print("  " + "  ".join(f"{k} {v:.3f}" for k, v in figures.items()), flush=True)
    base = results[10]
    rows = []
    for jobs in args.jobs:
        r = results[jobs]
        rows.append(
            [
                f"{jobs:,}",
                f"{r['load']:.2f}",
                f"{r['cpu']:.2f}",
                f"{r['cli']:.2f}",
                f"{r['load'] / r['cli']:.2f}",
                f"{r['rss']:.0f}",
                f"{(r['rss'] - base['rss']) * 1024 / jobs:.1f}",
                f"{r['rss_soak']:.0f}",
                f"{(r['rss_soak'] - base['rss_soak']) * 1024 / jobs:.1f}",
                f"{r['poll_cpu'] * 1000:.0f}",
                f"{r['poll_wall'] * 1000:.0f}",
            ]
        )
    print(f"\njobtui in tmux 120x36; baseline RSS with 10 jobs: {base['rss']:.0f} MB at load,")
    print(f"{base['rss_soak']:.0f} MB after {args.soak:g} s of polling:\n")
    headers = [
        "jobs",
        "full list s",
        "its CPU s",
        "hf --limit 0 s",
        "ratio",
        "RSS MB",
        "kB/job",
        f"RSS +{args.soak:g}s",
        "kB/job",
        "poll CPU ms",
        "poll wall ms",
    ]
    print(table(headers, rows))


if __name__ == "__main__":
    main()
