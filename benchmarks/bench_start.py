"""Time to the newest job's name on screen: jobtui against `hf jobs ps -a`, in a real terminal.

Run: .venv/bin/python benchmarks/bench_start.py [--jobs 1000 10000] [--runs 7]
     (about 1 minute at the defaults; add --cli-all to also time `hf jobs ps -a --limit 0`)

What it measures. A simulated Hub (`jobtui sim`, no rate limit) runs in a subprocess on a free
loopback port with `--jobs N` of history. Each round first creates one new job with a unique
short name through the API, so it is the newest job and nothing could have known its name
before the round (no cache, no earlier run). Then, in a fresh tmux session of 120x36:

- jobtui (default options, env HF_ENDPOINT/HF_TOKEN pointed at the simulated Hub)
- `hf jobs ps -a` (the official CLI, same environment; it prints its table when done)
- the Textual floor (`benchmarks/textual_floor.py NAME`): a bare Textual app that paints one
  DataTable row holding the name it is given, with no network and no import but Textual's.
  No Textual app can paint sooner on this machine: it shows how much of jobtui's time is
  Textual's own start (interpreter, imports, first frame) and how much is jobtui's.

are each started, and the pane is read with `tmux capture-pane -p` (scrollback included)
every ~10 ms until the new job's name is there. The clock starts just before the tmux command
that starts the program, so a figure covers interpreter start, imports, the requests and
painting, as a user sees it. jobtui's session is then closed; the CLI exits by itself.

A second figure for jobtui, "a known row": when the name of the job that was newest before
this round (created the round before) appears (each jobtui run is left to finish its first
listing, as a user would, so it saved its first screen). Anything a client could show before the Hub
answers (a cached first screen) counts there, but never in the first figure. Each tool runs
once untimed first (warm disk cache), then rounds alternate which tool goes first. The jobtui
cache directory (XDG_CACHE_HOME) is kept across the rounds of a run, as a user's would be;
--cold gives every jobtui start an empty one.

Prints medians (of --runs), min and max, the ratio of the medians jobtui / CLI, and the
median of the per-round ratios (the two ran within a second of each other, so the machine's
noise between rounds cancels out more).
"""

from __future__ import annotations

import argparse
import math
import secrets
import sys
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import (  # noqa: E402
    FLOOR_SCRIPT,
    HF,
    JOBTUI,
    PYTHON,
    Sim,
    Tmux,
    add_code_option,
    median,
    scratch_dir,
    table,
    use_code,
    wait_for_text,
    wait_listing,
)

TIMEOUT_SECS = 90.0
FLOOR = "Textual floor"


def measure(
    tmux: Tmux,
    session: str,
    argv: list[str],
    env: dict[str, str],
    needles: list[str],
) -> dict[str, float]:
    started = time.perf_counter()
    tmux.start(session, argv, env)
    seen = wait_for_text(tmux, session, needles, started, timeout=TIMEOUT_SECS, history=True)
    if len(seen) < len(needles):
        screen = tmux.capture(session, history=True)
        tail = "\n".join(screen.rstrip().splitlines()[-12:])
        print(f"  {session}: not all of {needles} seen in {TIMEOUT_SECS:.0f} s; pane ends:")
        print("  " + tail.replace("\n", "\n  "))
    if argv[0] == JOBTUI:
        # As a user would, let it finish its first listing, when it saves its first screen
        # for the next start; quit at 0.6 s, it left the last run's, without this round's job.
        wait_listing(tmux, session, timeout=TIMEOUT_SECS)
    tmux.kill(session)
    return seen


