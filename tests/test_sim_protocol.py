"""The simulated Hub on the wire, where the official client cannot look: errors, pages, SSE
framing, keep-alives, injected faults, shutdown, and the `jobtui sim` command."""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from huggingface_hub import HfApi

from jobtui.sim import SimulatedHub
from jobtui.sim.cli import add_arguments, run


@pytest.fixture
def http(hub: SimulatedHub) -> Iterator[httpx2.Client]:
    headers = {"Authorization": f"Bearer {hub.token}"}
    with httpx2.Client(base_url=hub.url, headers=headers, timeout=10) as client:
        yield client


def create(http: httpx2.Client, ns: str, *command: str, **spec: Any) -> dict[str, Any]:
    response = http.post(
        f"/api/jobs/{ns}", json={"dockerImage": "alpine", "command": list(command), **spec}
    )
    response.raise_for_status()
    job: dict[str, Any] = response.json()
    return job


def data_events(body: bytes) -> list[dict[str, str]]:
    return [
        json.loads(block[len(b"data: ") :])
        for block in body.split(b"\n\n")
        if block.startswith(b"data: ")
    ]


def test_errors_have_the_hubs_shape(hub: SimulatedHub, http: httpx2.Client) -> None:
    anonymous = httpx2.get(f"{hub.url}/api/jobs/{hub.world.user}")
    assert anonymous.status_code == 401
    assert anonymous.json() == {"error": "Invalid credentials in Authorization header"}
    assert anonymous.headers["X-Error-Message"] == "Invalid credentials in Authorization header"
    foreign = http.get("/api/jobs/mallory")
    assert foreign.status_code == 403 and "mallory" in foreign.json()["error"]
    missing = http.get(f"/api/jobs/{hub.world.user}/abc")
    assert missing.status_code == 404 and "abc" in missing.headers["X-Error-Message"]
    assert http.get("/api/nothing-here").json()["error"]
    bad_json = http.post(f"/api/jobs/{hub.world.user}", content=b"{not json")
    assert bad_json.status_code == 400 and "JSON" in bad_json.json()["error"]


def test_pages_link_to_the_next_with_the_filters_kept(
    hub: SimulatedHub, http: httpx2.Client
) -> None:
    url: str | None = f"{hub.url}/api/jobs/{hub.world.user}?stage=completed&stage=ERROR&label=team"
    jobs: list[dict[str, Any]] = []
    while url is not None:
        response = http.get(url)
        jobs += response.json()
        url = response.links.get("next", {}).get("url")
        if url is not None:
            assert url.startswith(hub.url + "/api/jobs/")
            assert "stage=completed&stage=ERROR&label=team&cursor=" in url
    assert len(jobs) > 25 and len({job["id"] for job in jobs}) == len(jobs)
    assert {job["status"]["stage"] for job in jobs} == {"COMPLETED", "ERROR"}
    assert all("team" in job["labels"] for job in jobs)


def test_log_stream_framing_and_identical_replays(hub: SimulatedHub, http: httpx2.Client) -> None:
    job = create(http, hub.world.user, "echo", "one\ntwo\nthree")
    path = f"/api/jobs/{hub.world.user}/{job['id']}/logs"
    response = http.get(path)
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    started = job["startedAt"]
    marker = f"===== Job started at {started[:10]} {started[11:19]} ====="
    assert data_events(response.content) == [
        {"data": marker, "timestamp": started},
        *({"data": line, "timestamp": started} for line in ("one", "two", "three")),
    ]
    assert response.content.startswith(b'data: {"data": "=====')
    assert http.get(path).content == response.content, "a replay is byte for byte the same"
    tail = data_events(http.get(path, params={"tail": 1}).content)
    assert [event["data"] for event in tail] == [marker, "three"]
    assert http.get(path, params={"tail": "x"}).status_code == 400


def test_no_raw_line_separator_reaches_the_wire(hub: SimulatedHub, http: httpx2.Client) -> None:
    job = hub.world.add_scripted_job(hub.world.user, [(0.0, "a\u2028b \u00e9\x1b[0m")], run_secs=0)
    body = http.get(f"/api/jobs/{hub.world.user}/{job['id']}/logs").content
    assert body.isascii() and b"\\u2028" in body
    assert data_events(body)[-1]["data"] == "a\u2028b \u00e9\x1b[0m"


