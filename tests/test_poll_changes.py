"""What a poll reports about live jobs (issue 11, flat poll cost): a poll no longer reads again
a live job whose object shows no change, so every change a user would see must still come
through, and the durations the Hub recomputes on each request must not count as one.

A scripted Hub on real loopback HTTP answers each request with the jobs as the test has
them at that moment, and fresh durations every time, as the Hub does."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hostile_hub import HostileHub, Reply, Request

from jobtui.hub import HubClient, JobInfo, Token
from jobtui.monitor.cache import ScreenCache
from jobtui.monitor.costs import running_seconds
from jobtui.monitor.store import JobStore, StoreDiff
from jobtui.monitor.sync import JobSync

LIVE = "6a00000000000000000000a1"
DONE = "6a00000000000000000000b2"
STARTED = "2026-05-12T14:00:00.000Z"


def hub_job(job_id: str, stage: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": job_id,
        "createdAt": "2026-05-12T13:59:00.000Z",
        "startedAt": STARTED,
        "dockerImage": "python:3.12",
        "command": ["python", "train.py"],
        "arguments": [],
        "environment": {"EPOCHS": "3"},
        "secrets": ["HF_TOKEN"],
        "flavor": "a10g-small",
        "labels": {"name": "train"},
        "status": {"stage": stage, "message": None},
        "owner": {"id": "u1", "name": "me", "type": "user"},
        "initiator": {"type": "user", "id": "u1", "name": "me"},
        **extra,
    }


class ScriptedHub:
    """The jobs of namespace `me` as the test has them now; every answer recomputes each
    job's durations, so no two answers about a live job are alike."""

    def __init__(self) -> None:
        self.jobs = {
            LIVE: hub_job(LIVE, "RUNNING"),
            DONE: hub_job(DONE, "COMPLETED", finishedAt="2026-05-12T14:10:00.000Z"),
        }
        self.answers = 0

    def answer(self, job: dict[str, Any]) -> dict[str, Any]:
        self.answers += 1
        secs = 60 + self.answers
        return {**job, "durations": {"schedulingSecs": 60, "runningSecs": secs, "totalSecs": secs}}

    async def handle(self, request: Request, reply: Reply) -> None:
        parts = request.path.strip("/").split("/")  # api, jobs, me[, id]
        if request.path == "/api/whoami-v2":
            await reply.json({"name": "me", "type": "user", "orgs": []})
        elif parts[:3] == ["api", "jobs", "me"] and len(parts) == 3:
            stages = {value for key, value in request.query if key == "stage"}
            listed = [
                self.answer(job)
                for job in self.jobs.values()
                if not stages or job["status"]["stage"] in stages
            ]
            await reply.json(listed)
        elif len(parts) == 4 and parts[3] in self.jobs:
            await reply.json(self.answer(self.jobs[parts[3]]))
        else:
            await reply.json({"error": "not found"}, status=404)


class Polls:
    """Polls of namespace `me` into `store`, each one's diffs added up."""

    def __init__(self, client: HubClient, store: JobStore) -> None:
        self.store = store
        self.sync = JobSync(client, store, ["me"])

    async def __call__(self) -> StoreDiff:
        diff = StoreDiff()
        async for part in self.sync.poll():
            diff = diff + part
        return diff


@contextlib.asynccontextmanager
async def polling(store: JobStore | None = None) -> AsyncIterator[tuple[ScriptedHub, Polls]]:
    """The scripted Hub and its polls, once the first poll (the whole history) is in."""
    script = ScriptedHub()
    with HostileHub(script.handle) as server:
        async with HubClient(server.url, Token("hf_test", "HF_TOKEN")) as client:
            poll = Polls(client, store or JobStore())
            await poll()
            yield script, poll


def status(script: ScriptedHub) -> dict[str, Any]:
    return script.jobs[LIVE]["status"]


