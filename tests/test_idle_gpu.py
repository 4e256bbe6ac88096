"""Idle GPUs: the badge in the list, the one notice with its cost, and what the watch spends,
against the simulated Hub."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from uihelpers import Notices, make_app, screen_text, wait_for

from jobtui.cli import build_parser, idle_settings
from jobtui.hub import HubClient
from jobtui.monitor.idle import DEMO_IDLE, IdleChanged, IdleSettings, IdleWatch
from jobtui.monitor.pacing import budget_delay
from jobtui.monitor.store import JobStore
from jobtui.monitor.sync import JobSync
from jobtui.settings import Settings, StateFile, unset_flag_defaults
from jobtui.sim import SimulatedHub
from jobtui.sim.jobs import Job
from jobtui.sim.metrics import SETUP_SECS
from jobtui.ui.setup import load_settings


def metrics_reads(hub: SimulatedHub, job_id: str = "") -> int:
    return sum(1 for _, path in hub.faults.requests if path.endswith(f"{job_id}/metrics"))


def a_busy_gpu_job(hub: SimulatedHub) -> Job:
    """A GPU job of the user's, running for a while (past setting up) and for a while yet."""
    now = hub.world.clock()
    return next(
        job
        for job in hub.world._jobs.values()
        if job.namespace == hub.world.user
        and job.state(now).stage == "RUNNING"
        and job.spec.hardware.gpu_count
        and job.plan.requeue is None
        and job.idle is None
        and now - job.plan.started_at > 2 * SETUP_SECS
        and job.plan.ends_at - now > 120
    )


def idle_in_the_sim(hub: SimulatedHub, job: Job, *, before: float, after: float) -> None:
    """The sim's `job` has had idle GPUs for `before` seconds and gets back to work `after`
    seconds from now."""
    elapsed = hub.world.clock() - job.plan.started_at
    job.idle = (elapsed - before, elapsed + after)


async def test_an_idle_gpu_job_is_badged_once_told_and_cleared_when_it_works_again(
    hub: SimulatedHub,
) -> None:
    job = a_busy_gpu_job(hub)
    job_id = job.id
    idle_in_the_sim(hub, job, before=1.0, after=6.0)
    # A 1.2-second window, read every 0.3 s: the same rule as 10 minutes, read every minute.
    app = make_app(hub, idle=IdleSettings(minutes=0.02, samples_per_minute=1000))
    app.idle_watch.sample_every = 0.3
    notices = Notices()
    async with app.run_test(size=(160, 48), message_hook=notices) as pilot:
        screen = app.main_screen
        await wait_for(pilot, lambda: job_id in screen.table.job_ids())
        assert screen.table.get_row_index(job_id) < 30, "its row is on screen"
        await wait_for(pilot, lambda: "idle GPU" in screen_text(app), timeout=10)
        assert screen.table.idle_gpu == {job_id}
        name = app.store.get(job_id).display_name  # type: ignore[union-attr]
        await wait_for(pilot, lambda: notices.said("Idle GPU", name))
        said = [notice for notice in notices if "Idle GPU" in notice]
        assert len(said) == 1
        assert "under 5%" in said[0] and "spent while idle" in said[0] and "$" in said[0]
        # Back at work: the badge goes, and no second notice came meanwhile.
        await wait_for(pilot, lambda: "idle GPU" not in screen_text(app), timeout=15)
        assert screen.table.idle_gpu == frozenset()
        assert sum("Idle GPU" in notice for notice in notices) == 1


async def test_the_badge_goes_when_the_idle_job_ends(hub: SimulatedHub, api: HubClient) -> None:
    job = a_busy_gpu_job(hub)
    idle_in_the_sim(hub, job, before=1.0, after=600.0)
    app = make_app(hub, idle=IdleSettings(minutes=0.02, samples_per_minute=1000))
    app.idle_watch.sample_every = 0.3
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: job.id in app.main_screen.table.idle_gpu, timeout=10)
        await api.cancel_job(hub.world.user, job.id)
        await wait_for(pilot, lambda: not app.main_screen.table.idle_gpu, timeout=10)
        assert "idle GPU" not in screen_text(app)


async def test_a_busy_gpu_job_gets_no_badge_and_a_cpu_job_is_never_read(
    hub: SimulatedHub, api: HubClient
) -> None:
    ns = hub.world.user
    cpu = await api.run_job(ns, {"dockerImage": "alpine", "command": ["sleep", "300"]})
    # The newest job (the one selected, whose Details stream its metrics) is another one.
    await api.run_job(ns, {"dockerImage": "alpine", "command": ["echo", "done"]})
    busy = a_busy_gpu_job(hub)
    app = make_app(hub, idle=IdleSettings(minutes=0.02, samples_per_minute=1000))
    app.idle_watch.sample_every = 0.3
    notices = Notices()
    async with app.run_test(size=(160, 48), message_hook=notices) as pilot:
        await wait_for(pilot, lambda: metrics_reads(hub, busy.id) >= 3, timeout=10)
        assert busy.id not in app.main_screen.table.idle_gpu
        assert metrics_reads(hub, cpu.id) == 0, "no GPU: nothing to watch"
        assert not notices.said(busy.labels["name"], "Idle GPU")


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def five_minutes_of_watching(
    hub: SimulatedHub, client: HubClient, keep: int | None = None, poll_interval: float = 5.0
) -> tuple[IdleWatch, list[str]]:
    """An idle watch with the default settings over five minutes of its clock (checked every
    5 s, as its loop does), on the running GPU jobs of the sim (the first `keep`), beside
    polls `poll_interval` seconds apart."""
    store = JobStore()
    async for _ in JobSync(client, store, [hub.world.user]).poll():
        pass
    hardware = {flavor.name: flavor for flavor in await client.list_hardware()}
    clock = Clock(hub.world.clock())
    changes: list[IdleChanged] = []
    watch = IdleWatch(
        client,
        store,
        lambda: hardware,
        changes.append,
        IdleSettings(),
        clock,
        poll_interval=poll_interval,
    )
    gpu_jobs = [job.id for job in watch.gpu_jobs()]
    if keep is not None:
        for job_id in {job.id for job in store} - set(gpu_jobs[:keep]):
            store.remove(job_id)
        gpu_jobs = gpu_jobs[:keep]
    start = clock.now
    while clock.now < start + 300:
        await watch.check_once()
        clock.now += 5
    return watch, gpu_jobs