def test_a_silent_job_gets_keep_alives_and_the_stream_ends_with_it(
    hub: SimulatedHub, http: httpx2.Client
) -> None:
    job = create(http, hub.world.user, "sleep", "1.5")
    arrivals: list[tuple[float, bytes]] = []
    opened = time.monotonic()
    with http.stream("GET", f"/api/jobs/{hub.world.user}/{job['id']}/logs") as response:
        for chunk in response.iter_bytes():
            arrivals.append((time.monotonic() - opened, chunk))
    body = b"".join(chunk for _, chunk in arrivals)
    assert b": keep-alive\n\n" in body
    assert [event["data"][:20] for event in data_events(body)] == ["===== Job started at"]
    marker_at = next(at for at, chunk in arrivals if chunk.startswith(b"data: "))
    assert marker_at >= 0.2, "the marker waits for the job to leave SCHEDULING"
    assert 1.7 <= time.monotonic() - opened < 4, "closed when the job ended"


def test_a_cut_stream_ends_abruptly_after_the_events_asked(
    hub: SimulatedHub, http: httpx2.Client
) -> None:
    job = create(http, hub.world.user, "seq", "50")
    path = f"/api/jobs/{hub.world.user}/{job['id']}/logs"
    hub.faults.cut_streams(after_events=5)
    received = b""
    with pytest.raises(httpx2.RemoteProtocolError), http.stream("GET", path) as response:
        for chunk in response.iter_bytes():
            received += chunk
    assert len(data_events(received)) == 5
    assert len(data_events(http.get(path).content)) == 51, "only the next stream is cut"


def test_injected_errors_match_method_and_whole_path(
    hub: SimulatedHub, http: httpx2.Client
) -> None:
    ns = hub.world.user
    hub.faults.fail("get", f"/api/jobs/{ns}", 429, times=2, retry_after=7, message="slow down")
    assert http.get(f"/api/jobs/{ns}/{'0' * 24}").status_code == 404, "longer path: no match"
    assert http.post(f"/api/jobs/{ns}", json={}).status_code == 400, "other method: no match"
    for _ in range(2):
        limited = http.get(f"/api/jobs/{ns}")
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
        assert limited.json() == {"error": "slow down"}
    assert http.get(f"/api/jobs/{ns}").status_code == 200
    hub.faults.fail("GET", "/api/whoami-v2", 503)
    hub.faults.clear()
    assert http.get("/api/whoami-v2").status_code == 200
    assert hub.faults.requests[-4:] == [("GET", f"/api/jobs/{ns}")] * 3 + [
        ("GET", "/api/whoami-v2")
    ]


def test_metrics_stream_framing_and_finished_jobs(hub: SimulatedHub, http: httpx2.Client) -> None:
    job = create(http, hub.world.user, "sleep", "3", flavor="l4x4")
    path = f"/api/jobs/{hub.world.user}/{job['id']}/metrics"
    with http.stream("GET", path) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.iter_lines()
        first, second = next(lines), next(lines)
    assert first == "event: metric" and second.startswith("data: ")
    sample = json.loads(second[len("data: ") :])
    assert len(sample["gpus"]) == 4
    assert all(gpu["memory_total_bytes"] == 24 * 10**9 for gpu in sample["gpus"].values())
    http.post(f"/api/jobs/{hub.world.user}/{job['id']}/cancel").raise_for_status()
    finished = http.get(path)
    assert finished.status_code == 406 and "CANCELED" in finished.json()["error"]


def test_stopping_the_hub_drops_open_streams_at_once(
    hub: SimulatedHub, http: httpx2.Client
) -> None:
    job = create(http, hub.world.user, "sleep", "60")
    outcome: list[BaseException | None] = []

    def follow() -> None:
        try:
            with http.stream("GET", f"/api/jobs/{hub.world.user}/{job['id']}/logs") as response:
                for _ in response.iter_bytes():
                    pass
            outcome.append(None)
        except httpx2.HTTPError as error:
            outcome.append(error)

    reader = threading.Thread(target=follow)
    reader.start()
    time.sleep(0.5)
    started = time.monotonic()
    hub.stop()
    assert time.monotonic() - started < 1.5
    reader.join(timeout=5)
    assert outcome and isinstance(outcome[0], httpx2.RemoteProtocolError), "no clean end"


def sim_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jobtui sim")
    add_arguments(parser)
    return parser


