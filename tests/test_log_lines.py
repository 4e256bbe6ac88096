"""The log buffer's bound, the failure sieve, file names for saved logs, and the demo's logs."""

from __future__ import annotations

import math
import random
import re
from pathlib import Path

import pytest

from jobtui.hub.job import JobInfo
from jobtui.monitor.log_file import default_log_path
from jobtui.monitor.log_lines import NO_STAMP, LogLines
from jobtui.monitor.logs import FAILURE_HINT, failure_kind
from jobtui.sim import SimulatedHub
from jobtui.ui.screens.save_log import check_path
from jobtui.ui.widgets.log_text import sieve, stamp_prefix


def fill(held: LogLines, count: int, batch: int) -> None:
    for start in range(0, count, batch):
        texts = [f"l{n}" for n in range(start, min(count, start + batch))]
        held.extend(texts, [float(n) for n in range(start, start + len(texts))], [2] * len(texts))


@pytest.mark.unit
@pytest.mark.parametrize("batch", [1, 7, 333, 5_000])
def test_a_whole_log_keeps_its_start_and_its_end_at_the_cap(batch: int) -> None:
    held = LogLines(1_000, keep_head=True)
    fill(held, 4_321, batch)
    assert len(held) == 1_000 and held.dropped == 3_321
    assert held.texts() == [f"l{n}" for n in (*range(500), *range(3_821, 4_321))]
    assert [held[i] for i in (0, 499, 500, 999)] == ["l0", "l499", "l3821", "l4320"]
    assert held.stamp(500) == 3_821.0 and held.width(999) == 2
    keys = [held.key(i) for i in range(1_000)]
    assert len(set(keys)) == 1_000, "each held line keeps a key of its own"


@pytest.mark.unit
@pytest.mark.parametrize("batch", [1, 250, 5_000])
def test_a_tail_drops_its_oldest_lines(batch: int) -> None:
    held = LogLines(300)
    fill(held, 1_000, batch)
    assert held.texts() == [f"l{n}" for n in range(700, 1_000)]
    assert held.texts(290) == [f"l{n}" for n in range(990, 1_000)]
    assert held.head_len == 0 and held.dropped == 700
    assert math.isnan(LogLines(3).first_stamp())
    held.reset()
    assert len(held) == 0 and held.dropped == 0


@pytest.mark.unit
def test_the_failure_sieve_finds_what_the_patterns_find() -> None:
    rng = random.Random(3)
    samples = [
        "all good",
        "Traceback (most recent call last):",
        "torch.OutOfMemoryError: CUDA out of memory.",
        "\x1b[31mERROR\x1b[0m disk full",
        "Killed",
        "process exited with code 137",
        "error_rate=0.1 (no failure)",
        "Exit ok",
        "\x1b[1mValueError:\x1b[0m bad",
    ]
    lines = [rng.choice(samples) for _ in range(2_000)]
    plain = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in lines]
    expected = [i for i, line in enumerate(plain) if failure_kind(line)]
    found = [i for i in sieve(lines, 0, len(lines), FAILURE_HINT) if failure_kind(plain[i])]
    assert found == expected
    assert list(sieve(lines, 500, 700, FAILURE_HINT)) == [
        i for i in range(500, 700) if FAILURE_HINT.search(plain[i].lower())
    ]


@pytest.mark.unit
def test_stamps_show_absolute_or_relative_and_blank_without_one() -> None:
    assert stamp_prefix(0.0, "absolute", origin=NO_STAMP, local=False) == "1970-01-01 00:00:00 "
    assert stamp_prefix(3_725.5, "relative", origin=0.0, local=False) == "  +1:02:05 "
    assert stamp_prefix(NO_STAMP, "relative", origin=0.0, local=False).strip() == ""
    assert len(stamp_prefix(NO_STAMP, "absolute", origin=0.0, local=False)) == 20


@pytest.mark.unit
def test_the_default_file_name_is_the_job_name_and_id_made_safe() -> None:
    def job(name: str | None) -> JobInfo:
        labels = {"name": name} if name is not None else {}
        return JobInfo.from_api(
            {"id": "687fb701029421ae5549d998", "labels": labels, "status": {"stage": "ERROR"}}
        )

    assert default_log_path(job("qwen sft/v2")) == Path("qwen-sft-v2-687fb701.log")
    assert default_log_path(job("../../etc/passwd")) == Path("etc-passwd-687fb701.log")
    assert default_log_path(job(None)) == Path("687fb701029421ae5549d998.log")
    assert default_log_path(job("\x1b]0;x\x07")) == Path("0-x-687fb701.log")


@pytest.mark.unit
def test_the_save_dialog_refuses_an_existing_file_or_a_missing_folder(tmp_path: Path) -> None:
    (tmp_path / "there.log").write_text("x")
    assert "never overwritten" in str(check_path(str(tmp_path / "there.log")))
    assert "No folder" in str(check_path(str(tmp_path / "nope" / "a.log")))
    assert check_path("  ") == "Type a file name."
    assert check_path(str(tmp_path / "new.log")) == tmp_path / "new.log"


def test_the_demo_has_a_long_log_with_tracebacks_and_a_requeued_job() -> None:
    hub = SimulatedHub(scenario="demo", jobs=25)
    world = hub.world
    logs = {
        job_id: [line for _, line in world.logs(world.user, job_id).lines]
        for job_id in (job["id"] for job in world.list_jobs(world.user)[0])
        if world.state(world.user, job_id).stage in ("ERROR", "RUNNING", "SCHEDULING")
    }
    longest = max(logs.values(), key=len)
    assert len(longest) >= 200_000
    assert sum(line.startswith("Traceback (most recent call last):") for line in longest) >= 3
    assert any(job.plan.requeue for job in world._jobs.values())


