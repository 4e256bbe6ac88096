"""What the job list shows: which namespace, live only or all, the filter, marks and
jobs being canceled; and the list's title. Pure state, testable without an app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from jobtui.hub.models import JobInfo
from jobtui.monitor.filtering import FilterError, JobFilter, parse_filter
from jobtui.monitor.store import StoreDiff


def raw_haystack(job: JobInfo) -> str:
    return " ".join((job.id, job.display_name, job.image, job.flavor or "", job.status.stage))


@dataclass
class Listing:
    namespaces: tuple[str, ...] = ()
    user: str | None = None
    """The token's user, when the namespaces came from its account."""
    shown_namespace: str | None = None
    """The one namespace shown; None shows every watched namespace, with an owner column."""
    live_only: bool = False
    filter_text: str = ""
    haystack: Callable[[JobInfo], str] = raw_haystack
    """The text a filter searches in a job: the UI gives the cleaned text it shows."""
    marked: set[str] = field(default_factory=set)
    canceling: set[str] = field(default_factory=set)
    _parsed: tuple[str, JobFilter, str | None] = field(
        default=("", JobFilter(), None), init=False, repr=False
    )

    # ---- which jobs ---------------------------------------------------------------------

    def visible(self, job: JobInfo) -> bool:
        if self.live_only and not job.is_live:
            return False
        if self.shown_namespace is not None and job.owner.name != self.shown_namespace:
            return False
        job_filter = self.job_filter()
        return not job_filter or job_filter.matches(job, self.haystack)

    def job_filter(self) -> JobFilter:
        """The filter typed, parsed once per text. While the text does not parse (half
        typed, or wrong), the last filter that did stays in force; `filter_error` says why."""
        text, parsed, _ = self._parsed
        if text != self.filter_text:
            try:
                parsed, error = parse_filter(self.filter_text), None
            except FilterError as exc:
                error = str(exc)
            self._parsed = (self.filter_text, parsed, error)
        return self._parsed[1]

    @property
    def filter_error(self) -> str | None:
        self.job_filter()
        return self._parsed[2]

    def watched(self) -> list[str]:
        """The namespaces whose jobs the list may show now."""
        return [self.shown_namespace] if self.shown_namespace else list(self.namespaces)

    @property
    def show_owner(self) -> bool:
        return self.shown_namespace is None and len(self.namespaces) > 1

    def next_namespace(self) -> str | None:
        """Each watched namespace in turn, then all of them (None)."""
        choices: list[str | None] = [*self.namespaces, None]
        current = self.shown_namespace if self.shown_namespace in choices else None
        self.shown_namespace = choices[(choices.index(current) + 1) % len(choices)]
        return self.shown_namespace

    # ---- marks and cancels ----------------------------------------------------------------

    def toggle_mark(self, job_id: str) -> None:
        self.marked.symmetric_difference_update({job_id})

    def settle(self, diff: StoreDiff) -> set[str]:
        """Jobs that ended are no longer being canceled; returns the ids that changed."""
        done = {job.id for job in diff.changed if job.id in self.canceling and not job.is_live}
        done |= self.canceling & set(diff.removed)
        self.canceling -= done
        return done

    # ---- the list's title ---------------------------------------------------------------

    def title(self, clean: Callable[[str], str] = str) -> str:
        parts = ["Jobs"]
        if self.shown_namespace and len(self.namespaces) > 1:
            parts.append(f"{clean(self.shown_namespace)} (n: next namespace)")
        if self.live_only:
            parts.append("live only")
        if self.filter_text:
            parts.append(f"filter “{clean(self.filter_text)[:30]}”")
            if self.filter_error:
                parts.append(f"⚠ {clean(self.filter_error)[:60]}")
        return " · ".join(parts)


def count_line(shown: int, total: int) -> str:
    return f"{shown:,} of {total:,} jobs" if shown != total else f"{total:,} jobs"