@pytest.mark.parametrize(
    ("option", "value", "complaint"),
    [
        ("--port", "70000", "from 0 to 65535"),
        ("--port", "http", "not a whole number"),
        ("--jobs", "-1", "0 or more"),
        ("--page-size", "0", "1 or more"),
        ("--keepalive", "0", "more than 0"),
        ("--scenario", "chaos", "invalid choice"),
        ("--rate-limit", "1000", "QUOTA/SECONDS"),
        ("--rate-limit", "0/300", "1 or more"),
        ("--rate-limit", "ten/300", "QUOTA/SECONDS"),
    ],
)
def test_sim_command_refuses_bad_values(
    option: str, value: str, complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        sim_parser().parse_args([option, value])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert option in error and complaint in error


def test_sim_command_says_so_when_the_port_is_taken(
    hub: SimulatedHub, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(sim_parser().parse_args(["--port", str(hub.port), "--jobs", "0"])) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and str(hub.port) in error and "Traceback" not in error


def test_sim_command_serves_until_ctrl_c() -> None:
    program = (
        "import argparse, sys; from jobtui.sim.cli import add_arguments, run; "
        "parser = argparse.ArgumentParser(); add_arguments(parser); "
        "sys.exit(run(parser.parse_args(sys.argv[1:])))"
    )
    server = subprocess.Popen(
        # 60 jobs: some GPU job is always running to be featured (with 3, one start in ten
        # had none, as the history's hours fell, and the line is rightly left out then).
        [sys.executable, "-c", program, "--host", "0.0.0.0", "--port", "0", "--jobs", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None and server.stderr is not None
    printed = [server.stdout.readline()]
    while printed[-1] not in ("Press Ctrl-C to stop.\n", "") and len(printed) < 12:
        printed.append(server.stdout.readline())
    assert printed[-1] == "Press Ctrl-C to stop.\n"
    assert any(line.startswith("Featured jobs: idle-gpu ") for line in printed)
    paste, monitor = printed[-3].strip(), printed[-2].strip()
    assert paste.startswith("HF_ENDPOINT=http://0.0.0.0:") and paste.endswith(" hf jobs ps -a")
    assert "HF_TOKEN=hf_jobtui_sim_token" in paste
    assert monitor == paste.removesuffix(" hf jobs ps -a") + " jobtui"
    endpoint = paste.split()[0].removeprefix("HF_ENDPOINT=")
    headers = {"Authorization": "Bearer hf_jobtui_sim_token"}
    assert httpx2.get(f"{endpoint}/api/whoami-v2", headers=headers).json()["name"] == "alice"
    server.send_signal(signal.SIGINT)
    assert server.wait(timeout=10) == 0
    errors = server.stderr.read()
    assert "warning" in errors and "0.0.0.0" in errors and "Traceback" not in errors


def test_a_jobs_url_opens_a_web_page_with_its_values_escaped(
    hub: SimulatedHub, http: httpx2.Client
) -> None:
    spec = {"labels": {"name": "tiny-run"}, "flavor": "a10g-small", "timeoutSeconds": 60}
    spec["dockerImage"] = "evil<script>alert(1)</script>"
    job = create(http, hub.world.user, "python", "-c", "print('<b>&</b>')", **spec)
    url = HfApi(endpoint=hub.url, token=hub.token).inspect_job(job_id=job["id"]).url
    page = httpx2.get(url)  # as a browser opens it: no token
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "<script>" not in text and "evil&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<b>" not in text and "&lt;b&gt;&amp;&lt;/b&gt;" in text
    assert "<h1>tiny-run</h1>" in text and job["id"] in text
    assert "RUNNING" in text or "SCHEDULING" in text
    assert "a10g-small" in text and "Nvidia A10G - small" in text
    assert "script-src" not in page.headers["Content-Security-Policy"]  # nothing may run


def test_an_unknown_jobs_page_is_a_404_page(hub: SimulatedHub) -> None:
    for path in (f"/jobs/{hub.world.user}/0123456789abcdef01234567", "/jobs/mallory/abc"):
        page = httpx2.get(hub.url + path)
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert "Job not found" in page.text
    escaped = httpx2.get(f"{hub.url}/jobs/{hub.world.user}/%3Cb%3E")
    assert escaped.status_code == 404 and "<b>" not in escaped.text and "&lt;b&gt;" in escaped.text


def test_a_requeued_jobs_log_stream_says_job_started_twice(
    hub: SimulatedHub, http: httpx2.Client
) -> None:
    ns = hub.world.user
    jobs = hub.world.list_jobs(ns, stages=["COMPLETED", "ERROR", "DELETED"])[0]

    def restarts(job: dict[str, Any]) -> bool:
        log = hub.world.logs(ns, job["id"]).lines
        return any(line.startswith("===== Job started") for _, line in log)

    requeued = next(job for job in jobs if restarts(job))
    events = data_events(http.get(f"/api/jobs/{ns}/{requeued['id']}/logs").content)
    markers = [event for event in events if event["data"].startswith("===== Job started at")]
    assert len(markers) == 2 and events[0] == markers[0]
    assert markers[0]["timestamp"] == requeued["startedAt"]
    assert markers[0]["timestamp"] < markers[1]["timestamp"] < requeued["finishedAt"]
    second = events.index(markers[1])
    assert 0 < second < len(events) - 1  # lines before it and after it
