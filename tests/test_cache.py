"""The first screen kept between runs: rows at once on the next start, marked as cached."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from uihelpers import make_app, screen_text, wait_for

from jobtui.hub import HubClient, JobInfo
from jobtui.monitor.cache import ScreenCache
from jobtui.sim import SimulatedHub


@pytest.mark.unit
def test_only_what_the_list_shows_is_written_for_the_user_alone(tmp_path: Path) -> None:
    job = JobInfo.from_api(
        {
            "id": "a" * 24,
            "createdAt": "2026-01-01T00:00:00Z",
            "status": {"stage": "RUNNING"},
            "owner": {"id": "1", "name": "alice", "type": "user"},
            "environment": {"WANDB_KEY": "value-that-must-not-be-kept"},
            "secrets": ["HF_TOKEN"],
            "labels": {"name": "train"},
        },
        "http://hub",
    )
    cache = ScreenCache(tmp_path / "jobtui", "http://hub")
    cache.save("alice", ["alice"], [job])
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    text = cache.path.read_text()
    assert "value-that-must-not-be-kept" not in text and "HF_TOKEN" not in text
    loaded = cache.load()
    assert loaded is not None and loaded.user == "alice"
    assert [(j.id, j.display_name, j.status.stage) for j in loaded.jobs] == [
        (job.id, "train", "RUNNING")
    ]
    assert ScreenCache(tmp_path / "jobtui", "http://other").load() is None


@pytest.mark.unit
def test_an_unreadable_cache_is_ignored(tmp_path: Path) -> None:
    cache = ScreenCache(tmp_path, "http://hub")
    cache.path.write_text("{not json")
    assert cache.load() is None


async def test_the_next_start_draws_the_last_rows_at_once_marked_cached(
    hub: SimulatedHub, api: HubClient, tmp_path: Path
) -> None:
    cache = ScreenCache(tmp_path, hub.url)
    first = make_app(hub, cache=cache)
    async with first.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: first.freshness.last_ok is not None)
        await wait_for(pilot, lambda: cache.path.exists())
        shown = first.main_screen.table.job_ids()
    assert hub.token not in cache.path.read_text()
    hub.stop()  # the Hub does not answer this time
    second = make_app(hub, cache=cache)
    async with second.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: second.main_screen.table.row_count > 0, timeout=2)
        assert second.main_screen.table.job_ids()[:10] == shown[:10]
        await wait_for(pilot, lambda: "cached" in screen_text(second).splitlines()[0])
