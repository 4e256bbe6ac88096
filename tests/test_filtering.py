"""The filter language and the label rules (monitor layer, no app), and the Hub-side part
of a filter used by the listing, counted at the simulated Hub."""

from __future__ import annotations

from typing import Any

import pytest

from jobtui.hub import HubClient, JobInfo
from jobtui.monitor.filtering import FilterError, HubQuery, parse_filter
from jobtui.monitor.labels import LabelError, labels_in_use, labels_text, new_labels
from jobtui.monitor.listing import Listing
from jobtui.monitor.store import JobStore
from jobtui.monitor.sync import JobSync
from jobtui.sim import SimulatedHub


def job(
    job_id: str,
    stage: str = "RUNNING",
    *,
    owner: str = "alice",
    flavor: str = "cpu-basic",
    labels: dict[str, str] | None = None,
    image: str = "python:3.12",
) -> JobInfo:
    data: dict[str, Any] = {
        "id": job_id,
        "createdAt": "2026-01-01T00:00:00Z",
        "status": {"stage": stage},
        "owner": {"id": "1", "name": owner, "type": "user"},
        "flavor": flavor,
        "dockerImage": image,
        "command": ["python", "train.py"],
        "labels": labels or {},
    }
    return JobInfo.from_api(data)


JOBS = [
    job("a1", labels={"name": "train-llama", "team": "post-training"}, flavor="a100-large"),
    job("b2", "ERROR", labels={"name": "eval", "team": "evals", "wip": ""}, flavor="a100x8"),
    job("c3", "COMPLETED", owner="acme-ml", labels={"name": "asr", "team": "speech"}),
    job("d4", "ERROR", owner="acme-ml", flavor="h200", image="hf.co/spaces/acme/tool"),
]


def shown(text: str) -> list[str]:
    listing = Listing(namespaces=("alice", "acme-ml"), filter_text=text)
    return [j.id for j in JOBS if listing.visible(j)]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("label:team=speech", ["c3"]),
        ("label:wip", ["b2"]),
        ("label:team", ["a1", "b2", "c3"]),
        ("stage:error", ["b2", "d4"]),
        ("status:ERROR", ["b2", "d4"]),
        ("stage:error stage:completed", ["b2", "c3", "d4"]),  # several stages: any of them
        ("stage:live", ["a1"]),
        ("flavor:a100*", ["a1", "b2"]),
        ("flavor:A100-LARGE", ["a1"]),
        ("ns:acme-ml", ["c3", "d4"]),
        ("ns:acme-ml stage:error", ["d4"]),
        ("label:team=evals stage:error flavor:a100*", ["b2"]),
        ("flavor:a100* llama", ["a1"]),
        ("python:3.12 asr", ["c3"]),  # a colon in a free word is not a term
        ('"spaces/acme"', ["d4"]),
        ("", ["a1", "b2", "c3", "d4"]),
    ],
)
def test_each_term_and_their_combinations(text: str, expected: list[str]) -> None:
    assert shown(text) == expected


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("stage:", "stage: needs a value"),
        ("label:=x", "needs a key"),
        ("label:model=Qwen3-0.6B", "'.'"),
        ('"open quote', "quote is not closed"),
    ],
)
def test_a_bad_term_says_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(FilterError, match=says):
        parse_filter(text)


@pytest.mark.unit
def test_a_bad_filter_keeps_the_last_good_one_and_the_title_says_why() -> None:
    listing = Listing(namespaces=("alice",), filter_text="stage:error")
    assert [j.id for j in JOBS if listing.visible(j)] == ["b2", "d4"]
    listing.filter_text = "stage:error label:"
    assert [j.id for j in JOBS if listing.visible(j)] == ["b2", "d4"]
    assert listing.filter_error is not None and "label: needs a value" in listing.title()


@pytest.mark.unit
def test_the_hub_does_stages_and_key_value_labels_only() -> None:
    query = parse_filter("label:team=speech label:wip stage:error flavor:a1* ns:x word").hub_query()
    assert query == HubQuery(stages=("ERROR",), labels=(("team", "speech"),))
    assert not parse_filter("stage:updating").hub_query()  # not a documented stage: here
    assert not parse_filter("llama flavor:h200").hub_query()


