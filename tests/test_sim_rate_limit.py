"""The simulated Hub's API budget: RateLimit headers on every API answer, a fixed-window quota
per token answered with 429, and the per-token request counter tests and benchmarks read."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.utils import parse_ratelimit_headers

from jobtui.sim import RateLimit, SimulatedHub, World

T0 = 1_778_597_800.0  # 100 s into a 300 s window


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def tight(clock: FakeClock) -> Iterator[SimulatedHub]:
    """A Hub that allows each token 5 API requests per 300 s."""
    with SimulatedHub(World(clock=clock), rate_limit=RateLimit(5, 300)) as hub:
        yield hub


def get(hub: SimulatedHub, path: str, token: str | None = None) -> httpx2.Response:
    headers = {"Authorization": f"Bearer {token or hub.token}"}
    return httpx2.get(hub.url + path, headers=headers, timeout=10)


def test_every_api_answer_reports_the_budget_as_the_hub_does(hub: SimulatedHub) -> None:
    ns = hub.world.user
    answers = [
        get(hub, "/api/whoami-v2"),
        get(hub, f"/api/jobs/{ns}"),
        get(hub, f"/api/jobs/{ns}/0123456789abcdef01234567"),  # 404
        get(hub, "/api/jobs/mallory"),  # 403
        get(hub, "/api/jobs/hardware"),
    ]
    assert [answer.status_code for answer in answers] == [200, 200, 404, 403, 200]
    for used, answer in enumerate(answers, start=1):
        assert answer.headers["RateLimit-Policy"] == '"fixed window";"api";q=100000;w=300'
        info = parse_ratelimit_headers(answer.headers)  # the official client's reader
        assert info is not None and info.limit == 100_000 and info.window_seconds == 300
        assert info.remaining == 100_000 - used and 0 < info.reset_in_seconds <= 300
    page = httpx2.get(f"{hub.url}/jobs/{ns}/{answers[1].json()[0]['id']}")
    assert page.status_code == 200 and "RateLimit" not in page.headers  # a web page, not the API


def test_a_spent_budget_is_answered_with_429_until_the_window_turns(
    tight: SimulatedHub, clock: FakeClock
) -> None:
    api = HfApi(endpoint=tight.url, token=tight.token)
    for _ in range(5):
        api.whoami()
    with pytest.raises(HfHubHTTPError) as refused:
        api.whoami()
    response = refused.value.response
    assert response is not None and response.status_code == 429
    assert response.headers["RateLimit"] == '"api";r=0;t=200'
    assert response.headers["Retry-After"] == "200"
    assert "5 API requests per 300 seconds" in response.json()["error"]
    assert "Retry in 200 seconds" in response.headers["X-Error-Message"]

    other = get(tight, "/api/whoami-v2", token="hf_someone_else")  # a budget of its own
    assert other.status_code == 401 and other.headers["RateLimit"].startswith('"api";r=4;')

    clock.now += 199
    assert get(tight, "/api/whoami-v2").status_code == 429
    assert get(tight, "/api/whoami-v2").headers["RateLimit"] == '"api";r=0;t=1'
    clock.now += 1  # a new window
    fresh = get(tight, "/api/whoami-v2")
    assert fresh.status_code == 200 and fresh.headers["RateLimit"] == '"api";r=4;t=300'
    assert tight.requests() == 5 + 1 + 2 + 1 and tight.requests("hf_someone_else") == 1


def test_the_official_cli_waits_out_the_window_the_headers_give(tmp_path: Path) -> None:
    window_ends = (time.time() // 300 + 1) * 300
    shift = window_ends - 2.5 - time.time()  # this Hub's window turns 2.5 s from now

    def clock() -> float:
        return time.time() + shift

    with SimulatedHub(World(clock=clock), rate_limit=RateLimit(5, 300)) as hub:
        for _ in range(5):
            get(hub, "/api/whoami-v2")
        env = {
            **os.environ,
            "HF_ENDPOINT": hub.url,
            "HF_TOKEN": hub.token,
            "HF_HOME": str(tmp_path),
            "HF_HUB_DISABLE_UPDATE_CHECK": "1",
            "NO_COLOR": "1",
        }
        hf = Path(sys.executable).parent / "hf"
        started = time.monotonic()
        done = subprocess.run(
            [str(hf), "jobs", "ps", "--namespace", hub.world.user],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        waited = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert "429" in done.stderr and "Traceback" not in done.stderr
    wait = re.search(r"Waiting (\d+\.\d+)s", done.stderr)
    assert wait is not None and 2.0 <= float(wait.group(1)) <= 4.0  # t (1-3 s), plus 1 s
    assert float(wait.group(1)) <= waited < 20


def test_the_request_counter_measures_a_clients_budget_use(hub: SimulatedHub) -> None:
    ns = hub.world.user
    before = get(hub, "/_sim/requests").json()
    api = HfApi(endpoint=hub.url, token=hub.token)
    jobs = list(api.list_jobs(namespace=ns))  # 120 jobs in pages of 25
    assert len(jobs) > 75
    api.inspect_job(job_id=jobs[0].id, namespace=ns)
    after = get(hub, "/_sim/requests").json()
    pages = -(-len(jobs) // 25)
    assert after["total"] - before["total"] == pages + 1  # asking the counter costs nothing
    assert after["byRoute"]["GET /api/jobs/{namespace}"] == pages
    assert after["byRoute"]["GET /api/jobs/{namespace}/{job_id}"] == 1
    assert after["refused"] == 0 and after["window"]["quota"] == 100_000
    assert after["window"]["remaining"] == 100_000 - after["total"]
    assert hub.requests() == after["total"]
    assert get(hub, "/_sim/requests", token="hf_wrong").status_code == 401


def start_sim(*options: str) -> tuple[subprocess.Popen[str], str]:
    program = (
        "import argparse, sys; from jobtui.sim.cli import add_arguments, run; "
        "parser = argparse.ArgumentParser(); add_arguments(parser); "
        "sys.exit(run(parser.parse_args(sys.argv[1:])))"
    )
    server = subprocess.Popen(
        [sys.executable, "-c", program, "--port", "0", "--jobs", "0", *options],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    url = server.stdout.readline().split()[-1]
    assert url.startswith("http://127.0.0.1:")
    return server, url


@pytest.mark.parametrize(
    ("options", "headers_sent", "refused_after"),
    [(("--rate-limit", "3/300"), True, 3), (("--no-rate-limit",), False, None)],
)
def test_jobtui_sim_enforces_the_quota_it_is_given(
    options: tuple[str, ...], headers_sent: bool, refused_after: int | None
) -> None:
    server, url = start_sim(*options)
    try:
        auth = {"Authorization": "Bearer hf_jobtui_sim_token"}
        answers = [httpx2.get(f"{url}/api/whoami-v2", headers=auth) for _ in range(5)]
        statuses = [answer.status_code for answer in answers]
        if refused_after is None:
            assert statuses == [200] * 5
        else:
            assert statuses == [200] * refused_after + [429] * (5 - refused_after)
        assert all(("RateLimit" in answer.headers) == headers_sent for answer in answers)
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=10) == 0


def test_jobtui_sim_defaults_to_a_free_accounts_quota() -> None:
    server, url = start_sim()
    try:
        auth = {"Authorization": "Bearer hf_jobtui_sim_token"}
        answer = httpx2.get(f"{url}/api/whoami-v2", headers=auth)
        assert answer.headers["RateLimit-Policy"] == '"fixed window";"api";q=1000;w=300'
        assert answer.headers["RateLimit"].startswith('"api";r=999;')
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=10) == 0


def test_an_injected_429_says_the_budget_is_spent_and_every_request_counts(
    hub: SimulatedHub,
) -> None:
    ns = hub.world.user
    before = hub.requests()
    hub.faults.fail("GET", f"/api/jobs/{ns}", 429, retry_after=7)
    hub.faults.fail("GET", "/api/whoami-v2", 503)
    limited, broken = get(hub, f"/api/jobs/{ns}"), get(hub, "/api/whoami-v2")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    info = parse_ratelimit_headers(limited.headers)
    assert info is not None and (info.remaining, info.reset_in_seconds) == (0, 7)
    assert broken.status_code == 503 and broken.headers["RateLimit"].startswith('"api";r=')
    assert hub.requests() == before + 2
