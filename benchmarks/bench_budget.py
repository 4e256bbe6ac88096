"""Hub API requests jobtui spends per 5 minutes, and its share of a free account's budget.

Run: .venv/bin/python benchmarks/bench_budget.py [--minutes 2] [--scenario small big]
     (about 2 x (minutes + 0.5) minutes; --minutes 10 for the issue's full figure;
     --no-rate-limit to measure demand without the simulated Hub's quota)

What it measures. For each scenario, a simulated Hub (`jobtui sim --seed 1`) runs in a
subprocess on a free loopback port, with a free account's rate limit (1,000 requests per
300 s per token, 429 over it) unless --no-rate-limit. jobtui runs in a tmux session of 120x36
against it with its default options (the token's user and its org, default interval) and is
left alone for --minutes. The simulated Hub counts every API request of the token
(`GET /_sim/requests`, which is not itself counted); the benchmark reads that count when
jobtui starts, when its first listing is on screen, and at the end, and makes no API request
of its own in between.

- small: `--jobs 10`: 10 jobs, 2 of them live, in the user + 1 org.
- big:   `--jobs 10000`: a 10k-job history; the sim makes about 1 in 12 RUNNING (~835 live),
  in the user + 1 org. The simulated Hub has one user and one org, so the issue's "4
  namespaces" cannot be reproduced without changing it: this is 2.

Printed per scenario: requests until the first listing was on screen, requests per minute
and per 5 minutes after it (steady state) and their share of 1,000 per 5 min, an estimate of
the first 5 minutes (the start-up requests plus the steady rate for the rest of them), and
how many answers were 429. The live-job count is read at the end (it costs requests of its
own, so after the measured count). Then the requests by endpoint over the steady state.

The steady rate of a 2-minute run includes whatever periodic full relist falls in it; a
longer run (--minutes 10) averages over more of them.
"""

from __future__ import annotations

import argparse
import sys
import time
import urllib.error
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.append(str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import (  # noqa: E402
    JOBTUI,
    Sim,
    Tmux,
    add_code_option,
    scratch_dir,
    table,
    use_code,
    wait_listing,
)

FREE_BUDGET = 1000  # requests per 5 minutes, a free account's
SCENARIOS = {"small": 10, "big": 10_000}


def by_route(report: dict[str, Any]) -> Counter[str]:
    return Counter({str(k): int(v) for k, v in report.get("byRoute", {}).items()})


def live_jobs(sim: Sim, namespaces: list[str]) -> str:
    try:
        return f"{sum(sim.count_jobs(ns, ['RUNNING', 'SCHEDULING']) for ns in namespaces):,}"
    except urllib.error.HTTPError as error:
        return f"? (HTTP {error.code})"


def run_scenario(
    name: str, minutes: float, rate_limit: str | None, workdir: Path
) -> tuple[list[str], Counter[str]]:
    jobs = SCENARIOS[name]
    print(f"\n{name}: {jobs:,} jobs, starting the simulated Hub ...", flush=True)
    with Sim(workdir, jobs=jobs, rate_limit=rate_limit) as sim, Tmux(workdir, "budget") as tmux:
        env = sim.env(workdir / f"cache-{name}")
        zero = sim.requests()
        started = time.monotonic()
        session = f"budget-{name}"
        tmux.start(session, [JOBTUI], env)
        try:
            load_secs = wait_listing(tmux, session)
            loaded = sim.requests()
            loaded_at = time.monotonic()
            end_at = started + minutes * 60
            while time.monotonic() < end_at:
                time.sleep(min(10.0, max(0.0, end_at - time.monotonic())))
                if tmux.dead(session):
                    raise SystemExit(f"benchmark: jobtui exited:\n{tmux.capture(session, True)}")
            final = sim.requests()
            ended = time.monotonic()
            header = tmux.capture(session).splitlines()[:1]
        finally:
            tmux.kill(session)
        namespaces = sim.namespaces()
        live = live_jobs(sim, namespaces)
    at_load = loaded["total"] - zero["total"]
    steady = final["total"] - loaded["total"]
    steady_min = steady / ((ended - loaded_at) / 60)
    # The first 5 minutes: the start-up, then the steady rate for the rest of them.
    first_five = at_load + steady_min * max(0.0, 5 - (loaded_at - started) / 60)
    refused = final.get("refused", 0) - zero.get("refused", 0)
    print(f"  header at the end: {header[0].strip() if header else ''}")
    row = [
        name,
        f"{jobs:,}",
        live,
        str(len(namespaces)),
        f"{load_secs:.1f}",
        str(at_load),
        f"{steady_min:.1f}",
        f"{steady_min * 5:,.0f}",
        f"{steady_min * 5 / FREE_BUDGET:.0%}",
        f"{first_five:,.0f}",
        f"{first_five / FREE_BUDGET:.0%}",
        str(refused),
    ]
    print("  " + "  ".join(row), flush=True)
    return row, by_route(final) - by_route(loaded)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=2.0, help="per scenario (default 2)")
    parser.add_argument("--scenario", nargs="+", choices=list(SCENARIOS), default=list(SCENARIOS))
    limits = parser.add_mutually_exclusive_group()
    limits.add_argument(
        "--rate-limit", default="1000/300", help="the sim's quota (default %(default)s)"
    )
    limits.add_argument("--no-rate-limit", dest="rate_limit", action="store_const", const=None)
    add_code_option(parser)
    args = parser.parse_args()
    use_code(args.code)
    if args.minutes <= 0:
        parser.error("--minutes must be positive")
    rows: list[list[str]] = []
    routes: dict[str, Counter[str]] = {}
    with scratch_dir("bench-budget-") as workdir:
        for name in args.scenario:
            row, routes[name] = run_scenario(name, args.minutes, args.rate_limit, workdir)
            rows.append(row)
    limit = args.rate_limit or "none"
    print(f"\njobtui's Hub API requests, {args.minutes:g} min per scenario, rate limit {limit}:\n")
    headers = [
        "scenario",
        "jobs",
        "live",
        "namespaces",
        "load s",
        "requests to load",
        "req/min after load",
        "req/5 min after load",
        "share of 1,000",
        "first 5 min (est.)",
        "share",
        "429s",
    ]
    print(table(headers, rows))
    for name, counts in routes.items():
        print(f"\n{name}: requests by endpoint after the first listing (whole run after load):\n")
        print(table(["endpoint", "requests"], [[k, str(v)] for k, v in counts.most_common()]))


if __name__ == "__main__":
    main()
