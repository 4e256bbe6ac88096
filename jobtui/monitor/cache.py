"""The first screen, kept on disk: the newest jobs of each namespace as the list last showed
them, so the next start draws rows at once (marked as cached) while the Hub answers.

Only what the list shows is written: no token, no environment values, no secret names.
The file is the user's alone (mode 0600) and is replaced whole, never half-written.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
import zlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from msgspec import Struct
from msgspec.structs import replace

from jobtui.hub.models import JobInfo

log = logging.getLogger(__name__)

JOBS_PER_NAMESPACE = 100
FORMAT = 1


class CachedScreen(Struct, frozen=True):
    saved_at: float
    user: str | None
    namespaces: tuple[str, ...]
    jobs: tuple[JobInfo, ...]


def _stamp(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def shown_fields(job: JobInfo) -> dict[str, Any]:
    """A job as the list and its title show it, in the Hub's own shape."""
    return {
        "id": job.id,
        "createdAt": _stamp(job.created_at),
        "startedAt": _stamp(job.started_at),
        "finishedAt": _stamp(job.finished_at),
        "dockerImage": job.docker_image,
        "spaceId": job.space_id,
        "command": list(job.command or ()),
        "arguments": list(job.arguments or ()),
        "flavor": job.flavor,
        "labels": dict(job.labels or {}),
        "status": {"stage": str(job.status.stage), "message": job.status.message},
        "owner": {"id": job.owner.id, "name": job.owner.name, "type": job.owner.type},
    }


class ScreenCache:
    """One file per Hub endpoint under `directory`."""

    def __init__(self, directory: Path, endpoint: str) -> None:
        # A checksum, not a hash: the file says its endpoint, and `load` checks it. (hashlib
        # would be ~1 ms more of every start.)
        self.path = directory / f"first-screen-{zlib.crc32(endpoint.encode()):08x}.json"
        self.endpoint = endpoint

    def load(self) -> CachedScreen | None:
        """What was saved, or None (no file, or one that does not read: it is ignored)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT or data.get("endpoint") != self.endpoint:
                return None
            jobs = tuple(
                replace(JobInfo.from_api(item, self.endpoint), partial=True)
                for item in data["jobs"]
            )
            user = data.get("user")
            return CachedScreen(
                saved_at=float(data["saved_at"]),
                user=user if isinstance(user, str) else None,
                namespaces=tuple(str(ns) for ns in data.get("namespaces", ())),
                jobs=jobs,
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("ignoring an unreadable cache %s: %s", self.path, exc)
            return None

    def user(self) -> str | None:
        """Whose first screen the file holds, read on its own (before the app starts)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            user = data.get("user") if data.get("endpoint") == self.endpoint else None
        except (OSError, ValueError, AttributeError):
            return None
        return user if isinstance(user, str) else None

    def save(self, user: str | None, namespaces: Sequence[str], jobs: Iterable[JobInfo]) -> None:
        """Keep the newest jobs of each namespace. Never raises: a cache is a nicety."""
        newest: dict[str, list[JobInfo]] = {}
        for job in sorted(jobs, key=lambda j: j.created_at.timestamp() if j.created_at else 0):
            newest.setdefault(job.owner.name, []).append(job)
        kept = [job for group in newest.values() for job in group[-JOBS_PER_NAMESPACE:]]
        data = {
            "format": FORMAT,
            "endpoint": self.endpoint,
            "saved_at": time.time(),
            "user": user,
            "namespaces": list(namespaces),
            "jobs": [shown_fields(job) for job in kept],
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".first-screen-")
            try:
                os.fchmod(handle, 0o600)
                with os.fdopen(handle, "w", encoding="utf-8") as file:
                    json.dump(data, file)
                os.replace(temporary, self.path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError as exc:
            log.warning("could not write the cache %s: %s", self.path, exc)
