"""The scheduled jobs of the watched namespaces: the list, what their cron says in words, and
the Hub's actions on them. Read only while the schedules view is open.

Cron is read by `cronsim` (next runs and the words); the Hub's `@hourly`-style aliases are
mapped to the five fields the official client documents for them first.
"""

from __future__ import annotations

import asyncio
import functools
import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from msgspec.structs import replace

from jobtui.hub.errors import HubError
from jobtui.hub.label_rule import label_text_ok
from jobtui.hub.models import JobInfo, ScheduledJobInfo

if TYPE_CHECKING:
    from cronsim import CronSim

# While the view is open: one request per namespace this often (and one after an action).
REFRESH_SECONDS = 30.0

# The aliases `huggingface_hub` accepts for a schedule, and the cron each stands for.
ALIASES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@hourly": "0 * * * *",
}
# What the Hub documents: five fields of digits, `*`, `,`, `-` and `/` (no seconds, no `L`,
# `W`, `#` or `?`, which cronsim would take but the Hub may not).
_FIELD = re.compile(r"[0-9*,/-]+")


def expand(schedule: str) -> str:
    """The five-field cron a schedule stands for (an alias expanded)."""
    text = schedule.strip()
    return ALIASES.get(text.lower(), text)


def schedule_problem(schedule: str) -> str | None:
    """Why the Hub would refuse `schedule`, in words; None when it is a valid schedule."""
    text = schedule.strip()
    if not text:
        return "A schedule is needed, e.g. @hourly or 0 3 * * 1."
    if text.startswith("@") and text.lower() not in ALIASES:
        return f"{text} is not a schedule: use one of {', '.join(ALIASES)} or five cron fields."
    fields = expand(text).split()
    if len(fields) != 5:
        return (
            f"A cron schedule has 5 fields (minute hour day month weekday), not {len(fields)}: "
            "e.g. 0 3 * * 1 is every Monday at 03:00."
        )
    for name, field in zip(("minute", "hour", "day", "month", "weekday"), fields, strict=True):
        if not _FIELD.fullmatch(field):
            return f"The {name} field {field!r} may hold only digits, *, ',', '-' and '/'."
    try:
        _cron(text, datetime(2000, 1, 1))
    except ValueError as error:
        return f"{text} is not a valid cron schedule: {error}."
    return None


def _cron(schedule: str, start: datetime) -> CronSim:
    """The times `schedule` fires from `start`; ValueError if it does not read. cronsim is
    imported here, by the first schedule read, not by every start (~1 ms)."""
    from cronsim import CronSim, CronSimError

    try:
        return CronSim(expand(schedule), start)
    except CronSimError as error:
        raise ValueError(str(error)) from None


@functools.lru_cache(maxsize=256)  # the view redraws its rows every 15 s; a cron's words stay
def in_words(schedule: str | None) -> str:
    """'0 3 * * 1' → 'At 03:00 on Monday' (UTC); the schedule itself if it cannot be read."""
    if not schedule:
        return "—"
    try:
        return _cron(schedule, datetime(2000, 1, 1)).explain()
    except (ValueError, IndexError, KeyError):
        return schedule


def next_runs(schedule: str, after: datetime, count: int = 3) -> list[datetime]:
    """The next `count` times `schedule` fires after `after` (an aware UTC datetime)."""
    try:
        times = _cron(schedule, after)
        return [next(times) for _ in range(count)]
    except (StopIteration, ValueError):
        return []


def label_problem(labels: Mapping[str, str]) -> str | None:
    """The Hub's rule for labels, checked before sending: None when it would take them."""
    for key, value in labels.items():
        if not key or not label_text_ok(key) or not label_text_ok(value):
            shown = f"{key}={value}" if value else key
            return (
                f"Invalid label {shown[:60]!r}: keys and values may only hold letters, digits, "
                "'-' and '_' (at most 100 characters)."
            )
    return None


def parse_labels(text: str) -> dict[str, str] | str:
    """'team=ml, nightly' → {'team': 'ml', 'nightly': ''}; a message when it cannot be read."""
    labels: dict[str, str] = {}
    for item in re.split(r"[,\s]+", text.strip()):
        if not item:
            continue
        key, _, value = item.partition("=")
        if key in labels:
            return f"The label {key!r} is given twice."
        labels[key] = value
    return label_problem(labels) or labels


class ScheduleSource(Protocol):
    """The Hub calls the book makes (`HubClient` has them)."""

    async def list_scheduled_jobs(self, namespace: str) -> list[ScheduledJobInfo]: ...

    async def suspend_scheduled_job(self, ns: str, sid: str) -> ScheduledJobInfo | None: ...

    async def resume_scheduled_job(self, ns: str, sid: str) -> ScheduledJobInfo | None: ...

    async def trigger_scheduled_job(self, ns: str, sid: str) -> JobInfo: ...

    async def reschedule_scheduled_job(
        self, ns: str, sid: str, schedule: str
    ) -> ScheduledJobInfo | None: ...

    async def relabel_scheduled_job(
        self, ns: str, sid: str, labels: Mapping[str, str]
    ) -> ScheduledJobInfo | None: ...

    async def delete_scheduled_job(self, ns: str, sid: str) -> None: ...


