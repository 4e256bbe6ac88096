"""How the monitor copes with 10,000 jobs and a chatty log. Prints figures; asserts nothing.

Run: .venv/bin/python benchmarks/bench_monitor.py [--jobs 10000] [--log-lines 200000]

Figures (targets from the monitor issue in brackets):
- time to first rows on screen, and to the whole list (first rows < 0.5 s)
- a poll that changes 1% of the jobs: UI (main-thread) time to apply it, and the whole
  quick poll over HTTP (UI time < 30 ms)
- memory per job in the store
- log lines per second the tail absorbs from a real stream, and how long a key press
  takes to be handled meanwhile (> 20,000 lines/s)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import gc
import json
import signal
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

from textual.pilot import Pilot

from jobtui.hub import HubClient, JobInfo, Token
from jobtui.hub.models import JobDurations
from jobtui.monitor.store import JobStore
from jobtui.sim import SimulatedHub, scenarios
from jobtui.ui.app import JobsApp
from jobtui.ui.widgets.log_view import LogView


async def until(
    pilot: Pilot[Any], condition: Callable[[], object], timeout: float = 120.0
) -> float:
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout:
            raise SystemExit(f"benchmark: timed out waiting for {condition}")
        await pilot.pause(0.005)
    return time.perf_counter() - started


@contextlib.contextmanager
def hub_process(jobs: int) -> Iterator[tuple[str, str]]:
    """`jobtui sim` in a process of its own, as a remote Hub would be: (url, token)."""
    token = "hf_bench_token"
    command = [sys.executable, "-m", "jobtui", "sim", "--port", "0", "--seed", "3"]
    command += ["--jobs", str(jobs), "--token", token, "--no-rate-limit"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        url = first.strip().rsplit(" ", 1)[-1]
        if not url.startswith("http"):
            raise SystemExit(f"benchmark: the simulated Hub said {first!r}")
        yield url, token
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


async def list_figures(url: str, token: str, jobs: int) -> None:
    client = HubClient(url, Token(token, "bench"))
    app = JobsApp(client, interval=3600)
    started = time.perf_counter()
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: app.main_screen.table.row_count > 0)
        first_rows = time.perf_counter() - started
        await until(pilot, lambda: app.freshness.last_ok is not None)
        await pilot.pause(0.2)
        whole = time.perf_counter() - started
        print(f"jobs in the store:              {len(app.store):,}")
        print(f"first rows on screen:           {first_rows * 1000:7.0f} ms   (target < 500 ms)")
        print(f"whole list on screen:           {whole * 1000:7.0f} ms")

        # A diff that changes 1% of the jobs, applied as a poll applies it.
        # 1% of the jobs, spread over the list, not the selected one: a change to that one
        # also redraws the detail pane, measured on its own below.
        step = max(1, len(app.store) // max(1, jobs // 100))
        sample = [j for j in app.store.sorted()[1::step] if j.id != app.main_screen.selected_job_id]
        ui_times, apply_times, idle_frames = [], [], []
        for _ in range(5):
            begin = time.perf_counter()
            await pilot.pause(0)
            idle_frames.append(time.perf_counter() - begin)
        for round_ in range(5):
            # What a poll brings: the Hub recomputes live jobs' durations every request.
            changed = [
                dataclasses.replace(
                    job,
                    durations=JobDurations(scheduling_secs=5, running_secs=60 + round_),
                )
                for job in sample
            ]
            diff = app.store.update(changed)
            begin = time.perf_counter()
            app.main_screen.apply(diff)
            applied = time.perf_counter()
            await pilot.pause(0)  # let the frame that shows it be drawn
            ui_times.append(time.perf_counter() - begin)
            apply_times.append(applied - begin)
        print(
            f"1% poll ({len(sample)} jobs) UI time: {statistics.median(ui_times) * 1000:7.1f} ms"
            f"   (target < 30 ms; median of 5; applying the diff:"
            f" {statistics.median(apply_times) * 1000:.1f} ms, the rest is drawing the frame)"
        )
        print(
            f"a full frame with no change:    {statistics.median(idle_frames) * 1000:7.1f} ms"
            "   (Textual redrawing the whole 160x48 screen, whatever the job count)"
        )
        selected = app.store.get(app.main_screen.selected_job_id or "")
        detail_times = []
        for round_ in range(5):
            assert selected is not None
            changed_one = dataclasses.replace(
                selected, durations=JobDurations(scheduling_secs=5, running_secs=90 + round_)
            )
            begin = time.perf_counter()
            app.main_screen.apply(app.store.update([changed_one]))
            await pilot.pause(0)
            detail_times.append(time.perf_counter() - begin)
        print(
            f"the selected job changing:      {statistics.median(detail_times) * 1000:7.1f} ms"
            "   (its row and the detail pane redrawn)"
        )
        begin = time.perf_counter()
        await app.poller.poll_once()  # a quick poll: newest page + live jobs over HTTP
        print(f"quick poll over HTTP, total:    {(time.perf_counter() - begin) * 1000:7.1f} ms")


def memory_figures(jobs: int) -> None:
    world = scenarios.build(seed=3, jobs=jobs)
    payloads, _ = world.list_jobs(world.namespaces[0])
    raw = json.loads(json.dumps(payloads))
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    store = JobStore()
    store.update(JobInfo.from_api(item) for item in raw)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    print(f"memory per job in the store:    {grown / len(store):7.0f} bytes (with its raw payload)")


async def log_figures(hub: SimulatedHub, lines: int, seconds: float) -> None:
    client = HubClient(hub.url, Token(hub.token, "bench"))
    namespace = hub.world.namespaces[0]
    # A job that prints `lines` lines over `seconds`, starting now: all of it is streamed live.
    script = [(2.0 + n * seconds / lines, f"step {n} loss {1 / (n + 1):.6f}") for n in range(lines)]
    job = hub.world.add_scripted_job(namespace, script, run_secs=seconds + 3.0)
    app = JobsApp(client, interval=3600)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: app.freshness.last_ok is not None)
        view = app.query_one(LogView)
        app.main_screen.table.move_cursor(row=app.main_screen.table.get_row_index(job["id"]))
        await until(pilot, lambda: view.written > 0, timeout=30)
        started = time.perf_counter()
        first = view.written
        # How late a 20 ms timer fires while lines pour in: a key press waits as long.
        lags = []
        while view.written < lines and time.perf_counter() - started < 120:
            begin = time.perf_counter()
            await asyncio.sleep(0.02)
            lags.append(time.perf_counter() - begin - 0.02)
        elapsed = time.perf_counter() - started
        print(f"log lines absorbed:             {view.written - first:,} in {elapsed:.2f} s")
        print(
            f"log throughput:                 {(view.written - first) / elapsed:7,.0f} lines/s"
            "   (target > 20,000 lines/s; end to end from the simulated Hub)"
        )
        lags.sort()
        print(
            f"event-loop delay while streaming: median {statistics.median(lags) * 1000:.0f} ms,"
            f" p95 {lags[int(len(lags) * 0.95)] * 1000:.0f} ms, worst {lags[-1] * 1000:.0f} ms"
            " (how long a key press waits)"
        )
    await client.aclose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--log-lines", type=int, default=200_000)
    parser.add_argument("--log-seconds", type=float, default=4.0, help="over how long they come")
    args = parser.parse_args()
    with hub_process(args.jobs) as (url, token):
        await list_figures(url, token, args.jobs)
    memory_figures(args.jobs)
    with SimulatedHub(jobs=10, seed=3) as hub:
        await log_figures(hub, args.log_lines, args.log_seconds)


if __name__ == "__main__":
    asyncio.run(main())
