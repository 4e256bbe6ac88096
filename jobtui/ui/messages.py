"""What crosses into the UI: the monitor's reports, as Textual messages."""

from __future__ import annotations

from textual.message import Message

from jobtui.hub.models import JobHardwareInfo
from jobtui.monitor.idle import IdleChanged
from jobtui.monitor.poller import Connected, Freshness, HardwareLoaded, JobsChanged, Report
from jobtui.monitor.store import StoreDiff


class NamespacesKnown(Message):
    """The namespaces to watch are known (from the flags, or the token's account)."""

    def __init__(self, user: str | None, namespaces: tuple[str, ...]) -> None:
        super().__init__()
        self.user = user
        self.namespaces = namespaces


class PollApplied(Message):
    """A piece of a poll reached the store: only these jobs changed."""

    def __init__(self, diff: StoreDiff) -> None:
        super().__init__()
        self.diff = diff


class PollFinished(Message):
    """A poll ended, well or not: the freshness says which."""

    def __init__(self, freshness: Freshness, manual: bool = False) -> None:
        super().__init__()
        self.freshness = freshness
        self.manual = manual

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PollFinished)


class PricesKnown(Message):
    def __init__(self, hardware: dict[str, JobHardwareInfo]) -> None:
        super().__init__()
        self.hardware = hardware


class IdleGpusChanged(Message):
    """Which running GPU jobs are idle changed (the idle watch's report)."""

    def __init__(self, change: IdleChanged) -> None:
        super().__init__()
        self.change = change


def from_report(report: Report) -> Message:
    if isinstance(report, JobsChanged):
        return PollApplied(report.diff)
    if isinstance(report, Connected):
        return NamespacesKnown(report.user, report.namespaces)
    if isinstance(report, HardwareLoaded):
        return PricesKnown(report.hardware)
    return PollFinished(report.freshness, report.manual)
