"""Keys first: a key pressed while a log pours in is answered at once, and holding the log
for it (or drawing a pouring log less often) loses no line. Against a simulated Hub on
loopback whose two newest jobs each log thousands of lines a second."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

import pytest
from uihelpers import make_app, screen_text, wait_for

from jobtui.sim import SimulatedHub
from jobtui.sim.jobs import Plan
from jobtui.sim.logs import LogScript
from jobtui.sim.spec import spec_for_image
from jobtui.sim.world import World

RATE = 5_000  # lines a second each: faster than a pane a flush, slow enough for CI
SECONDS = 30.0


def firehose_world() -> World:
    world = World(seed=1, scheduling_secs=0.0)
    now = world.clock()
    spec = spec_for_image("python:3.12", ("python", "train.py"))
    lines = [(1.0 + n / RATE, f"fh{n:08d} step {n} loss=0.5") for n in range(int(RATE * SECONDS))]
    script = cast(LogScript, lines)
    for offset, name in ((0.0, "firehose-b"), (0.001, "firehose-a")):  # a is the newest
        plan = Plan(now + offset, 0.0, SECONDS + 60.0, "COMPLETED")
        world.add_job(world.user, spec, plan, lambda: script, labels={"name": name})
    return world


@pytest.fixture
def firehose() -> Iterator[SimulatedHub]:
    with SimulatedHub(firehose_world(), rate_limit=None) as hub:
        yield hub


def numbers(lines: list[str]) -> list[int]:
    return [int(line[2:10]) for line in lines if line.startswith("fh")]


async def test_a_key_moves_the_selection_and_the_details_at_once_while_a_log_pours_in(
    firehose: SimulatedHub,
) -> None:
    app = make_app(firehose)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.main_screen
        view = screen.log_pane.view
        await wait_for(pilot, lambda: screen.selected_job_id is not None and view.written > 2_000)
        first = screen.selected_job_id
        for key in ("j", "k", "j"):
            before = screen.selected_job_id
            await pilot.press(key)
            job = screen.selected_job()
            assert job is not None and job.id != before, f"{key} moved the selection"
            # In the key's own frame: the row and the Details together.
            assert f"Job {job.display_name}" in " ".join(screen_text(app).split())
        await pilot.press("k")
        assert screen.selected_job_id == first
        # The log of the job now selected pours in again, followed to its newest line.
        await wait_for(pilot, lambda: view.written > 2_000)
        assert view.following
        await pilot.pause(0.2)
        shown = numbers(view.plain_lines())
        assert shown == list(range(shown[0], shown[0] + len(shown))), "no line lost"


async def test_no_line_is_lost_while_keys_hold_a_pouring_log(firehose: SimulatedHub) -> None:
    app = make_app(firehose)
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.main_screen.log_pane
        view = pane.view
        await wait_for(pilot, lambda: view.written > 2_000)
        await pilot.press("tab")
        assert view.has_focus
        for _ in range(6):  # each key holds the log until its frame is out
            await pilot.press("k")
            assert not view.following
            await pilot.press("G")
            assert view.following
        written = view.written
        await wait_for(pilot, lambda: view.written > written + 2 * RATE // 10)
        pane.flush(now=True)
        shown = numbers(view.plain_lines())
        # Every line the Hub sent since the stream opened, in order, none twice, none missed,
        # and the count on the state line says as many.
        assert shown == list(range(shown[0], shown[0] + len(shown)))
        assert view.written == len(shown)
        assert f"{view.written:,} lines" in " ".join(screen_text(app).split())
