"""The whole log (f), its bound, timestamps (T), wrap (w) and saving it (ctrl+s), against the
simulated Hub over loopback."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
from huggingface_hub import HfApi
from textual.widgets import Input
from uihelpers import Notices, make_app, screen_text, wait_for

from jobtui.sim import SimulatedHub
from jobtui.ui.app import JobsApp
from jobtui.ui.log_actions import plain_line
from jobtui.ui.screens.save_log import SaveLogScreen

LOGS_ROUTE = "GET /api/jobs/{namespace}/{job_id}/logs"
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ")


def log_requests(hub: SimulatedHub) -> int:
    """How many log streams the app has asked the Hub for (the sim's own request log)."""
    with httpx2.Client(base_url=hub.url, headers={"Authorization": f"Bearer {hub.token}"}) as h:
        by_route: dict[str, int] = h.get("/_sim/requests").json()["byRoute"]
    return by_route.get(LOGS_ROUTE, 0)


def finished_job(hub: SimulatedHub, lines: list[str]) -> str:
    """A job that printed `lines` within 40 ms and has completed; its id."""
    script = [(0.04 * index / len(lines), line) for index, line in enumerate(lines)]
    job = hub.world.add_scripted_job(hub.world.user, script, run_secs=0.05)
    return str(job["id"])


async def select(pilot: Any, app: JobsApp, job_id: str, lines: int) -> None:
    """Put the cursor on the job and wait for its log stream to end with `lines` lines."""
    screen = app.main_screen
    await wait_for(pilot, lambda: job_id in screen.table.job_ids())
    screen.table.move_cursor(row=screen.table.get_row_index(job_id))
    pane = screen.log_pane
    await wait_for(pilot, lambda: pane.job_id == job_id and pane.view.written > 0)
    await wait_for(pilot, lambda: "ended" in screen_text(app) and pane.view.written == lines)


async def test_the_tail_note_shows_and_f_loads_the_whole_log_in_one_stream(
    hub: SimulatedHub,
) -> None:
    job_id = finished_job(hub, [f"line {n}" for n in range(1, 3001)])
    app = make_app(hub)
    async with app.run_test(size=(160, 40)) as pilot:
        await select(pilot, app, job_id, 1_000)
        view = app.main_screen.log_pane.view
        assert "last 1,000 lines · f loads the whole log" in screen_text(app)
        assert view.line(0) == "line 2001", "the tail: the Hub's last 1,000 lines"
        before = log_requests(hub)
        await pilot.press("f")
        await wait_for(pilot, lambda: "3,000 lines (the whole log)" in screen_text(app))
        assert "last 1,000" not in screen_text(app)
        assert view.line_count == 3_000 and view.line(0) == "line 1"
        assert view.line(2_999) == "line 3000"
        assert log_requests(hub) == before + 1, "the whole log is one stream"
        # Back to the same job later: the pane says how long the whole log is.
        pane = app.main_screen.log_pane
        pane.show_job(None)
        pane.show_job(app.store.get(job_id))
        await wait_for(pilot, lambda: "last 1,000 of 3,000 lines" in screen_text(app))


async def test_a_whole_log_past_the_cap_keeps_its_start_and_its_end(hub: SimulatedHub) -> None:
    lines = [f"line {n}" for n in range(1, 5001)]
    lines[10] = "Traceback (most recent call last):"  # the first error is near the top
    job_id = finished_job(hub, lines)
    app = make_app(hub, log_lines=2_000)
    notices = Notices()
    async with app.run_test(size=(160, 40), message_hook=notices) as pilot:
        await select(pilot, app, job_id, 1_000)
        view = app.main_screen.log_pane.view
        await pilot.press("f")
        await wait_for(pilot, lambda: "(the whole log)" in screen_text(app))
        assert view.line_count == 2_000, "memory stays at the cap"
        assert view.written == 5_000
        assert view.line(0) == "line 1" and view.line(999) == "line 1000"
        assert view.line(1_000) == "line 4001" and view.line(1_999) == "line 5000"
        text = screen_text(app)
        assert "3,000 dropped in the middle (first 1,000 and last 1,000 kept)" in text
        await pilot.press("e")
        await wait_for(pilot, lambda: notices.said("Line 11: a Python traceback"))
        assert view.line_number(1_500) == 4_501, "numbers count the lines dropped above"


async def test_escape_cancels_a_whole_load_and_goes_back_to_the_tail(hub: SimulatedHub) -> None:
    # A live job: its whole log is loading until its replay has come and gone quiet.
    script = [(0.0, f"line {n}") for n in range(1, 1501)]
    job = hub.world.add_scripted_job(hub.world.user, [*script, (60.0, "late")], run_secs=90)
    app = make_app(hub)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = app.main_screen
        await wait_for(pilot, lambda: job["id"] in screen.table.job_ids())
        screen.table.move_cursor(row=screen.table.get_row_index(job["id"]))
        pane = screen.log_pane
        await wait_for(pilot, lambda: pane.view.written == 1_000)
        await pilot.press("f")
        assert pane.fetching, "the key answers at once; the load runs behind it"
        await wait_for(pilot, lambda: "loading the whole log" in screen_text(app))
        await pilot.press("escape")
        assert not pane.fetching and not pane.whole
        await wait_for(pilot, lambda: pane.view.written == 1_000)
        assert pane.view.line(0) == "line 501", "back on the tail"
        await pilot.press("f")
        await wait_for(pilot, lambda: "1,500 lines (the whole log)" in screen_text(app))
        assert pane.view.line(0) == "line 1"


async def test_timestamps_cycle_and_wrap_shows_the_end_of_a_long_line(
    hub: SimulatedHub,
) -> None:
    long_line = "start " + "x" * 300 + " THE-END"
    job_id = finished_job(hub, ["first line", long_line])
    app = make_app(hub)
    async with app.run_test(size=(160, 40)) as pilot:
        await select(pilot, app, job_id, 2)
        view = app.main_screen.log_pane.view
        stamp = datetime.fromtimestamp(view.stamp(0), UTC)
        assert "first line" in screen_text(app)
        assert f"{stamp:%Y-%m-%d %H:%M:%S} first line" not in screen_text(app)
        await pilot.press("T")
        await wait_for(pilot, lambda: f"{stamp:%Y-%m-%d %H:%M:%S} first line" in screen_text(app))
        await pilot.press("T")
        await wait_for(pilot, lambda: "+0:00:00 first line" in screen_text(app))
        await pilot.press("T")
        await wait_for(pilot, lambda: "+0:00:00" not in screen_text(app))
        # A row of nothing but the long line's middle: only a wrapped line has one.
        wrapped = re.compile(r"│ +x{50,}")
        assert not wrapped.search(screen_text(app)), "unwrapped, the line runs off the pane"
        await pilot.press("w")
        await wait_for(pilot, lambda: wrapped.search(screen_text(app)))
        assert view.virtual_size.height >= 4 and view.line_count == 2
        await pilot.press("w")
        await wait_for(pilot, lambda: not wrapped.search(screen_text(app)))


HOSTILE = [
    "\x1b[32mINFO\x1b[0m starting",
    "\x1b]0;pwned\x07title set",
    "Map:  10%|█ | 1/10\rMap: 100%|██████████| 10/10",
    "\x1b]52;c;aGVsbG8=\x1b\\clipboard",
    "plain line ☃",
]


async def test_ctrl_s_saves_the_whole_log_as_the_official_client_reads_it(
    hub: SimulatedHub, tmp_path: Path
) -> None:
    lines = [*HOSTILE, *(f"line {n}" for n in range(1, 2001))]
    job_id = finished_job(hub, lines)
    app = make_app(hub, log_lines=500)  # saving fetches from the Hub, not what is held
    notices = Notices()
    async with app.run_test(size=(160, 40), message_hook=notices) as pilot:
        await select(pilot, app, job_id, 1_000)
        before = log_requests(hub)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SaveLogScreen))
        box = app.screen.query_one(Input)
        assert box.value == f"{job_id}.log", "a job without a name: its id"
        target = tmp_path / "saved.log"
        box.value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: notices.said("Saved"))
        assert notices.said(f"Saved {len(lines):,} lines to {target}")
        assert log_requests(hub) == before + 1
    official = await asyncio.to_thread(
        lambda: list(HfApi(endpoint=hub.url, token=hub.token).fetch_job_logs(job_id=job_id))
    )
    saved = target.read_text(encoding="utf-8").splitlines()
    assert all(STAMP.match(line) for line in saved), "every line has its timestamp"
    assert [STAMP.sub("", line) for line in saved] == [plain_line(text) for text in official]
    assert len(saved) == len(lines)
    raw = target.read_bytes()
    assert b"\x1b" not in raw and b"\r" not in raw and b"\x07" not in raw
    assert "title set" in saved[1] and saved[2].endswith("Map: 100%|██████████| 10/10")


async def test_saving_never_overwrites_a_file(hub: SimulatedHub, tmp_path: Path) -> None:
    job_id = finished_job(hub, ["one", "two"])
    target = tmp_path / "keep.log"
    target.write_text("keep me\n", encoding="utf-8")
    app = make_app(hub)
    async with app.run_test(size=(160, 40)) as pilot:
        await select(pilot, app, job_id, 2)
        before = log_requests(hub)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SaveLogScreen))
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "never overwritten" in screen_text(app))
        assert isinstance(app.screen, SaveLogScreen), "the dialog stays for another name"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SaveLogScreen))
        assert log_requests(hub) == before, "nothing fetched"
    assert target.read_text(encoding="utf-8") == "keep me\n"
