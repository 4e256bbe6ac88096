"""What live metrics cost: CPU of jobtui with a running job selected (its metrics streaming into
the sparklines) against none, and the Hub requests per minute of the stats view (`t`).

Run: .venv/bin/python benchmarks/bench_metrics.py [--window 60] [--settle 5] [--running 20]
     (about 5 minutes at the defaults: four windows plus start-ups)

What it measures. A simulated Hub (`jobtui sim --seed 1 --jobs 10`, no rate limit) runs in a
subprocess on a free loopback port; jobtui runs in a detached tmux session of 120x36.

1. CPU. The benchmark starts one job that runs for an hour (`a10g-small`: CPU, memory, one
   GPU and network sparklines) and then one that ends at once, so the newest row, selected at
   start, is a finished job. jobtui starts, loads, settles; then over --window seconds the
   utime + stime of its process (all threads, /proc/PID/stat) as a share of one core: first
   with the finished job selected (no metrics stream), then, in a second jobtui, after `j`
   moved the cursor to the running job (its Details stream one sample a second and redraw
   the sparklines). The idle GPU watch runs in both (one short read a minute per GPU job).
2. Stats view. The benchmark starts cpu-basic jobs until --running jobs run in the user's
   namespace, starts jobtui, waits for the list, then counts the token's API requests at the
   sim (`GET /_sim/requests`, not itself counted) over --window seconds on the main screen,
   and over --window seconds with the stats view open (after every row had its first
   sample), by endpoint.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.append(str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import (  # noqa: E402
    JOBTUI,
    Sim,
    Tmux,
    add_code_option,
    cpu_seconds,
    scratch_dir,
    table,
    use_code,
    wait_for_text,
    wait_listing,
)


def start_job(sim: Sim, namespace: str, name: str, command: list[str], flavor: str) -> str:
    body = {
        "dockerImage": "python:3.12",
        "command": command,
        "flavor": flavor,
        "labels": {"name": name},
    }
    return str(sim.call("POST", f"/api/jobs/{namespace}", body)["id"])


def stage(sim: Sim, namespace: str, job_id: str) -> str:
    return str(sim.call("GET", f"/api/jobs/{namespace}/{job_id}")["status"]["stage"])


def wait_stage(sim: Sim, namespace: str, job_id: str, wanted: set[str]) -> None:
    deadline = time.monotonic() + 120
    while stage(sim, namespace, job_id) not in wanted:
        if time.monotonic() > deadline:
            raise SystemExit(f"benchmark: job {job_id} never reached {wanted}")
        time.sleep(0.5)


def cpu_run(sim: Sim, tmux: Tmux, workdir: Path, selected: bool, args: argparse.Namespace) -> str:
    tag = "selected" if selected else "none"
    pid = tmux.start(tag, [JOBTUI, "--no-cache"], sim.env(workdir / f"cache-{tag}"))
    try:
        wait_listing(tmux, tag)
        if selected:
            tmux.keys(tag, "j")
            seen = wait_for_text(tmux, tag, ["GPU0"], time.perf_counter(), timeout=20)
            if not seen:
                raise SystemExit(f"benchmark: no metrics in Details:\n{tmux.capture(tag)}")
        time.sleep(args.settle)
        if selected != ("GPU0" in tmux.capture(tag)):
            raise SystemExit(f"benchmark: wrong job selected:\n{tmux.capture(tag)}")
        before, wall = cpu_seconds(pid), time.time()
        time.sleep(args.window)
        cpu = (cpu_seconds(pid) - before) / (time.time() - wall) * 100
    finally:
        tmux.kill(tag)
    return f"{cpu:.2f}%"


def routes(report: dict[str, Any]) -> Counter[str]:
    return Counter({str(k): int(v) for k, v in report.get("byRoute", {}).items()})


def stats_run(
    sim: Sim, tmux: Tmux, workdir: Path, args: argparse.Namespace
) -> tuple[int, list[list[str]]]:
    user = sim.user()
    running = sim.count_jobs(user, ["RUNNING"])
    started = [
        start_job(sim, user, f"bench-run-{n}", ["sleep", "3600"], "cpu-basic")
        for n in range(max(0, args.running - running))
    ]
    for job_id in started:
        wait_stage(sim, user, job_id, {"RUNNING"})
    running = sim.count_jobs(user, ["RUNNING"])
    tag = "stats"
    tmux.start(tag, [JOBTUI, "--no-cache"], sim.env(workdir / f"cache-{tag}"))
    try:
        wait_listing(tmux, tag)
        time.sleep(args.settle)
        main_before = sim.requests()
        time.sleep(args.window)
        main_after = sim.requests()
        opening = main_after
        tmux.keys(tag, "t")
        if not wait_for_text(tmux, tag, ["Running jobs:"], time.perf_counter(), timeout=20):
            raise SystemExit(f"benchmark: no stats view:\n{tmux.capture(tag)}")
        # Every row had a first sample: no "…" left in the table.
        deadline = time.monotonic() + 30
        while "…" in tmux.capture(tag).split("\n", 2)[-1] and time.monotonic() < deadline:
            time.sleep(0.2)
        stats_before = sim.requests()
        time.sleep(args.window)
        stats_after = sim.requests()
        shown = tmux.capture(tag).splitlines()[0]
    finally:
        tmux.kill(tag)
    print(f"  stats view title: {shown.strip()}")
    opened = routes(stats_before) - routes(opening)
    streams = sum(n for route, n in opened.items() if route.endswith("/metrics"))
    print(f"  opening the stats view: {streams} metrics requests (one stream per job)")
    minutes = args.window / 60
    rows = []
    for view, before, after in (
        ("main screen", main_before, main_after),
        ("stats view", stats_before, stats_after),
    ):
        total = (after["total"] - before["total"]) / minutes
        by = routes(after) - routes(before)
        metrics = sum(n for route, n in by.items() if route.endswith("/metrics")) / minutes
        rows.append([view, f"{total:.1f}", f"{metrics:.1f}", f"{total - metrics:.1f}"])
    return running, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=60.0, help="seconds measured")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds before measuring")
    parser.add_argument("--running", type=int, default=20, help="running jobs for the stats view")
    add_code_option(parser)
    args = parser.parse_args()
    use_code(args.code)
    with (
        scratch_dir("bench-metrics-") as workdir,
        Sim(workdir, jobs=10) as sim,
        Tmux(workdir, "metrics") as tmux,
    ):
        user = sim.user()
        job = start_job(sim, user, "bench-gpu", ["sleep", "3600"], "a10g-small")
        wait_stage(sim, user, job, {"RUNNING"})
        done = start_job(sim, user, "bench-done", ["echo", "hi"], "cpu-basic")
        wait_stage(sim, user, done, {"COMPLETED", "ERROR"})
        print("CPU: a finished job selected, then the running GPU job ...", flush=True)
        cpu = [cpu_run(sim, tmux, workdir, selected, args) for selected in (False, True)]
        print("Stats view ...", flush=True)
        running, rows = stats_run(sim, tmux, workdir, args)
    print(f"\njobtui CPU (% of a core) over {args.window:g} s, tmux 120x36:\n")
    print(table(["a finished job selected", "a running job selected (metrics)"], [cpu]))
    print(f"\nHub API requests per minute with {running} running jobs, {args.window:g} s each:\n")
    print(table(["view", "requests/min", "of them metrics", "the rest (polls)"], rows))


if __name__ == "__main__":
    main()