def spec_job(scheduled: ScheduledJobInfo) -> JobInfo:
    """The job a schedule starts, read the way a listed job is (labels, name, image...)."""
    return JobInfo.from_api({**scheduled.job_spec, "id": scheduled.id})


def labels_of(scheduled: ScheduledJobInfo) -> dict[str, str]:
    return dict(spec_job(scheduled).labels or {})


def name_of(scheduled: ScheduledJobInfo) -> str:
    return spec_job(scheduled).display_name


def command_of(scheduled: ScheduledJobInfo) -> str:
    job = spec_job(scheduled)
    return shlex.join([*(job.command or ()), *(job.arguments or ())])


def image_of(scheduled: ScheduledJobInfo) -> str:
    return spec_job(scheduled).image


def runs_of(scheduled_id: str, jobs: Iterable[JobInfo]) -> list[JobInfo]:
    """The jobs a schedule started (the Hub names it as their initiator), newest first."""
    runs = [
        job
        for job in jobs
        if job.initiator is not None
        and job.initiator.type == "scheduled-job"
        and job.initiator.id == scheduled_id
    ]
    return sorted(runs, key=lambda job: (job.created_at is None, job.created_at), reverse=True)


class ScheduleBook:
    """Every schedule of the watched namespaces, by id, as the Hub last said.

    Each action is one request; its answer updates the book, and only when the Hub answers
    with no schedule (the real Hub's suspend and resume) is the namespace read again.
    A refusal raises `HubError` and changes nothing here.
    """

    def __init__(self, client: ScheduleSource) -> None:
        self.client = client
        self.schedules: dict[str, ScheduledJobInfo] = {}
        self.errors: dict[str, str] = {}  # namespace: why its list could not be read
        self.loaded = False

    def sorted(self) -> list[ScheduledJobInfo]:
        return sorted(self.schedules.values(), key=lambda s: (s.owner.name, name_of(s), s.id))

    async def refresh(self, namespaces: Sequence[str]) -> None:
        """Read each namespace's schedules (one request each, at once). A namespace that
        fails keeps what was known of it, and says why in `errors`."""
        results = await asyncio.gather(
            *(self.client.list_scheduled_jobs(ns) for ns in namespaces), return_exceptions=True
        )
        for namespace, result in zip(namespaces, results, strict=True):
            if isinstance(result, HubError):
                self.errors[namespace] = str(result)
                continue
            if isinstance(result, BaseException):
                raise result
            self.errors.pop(namespace, None)
            for gone in [s.id for s in self.schedules.values() if s.owner.name == namespace]:
                del self.schedules[gone]
            self.schedules.update((s.id, s) for s in result)
        self.loaded = True

    async def _read_back(
        self, scheduled: ScheduledJobInfo, answer: ScheduledJobInfo | None
    ) -> None:
        if answer is not None:
            self.schedules[answer.id] = answer
        else:
            await self.refresh([scheduled.owner.name])

    async def set_suspended(self, scheduled: ScheduledJobInfo, suspend: bool) -> None:
        ns, call = scheduled.owner.name, self.client.suspend_scheduled_job
        if not suspend:
            call = self.client.resume_scheduled_job
        await self._read_back(scheduled, await call(ns, scheduled.id))

    async def trigger(self, scheduled: ScheduledJobInfo) -> JobInfo:
        job = await self.client.trigger_scheduled_job(scheduled.owner.name, scheduled.id)
        if scheduled.id in self.schedules:
            self.schedules[scheduled.id] = replace(self.schedules[scheduled.id], last_job_id=job.id)
        return job

    async def reschedule(self, scheduled: ScheduledJobInfo, schedule: str) -> None:
        """Send a new schedule, checked first: a ValueError says why one is not sent."""
        problem = schedule_problem(schedule)
        if problem is not None:
            raise ValueError(problem)
        answer = await self.client.reschedule_scheduled_job(
            scheduled.owner.name, scheduled.id, schedule.strip()
        )
        await self._read_back(scheduled, answer)

    async def relabel(self, scheduled: ScheduledJobInfo, labels: Mapping[str, str]) -> None:
        problem = label_problem(labels)
        if problem is not None:
            raise ValueError(problem)
        answer = await self.client.relabel_scheduled_job(scheduled.owner.name, scheduled.id, labels)
        await self._read_back(scheduled, answer)

    async def delete(self, scheduled: ScheduledJobInfo) -> None:
        await self.client.delete_scheduled_job(scheduled.owner.name, scheduled.id)
        self.schedules.pop(scheduled.id, None)
