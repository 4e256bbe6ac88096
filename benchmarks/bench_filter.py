"""What the filter language and the palette's job search cost, and what a Hub-side filter saves.

Run: .venv/bin/python benchmarks/bench_filter.py [--jobs 10000]

1. Filtering: parsing a filter, and testing it against every job of a --jobs history (what a
   keystroke after `/` costs), for free words, label, stage and glob terms.
2. The command palette's job search: one search over every job's name and id (what each
   keystroke in `ctrl+p` costs), with Textual's fuzzy matcher.
3. Requests: a simulated Hub with a --jobs history in the user's namespace (pages of 50):
   the GET requests a first listing makes in full, and with `stage:error` asked of the Hub.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from jobtui.hub import HubClient, JobInfo, Token
from jobtui.monitor.filtering import parse_filter
from jobtui.monitor.listing import Listing
from jobtui.monitor.store import JobStore
from jobtui.monitor.sync import JobSync
from jobtui.sim import RateLimit, SimulatedHub
from jobtui.ui.commands import find_jobs


def jobs_of(count: int) -> list[JobInfo]:
    teams = ("speech", "evals", "infra", "data", "serving")
    flavors = ("a100-large", "a10g-small", "cpu-basic", "h200", "l4x1")
    stages = ("COMPLETED", "ERROR", "RUNNING", "CANCELED")
    out = []
    for i in range(count):
        data: dict[str, Any] = {
            "id": f"{i:024x}",
            "createdAt": "2026-01-01T00:00:00Z",
            "status": {"stage": stages[i % 4]},
            "owner": {"id": "1", "name": "alice", "type": "user"},
            "flavor": flavors[i % 5],
            "dockerImage": "python:3.12",
            "command": ["python", "train.py", f"--run={i}"],
            "labels": {"name": f"run-{i}-{teams[i % 5]}", "team": teams[i % 5]},
        }
        out.append(JobInfo.from_api(data))
    return out


def timed(what: str, runs: int, fn: Any) -> None:
    start = time.perf_counter()
    for _ in range(runs):
        result = fn()
    each = (time.perf_counter() - start) / runs
    print(f"  {what:<48} {each * 1000:8.2f} ms   ({result})")


def filtering(jobs: list[JobInfo]) -> None:
    print(f"filter over {len(jobs):,} jobs (one keystroke after /):")
    for text in ("run-42", "label:team=speech", "stage:error flavor:a100*", "train speech"):
        listing = Listing(namespaces=("alice",), filter_text=text)
        timed(f"parse {text!r}", 1000, lambda text=text: bool(parse_filter(text)))
        timed(
            f"test {text!r} on every job",
            5,
            lambda listing=listing: f"{sum(1 for j in jobs if listing.visible(j))} match",
        )


def palette(jobs: list[JobInfo]) -> None:
    from textual.fuzzy import Matcher

    print(f"palette job search over {len(jobs):,} jobs (one keystroke in ctrl+p):")
    for query in ("r", "run-42", "speech", "6b0a"):
        matcher = Matcher(query)

        def every_name(matcher: Matcher = matcher) -> str:
            return f"{sum(1 for j in jobs if matcher.match(j.display_name) > 0)} hits"

        def search(query: str = query, matcher: Matcher = matcher) -> str:
            return f"{len(find_jobs(jobs, query, matcher.match))} shown"

        timed(f"fuzzy score of every name {query!r}", 3, every_name)
        timed(f"find_jobs {query!r} (what the palette runs)", 3, search)


async def requests(count: int) -> None:
    with SimulatedHub(seed=1, jobs=count, page_size=50, rate_limit=RateLimit(10**7, 300)) as hub:
        async with HubClient(hub.url, Token(hub.token, "--token")) as api:
            ns = (await api.whoami()).name
            for label, text in (
                ("in full", ""),
                ("with stage:error asked of the Hub", "stage:error"),
            ):
                store = JobStore()
                sync = JobSync(api, store, [ns])
                sync.narrow(parse_filter(text).hub_query())
                before = len(hub.faults.requests)
                start = time.perf_counter()
                async for _ in sync.poll():
                    pass
                took = time.perf_counter() - start
                sent = len(hub.faults.requests) - before
                print(
                    f"  first listing of {ns} {label:<36} {sent:5} requests  "
                    f"{len(store):6,} jobs  {took:6.2f} s"
                )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=10_000)
    args = parser.parse_args()
    jobs = jobs_of(args.jobs)
    filtering(jobs)
    palette(jobs)
    print(f"requests (simulated Hub, {args.jobs:,} jobs over its namespaces, pages of 50):")
    asyncio.run(requests(args.jobs))


if __name__ == "__main__":
    main()
