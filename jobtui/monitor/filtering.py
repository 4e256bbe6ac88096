"""The `/` filter's language: `label:key=value`, `label:key`, `stage:error`, `flavor:a100*`,
`ns:acme-ml` and free words, all of which must match (several `stage:` or `ns:` terms: any
of them). Parsed here, without Textual, into a JobFilter that tests a job and says which part
the Hub's own list query can do (stages, key=value labels)."""

from __future__ import annotations

import fnmatch
import shlex
from collections.abc import Callable, Mapping

from msgspec import Struct

from jobtui.hub.compare import compare_without
from jobtui.hub.models import JobInfo, JobStage
from jobtui.monitor.labels import label_problem

TERMS = "label:key=value, label:key, stage:error, flavor:a100*, ns:name"
ALIASES = {
    "label": "label",
    "labels": "label",
    "stage": "stage",
    "status": "stage",
    "flavor": "flavor",
    "hw": "flavor",
    "ns": "ns",
    "namespace": "ns",
    "owner": "ns",
}
LIVE_WORDS = {"live": ("SCHEDULING", "RUNNING")}


class FilterError(ValueError):
    """A term the filter cannot read; the message says what is wrong and how to write it."""


class HubQuery(Struct, frozen=True):
    """What the Hub's list endpoint can filter on itself: repeated `stage=` (any of them)
    and repeated `label=key=value` (all of them)."""

    stages: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.stages or self.labels)

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.labels)


class JobFilter(Struct, frozen=True):
    words: tuple[str, ...] = ()
    stages: frozenset[str] = frozenset()
    labels: tuple[tuple[str, str | None], ...] = ()
    """(key, value) pairs; value None means "has the key"."""
    flavors: tuple[str, ...] = ()
    namespaces: frozenset[str] = frozenset()
    text: str = ""

    def __bool__(self) -> bool:
        return bool(self.words or self.stages or self.labels or self.flavors or self.namespaces)

    def matches(self, job: JobInfo, haystack: Callable[[JobInfo], str]) -> bool:
        if self.stages and str(job.status.stage).upper() not in self.stages:
            return False
        if self.namespaces and job.owner.name.lower() not in self.namespaces:
            return False
        if self.flavors:
            flavor = (job.flavor or "").lower()
            if not any(fnmatch.fnmatchcase(flavor, pattern) for pattern in self.flavors):
                return False
        if self.labels and not has_labels(job.labels or {}, self.labels):
            return False
        if self.words:
            text = haystack(job).lower()
            return all(word in text for word in self.words)
        return True

    def hub_query(self) -> HubQuery:
        """The part of this filter the Hub can do while listing. Stages only when every one
        is a stage the Hub documents (it may refuse others); `label:key` (any value) stays
        on this side: the official client only ever sends key=value."""
        known = {str(stage) for stage in JobStage}
        stages = tuple(sorted(self.stages)) if self.stages <= known else ()
        labels = tuple((key, value) for key, value in self.labels if value is not None)
        return HubQuery(stages=stages, labels=labels)


compare_without(JobFilter, "text")  # two ways of typing the same filter are one filter


def has_labels(labels: Mapping[str, str], wanted: tuple[tuple[str, str | None], ...]) -> bool:
    return all(
        key in labels if value is None else labels.get(key) == value for key, value in wanted
    )


def parse_filter(text: str) -> JobFilter:
    """Read what the user typed; raises FilterError with a message fit to show."""
    try:
        tokens = shlex.split(text)
    except ValueError:
        raise FilterError('A quote is not closed: write "two words" with both quotes.') from None
    words: list[str] = []
    stages: set[str] = set()
    labels: list[tuple[str, str | None]] = []
    flavors: list[str] = []
    namespaces: set[str] = set()
    for token in tokens:
        prefix, colon, value = token.partition(":")
        kind = ALIASES.get(prefix.lower()) if colon else None
        if kind is None:
            words.append(token.lower())  # e.g. python:3.12 is an image, not a term
            continue
        if not value:
            raise FilterError(f"{prefix}: needs a value, e.g. {example(kind)}.")
        if kind == "stage":
            stages.update(LIVE_WORDS.get(value.lower(), (value.upper(),)))
        elif kind == "ns":
            namespaces.add(value.lower())
        elif kind == "flavor":
            flavors.append(value.lower())
        else:
            key, has_value, label_value = value.partition("=")
            problem = label_problem(key, label_value if has_value else "")
            if problem:
                raise FilterError(f"{token}: {problem}")
            labels.append((key, label_value if has_value else None))
    return JobFilter(
        words=tuple(words),
        stages=frozenset(stages),
        labels=tuple(labels),
        flavors=tuple(flavors),
        namespaces=frozenset(namespaces),
        text=text,
    )


def example(kind: str) -> str:
    return {
        "stage": "stage:error (or stage:live)",
        "ns": "ns:acme-ml",
        "flavor": "flavor:a100* (* and ? match anything)",
        "label": "label:team=speech or label:team",
    }[kind]