@pytest.mark.unit
def test_labels_typed_become_the_body_with_the_name() -> None:
    assert new_labels(" run-2 ", "team=speech wip") == {
        "name": "run-2",
        "team": "speech",
        "wip": "",
    }
    assert new_labels("", "") == {}
    assert labels_text({"name": "x", "team": "speech", "wip": ""}) == "team=speech wip"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("name", "labels", "says"),
    [
        ("my run", "", "' '"),
        ("ok", "model=Qwen3-0.6B", "'.'"),
        ("ok", "k=" + "v" * 101, "at most 100"),
        ("ok", "name=other", "own field"),
        ("ok", "=v", "needs a key"),
        ("ok", "a=1 a=2", "twice"),
    ],
)
def test_labels_the_hub_would_refuse_are_refused_here(name: str, labels: str, says: str) -> None:
    with pytest.raises(LabelError, match=says):
        new_labels(name, labels)


@pytest.mark.unit
def test_labels_in_use_are_counted_most_used_first() -> None:
    jobs = [*JOBS, job("e5", labels={"team": "speech"})]
    assert labels_in_use(jobs) == [
        ("team", "speech", 2),
        ("team", "evals", 1),
        ("team", "post-training", 1),
        ("wip", "", 1),
    ]


def list_requests(hub: SimulatedHub, ns: str) -> int:
    return sum(
        1 for method, path in hub.faults.requests if (method, path) == ("GET", f"/api/jobs/{ns}")
    )


async def test_a_filter_the_hub_can_do_is_listed_by_the_hub_not_read_from_the_history(
    hub: SimulatedHub, api: HubClient
) -> None:
    ns = (await api.whoami()).name
    everything = await api.list_jobs(ns)
    wanted = [j for j in everything if j.status.stage == "ERROR"]
    pages = -(-len(everything) // 25)
    assert pages >= 4 and 0 < len(wanted) <= 25  # one page of 25 against four or more
    before = list_requests(hub, ns)
    store = JobStore()
    sync = JobSync(api, store, [ns])
    sync.narrow(parse_filter("stage:error").hub_query())
    async for _ in sync.poll():
        pass
    assert list_requests(hub, ns) - before == 1
    assert {j.id for j in store} == {j.id for j in wanted}
    # The next poll is the usual quick one (live jobs), not another listing.
    before = list_requests(hub, ns)
    async for _ in sync.poll():
        pass
    assert list_requests(hub, ns) - before == 1
    # Filter gone: the whole history is listed, once.
    sync.narrow(HubQuery())
    before = list_requests(hub, ns)
    async for _ in sync.poll():
        pass
    assert list_requests(hub, ns) - before == pages
    assert {j.id for j in store} == {j.id for j in everything}


async def test_a_filter_set_while_the_history_is_read_stops_that_reading(
    hub: SimulatedHub, api: HubClient
) -> None:
    ns = (await api.whoami()).name
    store = JobStore()
    sync = JobSync(api, store, [ns])
    pages_read = 0

    class FilterTypedAfterOnePage:
        """The Hub client, with a user who types a filter once the first page is in."""

        async def iter_job_pages(self, namespace: str, **query: Any) -> Any:
            nonlocal pages_read
            async for page in api.iter_job_pages(namespace, **query):
                pages_read += 1
                if not query.get("stages") and not query.get("labels"):  # typed meanwhile
                    sync.narrow(parse_filter("stage:error").hub_query())
                yield page

        def __getattr__(self, name: str) -> Any:
            return getattr(api, name)

    sync.source = FilterTypedAfterOnePage()
    before = list_requests(hub, ns)
    async for _ in sync.poll():
        pass
    # One page of the history, then one page of the Hub's answer to the filter.
    assert list_requests(hub, ns) - before == 2 == pages_read
    errors = await api.list_jobs(ns, stages=["ERROR"])
    assert {j.id for j in errors} <= {j.id for j in store}
