"""Memory: what a listed job holds, and whether a long watch grows. Prints figures; asserts
nothing.

Run: .venv/bin/python benchmarks/bench_memory.py [--jobs 10000 100000] [--polls 200]
     (about 3 minutes at the defaults; add --code DIR to measure another source tree)

Against a simulated Hub in its own process (`jobtui sim --seed 3 --jobs N --no-rate-limit`,
real loopback HTTP), with jobtui in this process:

1. Held per job: Python's own allocation count (tracemalloc) of the JobStore after a full
   listing of every namespace, divided by the jobs in it. The decoded JSON is gone by then;
   what stays is what a job costs for as long as jobtui runs.
2. The soak: the whole app headless (`run_test`, 120x36) lists everything, then polls
   `--polls` times back to back, as fast as the Hub answers (a day's polls compressed into
   minutes: quick polls, the newest page, background namespaces and the periodic full
   relists, in the poller's own mix). RSS is read after the first listing and after every
   tenth of the polls. A leak shows as a slope; a plateau is the steady state.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import Sim, add_code_option, rss_mb, scratch_dir, table, use_code  # noqa: E402

SEED = 3


async def held_per_job(url: str, token: str) -> tuple[int, float]:
    """(jobs, bytes each) held by the store after a full listing of every namespace."""
    from jobtui.hub import HubClient, Token
    from jobtui.monitor.store import JobStore

    client = HubClient(url, Token(token, "bench"))
    account = await client.whoami()
    namespaces = [account.name, *account.orgs]
    store = JobStore()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for namespace in namespaces:
        async for page in client.iter_job_pages(namespace, max_seconds=900):
            store.update(page)
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    await client.aclose()
    return len(store), held / max(1, len(store))


async def soak(url: str, token: str, polls: int) -> list[tuple[int, float, float]]:
    """(polls done, seconds, RSS MB) after the first listing and every tenth of the polls."""
    from jobtui.hub import HubClient, Token
    from jobtui.ui.app import JobsApp

    client = HubClient(url, Token(token, "bench"))
    app = JobsApp(client, interval=3600)
    points: list[tuple[int, float, float]] = []
    pid = os.getpid()
    async with app.run_test(size=(120, 36)) as pilot:
        deadline = time.monotonic() + 900
        while app.poller.freshness.last_ok is None:
            if time.monotonic() > deadline:
                raise SystemExit("benchmark: the first listing never finished")
            await pilot.pause(0.05)
        await pilot.pause(0.5)
        started = time.perf_counter()
        gc.collect()
        points.append((0, 0.0, rss_mb(pid)))
        step = max(1, polls // 10)
        for done in range(1, polls + 1):
            await app.poller.poll_once()
            await pilot.pause(0.01)
            if done % step == 0:
                gc.collect()
                points.append((done, time.perf_counter() - started, rss_mb(pid)))
    await client.aclose()
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--polls", type=int, default=200, help="polls in the soak")
    add_code_option(parser)
    args = parser.parse_args()
    use_code(args.code)
    with scratch_dir("bench-memory-") as workdir:
        for jobs in args.jobs:
            with Sim(workdir, jobs=jobs, seed=SEED, startup_timeout=600) as sim:
                count, each = asyncio.run(held_per_job(sim.url, sim.token))
                print(f"\n{jobs:,}-job history: {count:,} jobs listed, {each:,.0f} bytes held each")
                points = asyncio.run(soak(sim.url, sim.token, args.polls))
            rows = [
                [f"{n}", f"{s:.0f}", f"{mb:.1f}", f"{mb - points[0][2]:+.1f}"]
                for n, s, mb in points
            ]
            print(table(["polls", "seconds", "RSS MB", "since listed"], rows))


if __name__ == "__main__":
    main()
