"""What the end-to-end benchmarks share: a simulated Hub in a subprocess of its own, a private
tmux server to run jobtui (or the official `hf` CLI) in a real terminal, and /proc readings.

Not a benchmark itself: `bench_start.py`, `bench_idle.py`, `bench_budget.py` and
`bench_keys.py` import it. Everything talks to 127.0.0.1 only: the children get a clean
environment (a temporary HOME, HF_HOME and cache dir, no proxy, the `hf` update check and
telemetry off), and the endpoint is the simulated Hub's loopback URL.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BIN = REPO / ".venv" / "bin"
JOBTUI = str(BIN / "jobtui")
HF = str(BIN / "hf")
PYTHON = sys.executable
TOKEN = "hf_bench_sim_token"
WIDTH, HEIGHT = 120, 36
FLOOR_SCRIPT = str(Path(__file__).with_name("textual_floor.py"))  # a bare Textual app
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# Another source tree of jobtui to run (an exported older commit, for before/after figures):
# set by use_code(); children get it first on PYTHONPATH.
CODE_DIR: Path | None = None


def add_code_option(parser: argparse.ArgumentParser) -> None:
    """`--code DIR`: every benchmark can measure another source tree (see `use_code`)."""
    parser.add_argument(
        "--code",
        metavar="DIR",
        help="run jobtui from this source tree (a directory holding a jobtui package, e.g. an "
        "older commit exported with git archive) for before/after; the simulated Hub stays",
    )


def use_code(path: str | None) -> None:
    """Run jobtui from `path` (a directory holding a `jobtui` package) instead of this
    checkout. The simulated Hub stays this checkout's, so before and after face the same Hub."""
    global CODE_DIR
    if path is None:
        return
    CODE_DIR = Path(path).resolve()
    if not (CODE_DIR / "jobtui" / "__init__.py").is_file():
        raise SystemExit(f"benchmark: no jobtui package in {CODE_DIR}")
    sys.path.insert(0, str(CODE_DIR))


