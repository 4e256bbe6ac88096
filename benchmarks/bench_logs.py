"""The log pane holding 200,000 lines: search, jump to the first error, memory a line, and the
time `f` takes to load a 200,000-line log from a simulated Hub in another process.

Run: .venv/bin/python benchmarks/bench_logs.py [--lines 200000] [--repeat 5]
     (about 30 s)

The lines are the demo's long log (`jobtui.sim.logs.long_script`: short batch lines, a few
tracebacks, colour codes). Figures, each the median of --repeat runs:

- search: `/` with a query matching about one line in a hundred: the time to find every
  match in the 200,000 lines held (LogView.plain_lines + Search.run, what the pane does).
- jump to error: `e` (LogView.next_match with the failure patterns), first match near the end
  of the first half (worst case: the whole head is read) and from the top of the log.
- bytes a line: tracemalloc's count for the LogLines holding the cleaned lines with their
  stamps and widths, divided by the lines.
- whole load: a simulated Hub (`jobtui.sim.SimulatedHub`) in a subprocess serves one finished
  job with that log; jobtui runs headless (App.run_test) on it, the job selected, `f`
  pressed: the time until every line is in the pane (one stream, no `tail`).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import PYTHON, TOKEN, serve_world  # noqa: E402


def script(lines: int) -> list[tuple[float, str]]:
    from jobtui.sim.logs import long_script

    return long_script(random.Random(7), run_secs=5 * 3600.0, lines=lines)


# ---- the simulated Hub (--serve) ---------------------------------------------------------


def serve(lines: int) -> None:
    """Serve one finished job with a `lines`-line log until interrupted."""
    from jobtui.sim.jobs import Plan
    from jobtui.sim.spec import spec_for_image
    from jobtui.sim.world import World

    world = World(seed=1, scheduling_secs=0.0)
    now = world.clock()
    log = script(lines)
    spec = spec_for_image("python:3.12", ("python", "dedup.py"))
    plan = Plan(now - 7200, 10.0, 5 * 3600.0 / 4, "COMPLETED")
    shifted = [(offset / 4, line) for offset, line in log]
    job = world.add_job(world.user, spec, plan, lambda: shifted, labels={"name": "long-log"})
    serve_world(world, job.id)


# ---- figures ------------------------------------------------------------------------------


def median_ms(run: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


async def in_the_pane(lines: int, repeat: int) -> dict[str, float]:
    from textual.app import App, ComposeResult

    from jobtui.monitor.logs import FAILURE_HINT, failure_kind
    from jobtui.ui.widgets.log_search import Search, compile_query
    from jobtui.ui.widgets.log_view import LogView

    log = script(lines)
    texts = [line for _, line in log]
    stamps = [1.7e9 + offset for offset, _ in log]

    class Bench(App[None]):
        def compose(self) -> ComposeResult:
            yield LogView(max_lines=lines, id="view")

    figures: dict[str, float] = {}
    app = Bench()
    async with app.run_test(size=(120, 36)) as pilot:
        view = app.query_one(LogView)
        view.keep_head()
        for start in range(0, len(texts), 5_000):
            view.write_lines(texts[start : start + 5_000], stamps[start : start + 5_000])
        await pilot.pause()
        assert view.line_count == lines, view.line_count
        pattern = compile_query("99 docs")
        assert not isinstance(pattern, str)
        found = Search(pattern)

        def search() -> None:
            found.run(view.plain_lines())

        figures["search (ms)"] = median_ms(search, repeat)
        figures["matches"] = len(found.matches)
        figures["jump to error, from the top (ms)"] = median_ms(
            lambda: view.next_match(failure_kind, None, FAILURE_HINT), repeat
        )
        last = view.next_match(failure_kind, None, FAILURE_HINT)
        while last is not None:  # the last failure of the log: the next jump wraps round
            following = view.next_match(failure_kind, last, FAILURE_HINT)
            if following is None or following <= last:
                break
            last = following
        figures["jump to error, wrapping round (ms)"] = median_ms(
            lambda: view.next_match(failure_kind, last, FAILURE_HINT), repeat
        )
    return figures


def bytes_a_line(lines: int) -> float:
    from rich.cells import cell_len

    from jobtui.monitor.log_lines import LogLines
    from jobtui.ui.terminal_text import clean_log_line, without_colour

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    raw = script(lines)  # made while traced: the texts held are counted, the rest is freed
    held = LogLines(lines, keep_head=True)
    for start in range(0, len(raw), 5_000):
        batch = raw[start : start + 5_000]
        cleaned = [clean_log_line(line) for _, line in batch]
        held.extend(
            cleaned,
            [1.7e9 + offset for offset, _ in batch],
            [cell_len(without_colour(line)) for line in cleaned],
        )
        del batch, cleaned
    del raw
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(held) == lines
    return (after - before) / lines


async def whole_load(lines: int) -> float:
    from jobtui.hub import HubClient, Token
    from jobtui.ui.app import JobsApp

    command = [PYTHON, str(Path(__file__).resolve()), "--serve", "--lines", str(lines)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        first = server.stdout.readline().split()
        url, job_id = first[-2], first[-1]
        client = HubClient(url, Token(TOKEN, "--token"))
        app = JobsApp(client, interval=5.0, log_lines=lines)
        async with app.run_test(size=(120, 36)) as pilot:
            screen = app.main_screen
            while job_id not in screen.table.job_ids():
                await pilot.pause(0.05)
            screen.table.move_cursor(row=screen.table.get_row_index(job_id))
            pane = screen.log_pane
            while not (pane.job_id == job_id and pane.view.written >= 1_000):
                await pilot.pause(0.05)
            start = time.perf_counter()
            await pilot.press("f")
            while pane.fetching or pane.view.written < lines:
                await pilot.pause(0.01)
            took = time.perf_counter() - start
            assert pane.view.line_count == lines
        return took
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.lines)
        return
    print(f"{args.lines:,} lines held (the demo's long log)")
    for name, value in asyncio.run(in_the_pane(args.lines, args.repeat)).items():
        print(f"  {name:<36} {value:10,.1f}")
    print(f"  {'bytes a stored line (tracemalloc)':<36} {bytes_a_line(args.lines):10,.1f}")
    took = asyncio.run(whole_load(args.lines))
    print(f"  {'whole load from the sim, f (s)':<36} {took:10,.2f}")


if __name__ == "__main__":
    main()
