"""Ways into a running job: the `ssh` command for its `sshUrl`, and which of its exposed URLs
may be opened. The Hub's strings are checked before they reach a command line or a browser."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from jobtui.hub.models import JobInfo, JobStage

# A user or host name that ssh cannot mistake for an option (no leading '-') and that
# carries nothing a shell or ssh_config token would read (no spaces, '%', quotes...).
SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")


class NoWayIn(ValueError):
    """Why `ssh` cannot be run into this job, said for the user."""


def ssh_command(ssh_url: str, program: str = "ssh") -> list[str]:
    """`ssh://user@host[:port]` as the argv `hf jobs ssh` runs: `ssh [-p PORT] user@host`."""
    try:
        url = urlsplit(ssh_url.strip())
        port = url.port
    except ValueError:
        raise NoWayIn("the Hub's SSH address is not a URL jobtui can read") from None
    user, host = url.username, url.hostname
    if url.scheme != "ssh" or not user or not host:
        raise NoWayIn("the Hub's SSH address is not of the form ssh://user@host")
    if not SAFE_NAME.fullmatch(user) or not SAFE_NAME.fullmatch(host):
        raise NoWayIn("the Hub's SSH address has characters jobtui will not pass to ssh")
    command = [program]
    if port is not None:
        command += ["-p", str(port)]
    command.append(f"{user}@{host}")
    return command


def ssh_problem(job: JobInfo) -> str | None:
    """Why ssh into `job` cannot work now, or None when it can."""
    name = job.display_name
    if not job.status.ssh_url:
        return (
            f"SSH is not enabled on {name}: only a job started with SSH can be entered "
            "(+ starts a new job; tick SSH)."
        )
    if not job.is_live:
        return f"{name} has finished ({str(job.status.stage).lower()}): there is nothing to enter."
    if job.status.stage != JobStage.RUNNING:
        return (
            f"{name} is not running yet ({str(job.status.stage).lower()}): try again once it runs."
        )
    return None


def openable_url(url: str) -> bool:
    """Only web addresses are opened or copied: an exposed URL from the Hub is http(s)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and url.isprintable()
