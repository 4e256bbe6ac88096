"""A job's name and labels as the Hub takes them, checked before anything is sent; and the
labels in use across the jobs listed, with their counts."""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Iterable, Mapping

from jobtui.hub.label_rule import LABEL_CHARS, LABEL_MAX
from jobtui.hub.models import JobInfo

MAX_LENGTH = LABEL_MAX
ALLOWED = LABEL_CHARS
NAME_KEY = "name"


class LabelError(ValueError):
    """Labels the Hub would refuse; the message says which and why."""


def label_problem(key: str, value: str) -> str | None:
    """Why the Hub would refuse this label, or None. Keys and values hold letters, digits,
    '-' and '_' only (a dot is refused: `Qwen3-0.6B`), at most 100 characters; a value may
    be empty (`hf jobs labels --label KEY` sends "")."""
    if not key:
        return "a label needs a key before the '='"
    for what, text in (("key", key), ("value", value)):
        if len(text) > MAX_LENGTH:
            return f"the {what} is {len(text)} characters long; the Hub takes at most {MAX_LENGTH}"
        if not ALLOWED.fullmatch(text):
            bad = sorted({ch for ch in text if not ALLOWED.fullmatch(ch)})
            shown = " ".join(repr(ch) for ch in bad[:5])
            return (
                f"the {what} {text[:40]!r} has {shown}: the Hub takes only letters, digits, "
                "'-' and '_'"
            )
    return None


def parse_labels(text: str) -> dict[str, str]:
    """`team=speech stage=eval wip` → labels (a bare key gets an empty value); raises
    LabelError for anything the Hub would refuse, naming the label."""
    try:
        items = shlex.split(text)
    except ValueError:
        raise LabelError("A quote is not closed.") from None
    labels: dict[str, str] = {}
    for item in items:
        key, _, value = item.partition("=")
        problem = label_problem(key, value)
        if problem:
            raise LabelError(f"Label {item[:60]!r}: {problem}.")
        if key == NAME_KEY:
            raise LabelError("The name has its own field: leave 'name=' out of the labels.")
        if key in labels and labels[key] != value:
            raise LabelError(f"Label {key!r} is given twice with different values.")
        labels[key] = value
    return labels


def new_labels(name: str, labels_text: str) -> dict[str, str]:
    """The whole body of a relabel: the labels typed plus the name (the `name` label, the
    job's display name). An empty name sends no `name` label. Raises LabelError."""
    labels = parse_labels(labels_text)
    name = name.strip()
    if name:
        problem = label_problem(NAME_KEY, name)
        if problem:
            raise LabelError(f"Name: {problem.replace('the value', 'the name')}.")
        labels = {NAME_KEY: name, **labels}
    return labels


def labels_text(labels: Mapping[str, str]) -> str:
    """The labels other than the name, as the editor shows them (what parse_labels reads)."""
    return " ".join(
        key if value == "" else f"{key}={value}" for key, value in labels.items() if key != NAME_KEY
    )


def labels_in_use(jobs: Iterable[JobInfo]) -> list[tuple[str, str, int]]:
    """(key, value, how many jobs) of every label but the name, most used first."""
    counts: Counter[tuple[str, str]] = Counter()
    for job in jobs:
        for key, value in (job.labels or {}).items():
            if key != NAME_KEY:
                counts[key, value] += 1
    return [(key, value, n) for (key, value), n in sorted(counts.items(), key=_by_use)]


def _by_use(item: tuple[tuple[str, str], int]) -> tuple[int, str, str]:
    (key, value), count = item
    return (-count, key, value)
