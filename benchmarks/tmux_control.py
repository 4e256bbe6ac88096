"""One tmux client in control mode (`tmux -C`), kept open while keys are timed.

`Tmux.capture` and `Tmux.keys` start a `tmux` process each. Waiting for a key's change means
reading the pane every ~5 ms, so that was a process started every ~5 ms, on the same two
cores as jobtui, the simulated Hub and the tmux server: the measuring took CPU from what it
measured. Through a control client a capture is a line written and an answer read.

The client attaches to the harness's placeholder session ("keep", whose `sleep` prints
nothing, and `no-output` besides), and says its size is the harness's 120x36 at once. Make it
before starting what is measured: its attaching resizes the windows already there to 80x24
(tmux 3.3, whatever `ignore-size` or `window-size` say), and a session started after it
keeps the size it was given.
"""

from __future__ import annotations

import shlex
import subprocess
from typing import IO

from benchmarks.harness import HEIGHT, WIDTH, Tmux

FLAGS = "ignore-size,no-output"


class TmuxControl:
    """`capture` and `keys` as `Tmux` has them, through one kept control-mode client."""

    def __init__(self, tmux: Tmux) -> None:
        self.process = subprocess.Popen(
            ["tmux", "-L", tmux.socket, "-C", "attach-session", "-f", FLAGS, "-t", "keep"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=tmux.env,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self._in: IO[bytes] = self.process.stdin
        self._out: IO[bytes] = self.process.stdout
        self._answer("attach-session")  # the attach's own answer comes first
        self.command("refresh-client", "-C", f"{WIDTH}x{HEIGHT}")

    def __enter__(self) -> TmuxControl:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def command(self, *args: str) -> str:
        """Run one tmux command; what it printed."""
        self._in.write(" ".join(shlex.quote(arg) for arg in args).encode() + b"\n")
        self._in.flush()
        return self._answer(args[0])

    def capture(self, name: str) -> str:
        return self.command("capture-pane", "-p", "-t", name)

    def keys(self, name: str, *keys: str) -> None:
        self.command("send-keys", "-t", name, *keys)

    def _answer(self, what: str) -> str:
        """The lines between the next `%begin` and its `%end`; notifications outside those
        blocks (`%session-changed` and the like) are skipped."""
        lines: list[str] = []
        inside = False
        while raw := self._out.readline():
            line = raw.decode("utf-8", "replace").removesuffix("\n")
            if not inside:
                inside = line.startswith("%begin ")
            elif line.startswith(("%end ", "%error ")):
                if line.startswith("%error "):
                    raise RuntimeError(f"tmux {what}: {' '.join(lines)}")
                return "".join(f"{text}\n" for text in lines)
            else:
                lines.append(line)
        raise RuntimeError(f"tmux {what}: the control client ended")

    def close(self) -> None:
        if self.process.poll() is None:
            self._in.close()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