# No proxy, even for loopback: urllib would otherwise honour http_proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def clean_env(home: Path, *, code: bool = True, **extra: str) -> dict[str, str]:
    """The environment every child gets: nothing of the caller's Hub settings or proxies.
    `code`: with --code, the child runs jobtui from that tree (the simulated Hub does not)."""
    env = {key: os.environ[key] for key in ("PATH", "USER", "LOGNAME") if key in os.environ}
    for sub in ("home", "hf", "cache", "config"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(home / "home"),
        HF_HOME=str(home / "hf"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_CONFIG_HOME=str(home / "config"),
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HUB_DISABLE_UPDATE_CHECK="1",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    if code and CODE_DIR is not None:
        env["PYTHONPATH"] = str(CODE_DIR)
    env.update(extra)
    return env


@contextlib.contextmanager
def scratch_dir(prefix: str) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


class Sim:
    """A simulated Hub in a subprocess on a free loopback port (`--port 0`).

    `command` replaces `jobtui sim ...` with another program that prints
    "Simulated Hub at <url>" as its first line (bench_keys serves a world of its own).
    """

    def __init__(
        self,
        workdir: Path,
        *,
        jobs: int = 10,
        seed: int = 1,
        rate_limit: str | None = None,
        command: Sequence[str] | None = None,
        startup_timeout: float = 180.0,
    ) -> None:
        if command is None:
            command = [PYTHON, "-m", "jobtui", "sim", "--port", "0", "--seed", str(seed)]
            command += ["--jobs", str(jobs), "--token", TOKEN]
            command += ["--no-rate-limit"] if rate_limit is None else ["--rate-limit", rate_limit]
        self.command = list(command)
        self.workdir = workdir
        self.startup_timeout = startup_timeout
        self.url = ""
        self.token = TOKEN
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Sim:
        out = self.workdir / f"sim-{secrets.token_hex(3)}.out"
        with open(out, "wb") as sink:
            self.process = subprocess.Popen(
                self.command,
                cwd=self.workdir,
                stdout=sink,
                stderr=subprocess.STDOUT,
                env=clean_env(self.workdir / "sim-env", code=False, PYTHONUNBUFFERED="1"),
            )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            first = out.read_text(errors="replace").split("\n", 1)
            if len(first) == 2 and first[0].startswith("Simulated Hub at "):
                self.url = first[0].rsplit(" ", 1)[-1]
                break
            if self.process.poll() is not None:
                self.stop()
                raise SystemExit(f"benchmark: the simulated Hub exited: {out.read_text()!r}")
            time.sleep(0.05)
        else:
            self.stop()
            raise SystemExit("benchmark: the simulated Hub did not start in time")
        if not self.url.startswith("http://127.0.0.1:"):
            self.stop()
            raise SystemExit(f"benchmark: not a loopback URL: {self.url!r}")
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        for sig, wait in ((signal.SIGINT, 10), (signal.SIGTERM, 5), (signal.SIGKILL, 15)):
            process.send_signal(sig)
            try:
                process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def call(
        self, method: str, path: str, body: Any = None, query: Sequence[tuple[str, str]] = ()
    ) -> Any:
        """One request with the token; the decoded JSON answer. (API requests count against
        the token's budget: benchmarks that measure the budget read the count around them.)"""
        url = self.url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with _OPENER.open(request, timeout=60) as answer:
            return json.loads(answer.read() or b"null")

    def env(self, cache: Path | None = None) -> dict[str, str]:
        """The environment that points jobtui (or `hf`) at this Hub; `cache`: jobtui's cache
        folder of its own (XDG_CACHE_HOME), so runs do not share a first screen."""
        env = {"HF_ENDPOINT": self.url, "HF_TOKEN": self.token}
        if cache is not None:
            env["XDG_CACHE_HOME"] = str(cache)
        return env

    def user(self) -> str:
        return str(self.call("GET", "/api/whoami-v2")["name"])

    def namespaces(self) -> list[str]:
        me = self.call("GET", "/api/whoami-v2")
        return [me["name"], *(org["name"] for org in me.get("orgs", []))]

    def requests(self) -> dict[str, Any]:
        """The simulator's count of this token's API requests (not itself an API request)."""
        answer = self.call("GET", "/_sim/requests")
        assert isinstance(answer, dict)
        return answer

    def count_jobs(self, namespace: str, stages: Sequence[str] = ()) -> int:
        """Every job of `namespace` (in `stages`), page by page: costs API requests."""
        total, query = 0, [("stage", stage) for stage in stages]
        cursor: str | None = None
        while True:
            page_query = [*query, ("cursor", cursor)] if cursor else query
            url = self.url + f"/api/jobs/{namespace}"
            if page_query:
                url += "?" + urllib.parse.urlencode(page_query)
            request = urllib.request.Request(url)
            request.add_header("Authorization", f"Bearer {self.token}")
            with _OPENER.open(request, timeout=60) as answer:
                total += len(json.loads(answer.read()))
                link = answer.headers.get("Link") or ""
            if 'rel="next"' not in link:
                return total
            next_url = link.split(";", 1)[0].strip("<> ")
            cursor = urllib.parse.parse_qs(urllib.parse.urlsplit(next_url).query)["cursor"][0]

    def create_job(self, namespace: str, name: str, command: Sequence[str]) -> dict[str, Any]:
        body = {
            "dockerImage": "python:3.12",
            "command": list(command),
            "flavor": "cpu-basic",
            "labels": {"name": name},
        }
        answer = self.call("POST", f"/api/jobs/{namespace}", body)
        assert isinstance(answer, dict)
        return answer


class Tmux:
    """A tmux server of our own (`tmux -L <unique socket>`): sessions are WIDTH x HEIGHT, panes
    stay after their program exits (so a CLI's output can still be read), and `close()` kills
    the whole server and nothing else."""

    def __init__(self, workdir: Path, tag: str) -> None:
        self.socket = f"bench-{tag}-{os.getpid()}-{secrets.token_hex(3)}"
        self.env = clean_env(workdir / "tmux-env")
        self.pids: dict[str, int] = {}
        # A placeholder session keeps the server up between measured sessions.
        self.run("-f", "/dev/null", "new-session", "-d", "-s", "keep", "sleep", "1000000")
        self.run("set-option", "-g", "remain-on-exit", "on")
        self.run("set-option", "-g", "history-limit", "200000")
        self.run("set-option", "-g", "default-terminal", "tmux-256color")
        self.run("set-option", "-g", "status", "off")
        self.socket_path = self.run("display-message", "-p", "#{socket_path}").strip()

    def __enter__(self) -> Tmux:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            env=self.env,
            check=False,
            timeout=30,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def start(
        self,
        name: str,
        argv: Sequence[str],
        env: dict[str, str],
        width: int = WIDTH,
        height: int = HEIGHT,
    ) -> int:
        """Start `argv` (executed directly, no shell) in a new session; its pid."""
        args = ["new-session", "-d", "-s", name, "-x", str(width), "-y", str(height)]
        for key, value in env.items():
            args += ["-e", f"{key}={value}"]
        self.run(*args, *argv)
        pid = int(self.run("display-message", "-p", "-t", name, "#{pane_pid}").strip())
        self.pids[name] = pid
        return pid

    def capture(self, name: str, history: bool = False) -> str:
        args = ["capture-pane", "-p", "-t", name]
        return self.run(*(args + ["-S", "-"] if history else args), check=False)

    def dead(self, name: str) -> bool:
        return self.run("display-message", "-p", "-t", name, "#{pane_dead}", check=False) != "0\n"

    def keys(self, name: str, *keys: str) -> None:
        self.run("send-keys", "-t", name, *keys)

    def pipe_output(self, name: str, command: str) -> None:
        """Pipe everything the pane's program writes to `command` (a shell command)."""
        self.run("pipe-pane", "-O", "-t", name, command)

    def kill(self, name: str) -> None:
        self.run("kill-session", "-t", name, check=False)
        pid = self.pids.pop(name, None)
        if pid is not None:
            wait_gone(pid)

    def close(self) -> None:
        for name in list(self.pids):
            self.kill(name)
        self.run("kill-server", check=False)
        if self.socket_path:
            Path(self.socket_path).unlink(missing_ok=True)


def wait_gone(pid: int, timeout: float = 10.0) -> None:
    """Wait for a process to go away (SIGKILL it after `timeout`)."""
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}").exists():
        with contextlib.suppress(OSError):
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            if state == "Z":
                return  # a zombie of tmux's: it is gone, tmux reaps it
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            deadline += timeout
        time.sleep(0.02)


def cpu_seconds(pid: int, *, main_thread: bool = False) -> float:
    """User + system CPU seconds of a process (all its threads, or its main one) so far."""
    stat = Path(f"/proc/{pid}/task/{pid}/stat" if main_thread else f"/proc/{pid}/stat")
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wait_for_text(
    tmux: Tmux,
    session: str,
    needles: Sequence[str],
    started: float,
    *,
    timeout: float,
    history: bool = False,
    poll: float = 0.01,
) -> dict[str, float]:
    """Poll the pane every `poll` s until every needle has appeared; when each first appeared,
    in seconds after `started` (perf_counter). Needles never seen are missing."""
    seen: dict[str, float] = {}
    deadline = started + timeout
    while len(seen) < len(needles) and time.perf_counter() < deadline:
        text = tmux.capture(session, history)
        now = time.perf_counter() - started
        for needle in needles:
            if needle not in seen and needle in text:
                seen[needle] = now
        if len(seen) < len(needles):
            time.sleep(poll)
    return seen


BORDER_COUNT = re.compile(r"([\d,]+) jobs ─")


def wait_listing(
    tmux: Tmux, session: str, timeout: float = 300.0, expected: int | None = None
) -> float:
    """Seconds until jobtui shows its first listing: the header does not say "loading…" and
    the job count in the list's border has reached `expected` or, when no count is expected,
    has stayed the same for a second (then the time it first showed that count)."""
    started = time.perf_counter()
    screen, last, since = "", -1, 0.0
    while time.perf_counter() - started < timeout:
        screen = tmux.capture(session)
        now = time.perf_counter() - started
        found = BORDER_COUNT.search(screen)
        count = int(found.group(1).replace(",", "")) if found else -1
        if count != last:
            last, since = count, now
        if count >= 0 and "loading…" not in screen:
            if expected is not None and count >= expected:
                return now
            if expected is None and now - since >= 1.0:
                return since
        if tmux.dead(session):
            raise SystemExit(f"benchmark: jobtui exited:\n{tmux.capture(session, True)}")
        time.sleep(0.05)
    raise SystemExit(f"benchmark: no listing after {timeout:.0f} s:\n{screen}")


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1)."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(round(share * len(ordered) + 0.5)) - 1))
    return ordered[index]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A small Markdown table (it reads fine in a terminal, and pastes into a note)."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), rule, *(line(r) for r in cells)])


def serve_world(world: Any, note: str = "") -> None:
    """Serve a simulated Hub over `world` until interrupted, saying where on the first line
    ("Simulated Hub at <url>", then `note`): the --serve half of a benchmark whose own world
    runs in a process of its own, so the GIL is not shared with the app measured."""
    from jobtui.sim import SimulatedHub

    hub = SimulatedHub(world, token=TOKEN, rate_limit=None, port=0).start()
    print(f"Simulated Hub at {hub.url}{' ' + note if note else ''}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        hub.stop()