async def test_three_gpu_jobs_cost_fifteen_reads_per_five_minutes(
    hub: SimulatedHub, api: HubClient
) -> None:
    before = metrics_reads(hub)
    watch, jobs = await five_minutes_of_watching(hub, api, keep=3)
    assert len(jobs) == 3
    assert metrics_reads(hub) - before == watch.sent == 15, "one read a minute each"
    assert all(metrics_reads(hub, job_id) == 5 for job_id in jobs)


async def test_twenty_gpu_jobs_cost_no_more_than_the_cap(hub: SimulatedHub, api: HubClient) -> None:
    ns = hub.world.user
    for number in range(20):
        spec = {"dockerImage": "alpine", "command": ["sleep", "900"], "flavor": "t4-small"}
        await api.run_job(ns, {**spec, "labels": {"name": f"gpu-{number}"}})
    await asyncio.sleep(0.5)  # past their 0.3 s of scheduling
    before = metrics_reads(hub)
    watch, jobs = await five_minutes_of_watching(hub, api)
    assert len(jobs) >= 20
    reads = metrics_reads(hub) - before
    cap = IdleSettings().samples_per_minute * 5
    assert reads == watch.sent == cap == 20, "capped at 4 a minute, however many jobs"
    assert max(metrics_reads(hub, job_id) for job_id in jobs) <= 2, "shared out in turn"
    # Its pace is charged to the polls' share of the budget.
    assert watch.per_window(300) <= 20


async def test_polls_an_hour_apart_leave_the_watch_four_reads_an_hour(
    hub: SimulatedHub, api: HubClient
) -> None:
    """`--interval 3600` asks the Hub for almost nothing: the watch's cap is per interval."""
    before = metrics_reads(hub)
    watch, jobs = await five_minutes_of_watching(hub, api, keep=3, poll_interval=3600)
    assert len(jobs) == 3
    reads = metrics_reads(hub) - before
    assert reads == watch.sent == IdleSettings().samples_per_minute == 4, "4 for the hour"
    assert all(metrics_reads(hub, job_id) >= 1 for job_id in jobs), "each job read"
    assert watch.per_window(3600) == 4


def settings_from(argv: list[str], folder: Path, env: dict[str, str] | None = None) -> Settings:
    """The settings `jobtui ARGV` would run with, an empty config file and no state."""
    config = folder / "config.toml"
    config.write_text("", encoding="utf-8")
    parser = build_parser()
    unset_flag_defaults(parser)
    args = parser.parse_args([*argv, "--config", str(config)])
    settings = load_settings(args, env or {}, StateFile(folder / "state.json"))
    assert isinstance(settings, Settings), settings
    return settings


@pytest.mark.unit
def test_flags_fill_the_settings_and_the_demo_uses_a_short_window(tmp_path: Path) -> None:
    assert idle_settings(settings_from([], tmp_path)) == IdleSettings(gpu_percent=5.0, minutes=10.0)
    chosen = settings_from(["--idle-gpu-percent", "2.5", "--idle-gpu-minutes", "20"], tmp_path)
    assert idle_settings(chosen) == IdleSettings(gpu_percent=2.5, minutes=20.0)
    assert idle_settings(settings_from(["--demo"], tmp_path), demo=True) == DEMO_IDLE
    three = settings_from(["--idle-gpu-minutes", "3"], tmp_path)
    assert idle_settings(three, demo=True).minutes == 3
    from_env = settings_from([], tmp_path, {"JOBTUI_IDLE_GPU_MINUTES": "4"})
    assert idle_settings(from_env, demo=True).minutes == 4, "the environment is a choice too"
    assert IdleSettings().sample_every == 60 and DEMO_IDLE.sample_every == 15


@pytest.mark.unit
@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--idle-gpu-percent", "0"),
        ("--idle-gpu-percent", "101"),
        ("--idle-gpu-minutes", "-1"),
        ("--idle-gpu-minutes", "soon"),
    ],
)
def test_bad_thresholds_get_a_clear_message(
    flag: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args([flag, value])
    assert f"argument {flag}" in capsys.readouterr().err


@pytest.mark.unit
def test_the_watchs_reads_come_out_of_the_polls_share_of_the_budget() -> None:
    class Budget:  # a free account's, nothing known of what is left
        quota, window, remaining, reset_in = 1000, 300, None, None

    alone, _ = budget_delay(1, Budget())
    shared, _ = budget_delay(1, Budget(), elsewhere=30)  # 20 GPU jobs: 30 reads per 5 min
    # Polls aim at 90% of what is theirs (HEADROOM): of 100 per 300 s, 70 once the watch
    # has its 30.
    assert alone == pytest.approx(300 / 90) and shared == pytest.approx(300 / (0.9 * 70))
    greedy, _ = budget_delay(1, Budget(), elsewhere=1000)
    assert greedy == pytest.approx(300 / 45), "polls keep half the share, whatever the rest spends"
