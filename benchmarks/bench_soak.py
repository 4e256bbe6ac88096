"""A long soak: jobtui left running on a big history, its memory and CPU sampled over time.

Run: .venv/bin/python benchmarks/bench_soak.py [--jobs 100000] [--minutes 30] [--every 60]
     (the issue's soak: 100,000 jobs for 30 minutes; about 32 minutes with the first listing)

What it measures. A simulated Hub (`jobtui sim --seed 3 --jobs N --no-rate-limit`) runs in a
subprocess; its world lives on (jobs start, log and end in real time), so the live set and
the history change all through the soak, as a user's would. jobtui runs in tmux (120x36) with
its default options, left alone: nothing is pressed. Once its first listing is on screen, the
RSS (/proc/PID/status VmRSS) and the CPU used (utime + stime) are read every --every seconds.

Prints the series, then: RSS at the start of the soak, at its end and its peak; the slope of a
least-squares line through the samples of the second half (MB per 10 minutes: a leak climbs
steadily, a heap that found its size does not); the requests the Hub counted per 5 minutes;
and the mean CPU share of a core.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import (  # noqa: E402
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


def slope_per_10_minutes(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) points, in MB per 10 minutes."""
    n = len(points)
    if n < 2:
        return 0.0
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    if spread == 0:
        return 0.0
    return sum((t - mean_t) * (v - mean_v) for t, v in points) / spread * 600


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--every", type=float, default=60.0, help="seconds between samples")
    add_code_option(parser)
    args = parser.parse_args()
    use_code(args.code)
    command = [PYTHON, "-m", "jobtui", "sim", "--port", "0", "--seed", str(SEED)]
    command += ["--jobs", str(args.jobs), "--token", "hf_bench_sim_token", "--no-rate-limit"]
    with (
        scratch_dir("bench-soak-") as workdir,
        Sim(workdir, command=command) as sim,
        Tmux(workdir, "soak") as tmux,
    ):
        expected = sim.count_jobs(sim.user())
        started = time.perf_counter()
        pid = tmux.start("soak", [JOBTUI], sim.env(workdir / "cache"))
        loaded = time.perf_counter() - started + wait_listing(tmux, "soak", 1800, expected)
        print(f"{args.jobs:,} jobs: first listing on screen after {loaded:.1f} s", flush=True)
        requests_before = sim.requests()["total"]
        t0, cpu0 = time.monotonic(), cpu_seconds(pid)
        samples: list[tuple[float, float, float]] = []
        while True:
            elapsed = time.monotonic() - t0
            samples.append((elapsed, rss_mb(pid), cpu_seconds(pid) - cpu0))
            print(
                f"  {elapsed / 60:5.1f} min  RSS {samples[-1][1]:7.1f} MB  "
                f"CPU {samples[-1][2]:7.1f} s",
                flush=True,
            )
            if elapsed >= args.minutes * 60:
                break
            time.sleep(min(args.every, args.minutes * 60 - elapsed + 0.01))
        requests = sim.requests()["total"] - requests_before
        tmux.kill("soak")
    duration = samples[-1][0]
    second_half = [(t, rss) for t, rss, _ in samples if t >= duration / 2]
    rows = [
        ["RSS at the start of the soak", f"{samples[0][1]:.1f} MB"],
        ["RSS at its end", f"{samples[-1][1]:.1f} MB"],
        ["RSS peak", f"{max(rss for _, rss, _ in samples):.1f} MB"],
        ["RSS slope, second half", f"{slope_per_10_minutes(second_half):+.2f} MB / 10 min"],
        ["requests the Hub counted", f"{requests * 300 / duration:.0f} per 5 min"],
        ["CPU", f"{100 * samples[-1][2] / duration:.2f}% of a core"],
    ]
    print(f"\n{args.jobs:,} jobs, {duration / 60:.1f} minutes, jobtui left alone in tmux 120x36:\n")
    print(table(["figure", "value"], rows))


if __name__ == "__main__":
    main()