def run_size(jobs: int, runs: int, cli_all: bool, cold: bool, workdir: Path) -> list[list[str]]:
    print(f"\n{jobs:,} jobs: starting the simulated Hub ...", flush=True)
    with Sim(workdir, jobs=jobs) as sim, Tmux(workdir, "start") as tmux:
        user = sim.user()
        base_env = sim.env()
        tools: dict[str, list[str]] = {
            "jobtui": [JOBTUI],
            "hf jobs ps -a": [HF, "jobs", "ps", "-a"],
            FLOOR: [PYTHON, FLOOR_SCRIPT],
        }
        if cli_all:
            tools["hf jobs ps -a --limit 0"] = [HF, "jobs", "ps", "-a", "--limit", "0"]
        fresh: dict[str, list[float]] = {tool: [] for tool in tools}
        known: list[float] = []
        paired: list[float] = []  # jobtui / CLI within one round
        previous = ""
        for round_no in range(runs + 1):  # round 0 is the untimed warm-up
            name = f"bs{round_no}-{secrets.token_hex(2)}"  # short: no tool truncates it
            sim.create_job(user, name, ["sleep", "3600"])
            order = list(tools) if round_no % 2 == 0 else list(reversed(tools))
            this_round: dict[str, float] = {}
            for tool in order:
                env = dict(base_env)
                cache = workdir / ("cache-" + (secrets.token_hex(3) if cold else "jobtui"))
                env["XDG_CACHE_HOME"] = str(cache)
                needles = [name, previous] if tool == "jobtui" and previous else [name]
                session = f"r{round_no}-{tool.split()[0]}-{secrets.token_hex(2)}"
                argv = tools[tool] + ([name] if tool == FLOOR else [])
                seen = measure(tmux, session, argv, env, needles)
                if name in seen:
                    this_round[tool] = seen[name]
                if round_no and tool == "jobtui" and previous in seen:
                    known.append(seen[previous])
            previous = name
            if round_no == 0:
                continue  # the warm-up
            for tool, seconds in this_round.items():
                fresh[tool].append(seconds)
            if "jobtui" in this_round and "hf jobs ps -a" in this_round:
                paired.append(this_round["jobtui"] / this_round["hf jobs ps -a"])
            figures = "  ".join(f"{tool} {this_round.get(tool, math.nan):.3f}" for tool in order)
            print(f"  round {round_no}: {figures}", flush=True)

    rows: list[list[str]] = []

    def row(what: str, values: list[float]) -> None:
        if not values:
            rows.append([f"{jobs:,}", what, "0", "-", "-", "-"])
            return
        rows.append(
            [
                f"{jobs:,}",
                what,
                str(len(values)),
                f"{median(values):.3f}",
                f"{min(values):.3f}",
                f"{max(values):.3f}",
            ]
        )

    for tool, values in fresh.items():
        row(f"{tool}: newest job's name", values)
    row("jobtui: a known row (the previous newest)", known)
    jobtui, cli = median(fresh["jobtui"]), median(fresh["hf jobs ps -a"])
    rows.append([f"{jobs:,}", "ratio jobtui / hf jobs ps -a (medians)", "", f"{jobtui / cli:.2f}"])
    rows[-1] += ["", ""]
    if fresh[FLOOR]:
        floor = median(fresh[FLOOR])
        rows.append(
            [f"{jobs:,}", f"ratio {FLOOR} / hf jobs ps -a (medians)", "", f"{floor / cli:.2f}"]
        )
        rows[-1] += ["", ""]
    # The same round, side by side: less exposed to the machine's noise between rounds.
    rows.append(
        [
            f"{jobs:,}",
            "ratio jobtui / hf jobs ps -a, per round",
            str(len(paired)),
            f"{median(paired):.2f}",
            f"{min(paired):.2f}" if paired else "-",
            f"{max(paired):.2f}" if paired else "-",
        ]
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--runs", type=int, default=7, help="timed rounds per size (default 7)")
    parser.add_argument("--cli-all", action="store_true", help="also hf jobs ps -a --limit 0")
    parser.add_argument("--cold", action="store_true", help="an empty jobtui cache dir each start")
    add_code_option(parser)
    args = parser.parse_args()
    use_code(args.code)
    if args.runs < 1:
        parser.error("--runs must be 1 or more")
    rows: list[list[str]] = []
    with scratch_dir("bench-start-") as workdir:
        for jobs in args.jobs:
            rows += run_size(jobs, args.runs, args.cli_all, args.cold, workdir)
    print("\nseconds from the start command to the name painted in tmux (120x36):\n")
    print(table(["jobs", "what", "runs", "median s", "min s", "max s"], rows))


if __name__ == "__main__":
    main()