Change = tuple[Callable[[ScriptedHub], object], Callable[[JobInfo], object]]
CHANGES: dict[str, Change] = {
    "status message": (
        lambda s: status(s).update(message="Waiting for a GPU node"),
        lambda job: job.status.message == "Waiting for a GPU node",
    ),
    "labels": (
        lambda s: s.jobs[LIVE].update(labels={"name": "train-v2", "team": "nlp"}),
        lambda job: job.labels == {"name": "train-v2", "team": "nlp"},
    ),
    "a label removed": (
        lambda s: s.jobs[LIVE].update(labels={}),
        lambda job: job.name is None,
    ),
    "stage, back to scheduling": (
        lambda s: status(s).update(stage="SCHEDULING", message="Requeued: node lost"),
        lambda job: job.status.stage == "SCHEDULING" and job.status.message,
    ),
    "a stage no one documents": (
        lambda s: status(s).update(stage="UPDATING"),
        lambda job: job.status.stage == "UPDATING",
    ),
    "ports exposed": (
        lambda s: (
            s.jobs[LIVE].update(expose={"ports": [8000, 7860], "portsPublic": [7860]}),
            status(s).update(exposeUrls=["https://a--8000.hf.jobs", "https://a--7860.hf.jobs"]),
        ),
        lambda job: (
            job.expose == (8000, 7860)
            and job.expose_public == (7860,)
            and job.status.expose_urls == ("https://a--8000.hf.jobs", "https://a--7860.hf.jobs")
        ),
    ),
    "an ssh address": (
        lambda s: status(s).update(sshUrl="ssh://a@ssh.hf.jobs"),
        lambda job: job.status.ssh_url == "ssh://a@ssh.hf.jobs",
    ),
    "the start time": (
        lambda s: s.jobs[LIVE].update(startedAt="2026-05-12T14:00:30.000Z"),
        lambda job: job.started_at == datetime(2026, 5, 12, 14, 0, 30, tzinfo=UTC),
    ),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
async def test_a_live_job_that_changes_between_polls_shows_the_change(
    change: Change,
) -> None:
    make, seen = change
    async with polling() as (script, poll):
        assert not await poll(), "nothing changed but the durations"
        make(script)
        diff = await poll()
        assert [job.id for job in diff.changed] == [LIVE]
        job = poll.store.get(LIVE)
        assert job is not None and seen(job)
        assert not await poll(), "and once seen, it is no change any more"


async def test_recomputed_durations_are_no_change_and_runtimes_are_worked_out_locally() -> None:
    async with polling() as (script, poll):
        before = poll.store.get(LIVE)
        answers = script.answers
        for _ in range(3):
            assert not await poll()
        assert script.answers > answers, "the Hub was asked, and answered new durations"
        job = poll.store.get(LIVE)
        assert job is not None and job is before, "the job was not read again"
        later = datetime(2026, 5, 12, 14, 5, tzinfo=UTC)
        assert running_seconds(job, later) == 300.0


async def test_a_live_job_that_ends_shows_its_end() -> None:
    async with polling() as (script, poll):
        script.jobs[LIVE]["status"] = {"stage": "COMPLETED", "message": None}
        script.jobs[LIVE]["finishedAt"] = "2026-05-12T14:20:00.000Z"
        diff = await poll()
        assert [(c.job.id, c.before, c.after) for c in diff.stage_changes] == [
            (LIVE, "RUNNING", "COMPLETED")
        ]
        job = poll.store.get(LIVE)
        assert job is not None and not job.is_live
        assert job.finished_at == datetime(2026, 5, 12, 14, 20, tzinfo=UTC)


async def test_an_object_spelt_otherwise_but_meaning_the_same_is_no_change() -> None:
    async with polling() as (script, poll):
        status(script).update(stage=" running ")  # read as RUNNING, as before
        del status(script)["message"]  # absent reads as None, as before
        assert not await poll()


async def test_a_job_without_a_start_time_keeps_the_hubs_runtime_fresh() -> None:
    async with polling() as (script, poll):
        del script.jobs[LIVE]["startedAt"]
        await poll()
        first = poll.store.get(LIVE)
        await poll()
        job = poll.store.get(LIVE)
        assert first is not None and job is not None and first.durations and job.durations
        assert job.durations.running_secs != first.durations.running_secs


async def test_a_job_shown_from_the_cache_is_read_in_full_by_the_first_poll(
    tmp_path: Path,
) -> None:
    """The cache keeps only what the list shows: a cached job that looks the same as the
    Hub's must not stand for it, or its environment and secrets would never show."""
    full = JobInfo.from_api(hub_job(LIVE, "RUNNING"), "http://hub")
    cache = ScreenCache(tmp_path, "http://hub")
    cache.save("me", ["me"], [full])
    text = json.loads(cache.path.read_text())
    assert "EPOCHS" not in json.dumps(text), "the cache does not hold the environment"
    loaded = cache.load()
    assert loaded is not None
    store = JobStore()
    store.update(loaded.jobs)
    async with polling(store) as (_, poll):
        job = poll.store.get(LIVE)
        assert job is not None
        assert job.environment == {"EPOCHS": "3"} and job.secrets == ("HF_TOKEN",)
        assert job.initiator is not None and job.initiator.name == "me"


async def test_a_quick_poll_after_a_cached_start_reads_the_job_in_full(tmp_path: Path) -> None:
    """Same, when the first listing did not reach the job (a filter narrowed it)."""
    cache = ScreenCache(tmp_path, "http://hub")
    cache.save("me", ["me"], [JobInfo.from_api(hub_job(LIVE, "RUNNING"), "http://hub")])
    loaded = cache.load()
    assert loaded is not None and all(job.partial for job in loaded.jobs)
    script = ScriptedHub()
    with HostileHub(script.handle) as server:
        async with HubClient(server.url, Token("hf_test", "HF_TOKEN")) as client:
            store = JobStore()
            store.update(loaded.jobs)
            live = await client.list_jobs("me", stages=["RUNNING"], known=store.get)
    assert [job.environment for job in live] == [{"EPOCHS": "3"}]
    assert not any(job.partial for job in live)


async def test_a_relisted_history_hands_back_the_jobs_already_read() -> None:
    """A relisting (the newest page, the full list now and then) reads only what changed;
    a job canceled before it started has no start time, and its durations no longer move."""
    script = ScriptedHub()
    never_started = hub_job("6a00000000000000000000c3", "CANCELED")
    del never_started["startedAt"]
    script.jobs[never_started["id"]] = never_started
    with HostileHub(script.handle) as server:
        async with HubClient(server.url, Token("hf_test", "HF_TOKEN")) as client:
            store = JobStore()
            store.update(await client.list_jobs("me"))
            again = await client.list_jobs("me", known=store.get)
    assert len(again) == 3
    assert all(job is store.get(job.id) for job in again), "nothing was read again"