async def test_wrapped_rows_counted_as_lines_come_match_a_full_count() -> None:
    """With wrap on, each write counts only the new lines' rows (and lets the ones gone from
    the top go): the rows drawn must be those a count of the whole buffer gives."""
    from textual.app import App, ComposeResult

    from jobtui.ui.widgets.log_view import LogView

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield LogView(max_lines=50)

    rng = random.Random(7)
    async with One().run_test(size=(40, 12)) as pilot:
        view = pilot.app.query_one(LogView)
        view.set_wrap(True)
        await pilot.pause()
        for batch in range(30):
            view.write_lines(["x" * rng.randint(0, 130) for _ in range(rng.randint(1, 9))])
            kept = [view.row_of(index) for index in range(view.line_count)]
            size = view.virtual_size
            view._resize()  # the whole buffer counted again
            assert [view.row_of(index) for index in range(view.line_count)] == kept, batch
            assert view.virtual_size == size
        assert view.line_count == 50, "lines went from the top, so the base moved"


@pytest.mark.unit
@pytest.mark.parametrize("keep_head", [False, True])
def test_the_lines_from_any_index_are_those_of_the_whole_buffer(keep_head: bool) -> None:
    rng = random.Random(3)
    held = LogLines(40, keep_head=keep_head)
    written = 0
    for _ in range(60):
        count = rng.randint(1, 12)
        texts = [f"line {written + n}" for n in range(count)]
        written += count
        held.extend(texts, [NO_STAMP] * count, [len(t) for t in texts])
        whole = held.texts()
        for start in range(len(whole) + 2):
            assert held.texts(start) == whole[start:]


async def test_a_log_that_comes_in_one_write_is_followed_to_its_end_at_once() -> None:
    """A finished job's log often comes in one read: the view is at its last line as soon as
    the lines are written, not only once the screen has been laid out again (keys and the
    next write would otherwise start from the top)."""
    from textual.app import App, ComposeResult

    from jobtui.ui.widgets.log_view import LogView

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield LogView(max_lines=1_000)

    async with One().run_test(size=(40, 12)) as pilot:
        view = pilot.app.query_one(LogView)
        await pilot.pause()
        view.write_lines([f"line {n}" for n in range(500)])
        assert view.following and view.scroll_y == view.max_scroll_y > 0
        await pilot.pause()
        assert view.scroll_y == view.max_scroll_y
        assert view.vertical_scrollbar.position == view.scroll_y, "its thumb at the end too"


async def test_plain_lines_are_drawn_as_the_rich_text_of_them_would_be() -> None:
    """Printable ASCII lines skip building a Text; a search that matches nothing draws them
    the long way: the two must be the same."""
    import re

    from textual.app import App, ComposeResult

    from jobtui.ui.widgets.log_view import LogView

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield LogView(max_lines=100)

    lines = ["step 1 loss=0.5", "", "  indented  and  spaced ", "x" * 70, "tab\there", "é 世界"]
    async with One().run_test(size=(60, 12)) as pilot:
        view = pilot.app.query_one(LogView)
        view.write_lines(lines)
        view.action_scroll_home()
        await pilot.pause()
        fast = [list(view.render_line(y)) for y in range(len(lines))]
        view.highlight(re.compile("matches nothing here"))
        slow = [list(view.render_line(y)) for y in range(len(lines))]
        assert fast == slow


async def test_an_emptied_view_shows_the_next_lines_and_a_scrollbar_only_when_they_need_one() -> (
    None
):
    """Another job's log: the view keeps its scroll range until the new lines come (no layout
    in between), yet what it shows is always the new lines alone, scrolled as they need: a
    long log followed to its end, a short one without a scrollbar, none at all without one
    once the moment has passed."""
    from textual.app import App, ComposeResult

    from jobtui.ui.widgets.log_view import EMPTIED_SECONDS, LogView

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield LogView(max_lines=1_000)

    def shown(view: LogView) -> list[str]:
        return [view.render_line(y).text.strip() for y in range(view.size.height)]

    async with One().run_test(size=(40, 12)) as pilot:
        view = pilot.app.query_one(LogView)
        view.write_lines([f"old {n}" for n in range(500)])
        await pilot.pause()
        assert view.show_vertical_scrollbar
        view.clear()
        await pilot.pause()
        assert not any(shown(view)), "no old line stays"
        view.write_lines([f"new {n}" for n in range(300)])
        await pilot.pause()
        assert view.scroll_y == view.max_scroll_y and view.virtual_size.height == 300
        assert shown(view)[-1] == "new 299" and all(t.startswith("new") for t in shown(view))
        view.clear()
        view.write_lines(["short 0", "short 1"])
        await pilot.pause()
        assert not view.show_vertical_scrollbar and view.scroll_y == 0
        assert shown(view)[:3] == ["short 0", "short 1", ""]
        view.write_lines([f"more {n}" for n in range(50)])
        await pilot.pause()
        view.clear()
        await pilot.pause(EMPTIED_SECONDS + 0.2)
        assert not view.show_vertical_scrollbar and view.virtual_size.height == 0
