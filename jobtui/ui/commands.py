"""The command palette (`ctrl+p`): a job by name or id, every action of the main screen (read
from its bindings and their help lines, so keys added later appear by themselves), and the
namespaces and views. Textual's own commands (themes, quit, ...) stay beside these."""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from jobtui.hub.models import JobInfo
from jobtui.ui.keys import key_label
from jobtui.ui.terminal_text import clean_text

if TYPE_CHECKING:
    from jobtui.ui.screens.main import MainScreen

MAX_JOB_HITS = 30
MAX_SCORED = 300
NOT_COMMANDS = {"app.command_palette", "clear_filter", "app.quit"}
"""Bindings not offered: the palette is open already, escape closes it, and Textual's own
commands have Quit."""


def _main(provider: Provider) -> MainScreen | None:
    screen = provider.screen
    return cast("MainScreen", screen) if hasattr(screen, "listing") else None


def find_jobs(
    jobs: Iterable[JobInfo], query: str, score: Callable[[str], float]
) -> list[tuple[float, JobInfo, str]]:
    """The MAX_JOB_HITS best (score, job, name shown) for `query`: an id that starts with
    it first, then names scored by `score` (Textual's fuzzy matcher). Scoring is slow at
    10,000 names (~150 ms a keystroke), so a regex of the letters in order picks the
    candidates, names holding the query whole come first, and only MAX_SCORED are scored."""
    wanted = query.strip().lower()
    in_order = re.compile(".*?".join(map(re.escape, wanted)), re.IGNORECASE)
    by_id: list[JobInfo] = []
    whole: list[JobInfo] = []
    scattered: list[JobInfo] = []
    for job in jobs:
        name = job.display_name.lower()
        if job.id.lower().startswith(wanted):
            by_id.append(job)
        elif wanted in name:
            whole.append(job)
        elif in_order.search(name):
            scattered.append(job)
    hits = [(1.0, job, _shown(job)) for job in by_id[:MAX_JOB_HITS]]
    for job in (whole + scattered)[:MAX_SCORED]:
        name = _shown(job)
        if (points := score(name)) > 0:
            hits.append((points, job, name))
    return heapq.nlargest(MAX_JOB_HITS, hits, key=lambda hit: hit[0])


def _shown(job: JobInfo) -> str:
    return clean_text(job.display_name, max_length=80)


class JobCommands(Provider):
    """Type a job's name or id: enter selects it in the list."""

    async def search(self, query: str) -> Hits:
        screen = _main(self)
        if screen is None:
            return
        matcher = self.matcher(query)
        for score, job, name in find_jobs(screen.store, query, matcher.match):
            yield Hit(
                score,
                matcher.highlight(f"Job: {name}"),
                partial(screen.select_job, job.id),
                text=f"Job: {name}",
                help=f"{clean_text(job.id)} · {clean_text(job.owner.name)} · "
                f"{clean_text(job.status.stage).lower()} · select it in the list",
            )


class _NamedCommands(Provider):
    """A provider of a short list of (name, help, command), all shown before typing."""

    def _commands(self) -> Iterator[tuple[str, str, Callable[[], Any]]]:
        raise NotImplementedError

    async def discover(self) -> Hits:
        for name, help_text, command in self._commands():
            yield DiscoveryHit(name, command, help=help_text)


class ActionCommands(_NamedCommands):
    """Every key of the main screen, by what it does."""

    def _commands(self) -> Iterator[tuple[str, str, Callable[[], Any]]]:
        screen = _main(self)
        if screen is None:
            return
        for binding in type(screen).BINDINGS:
            if not isinstance(binding, Binding) or not binding.tooltip:
                continue
            if binding.action in NOT_COMMANDS:
                continue
            name = binding.description or binding.action
            help_text = f"{binding.tooltip} (key: {key_label(binding, screen.jobs_app.keymap)})"
            yield name, help_text, partial(screen.run_action, binding.action)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, command in self._commands():
            # The help line counts too, as plain words (fuzzy over a long line matches
            # anything): "labels" finds "Labels in use" and also "edit ... labels".
            words_in_help = query.strip().lower() in help_text.lower()
            score = max(matcher.match(name), 0.5 if words_in_help else 0.0)
            if score > 0:
                yield Hit(score, matcher.highlight(name), command, text=name, help=help_text)


class ViewCommands(_NamedCommands):
    """The namespaces to show, and the views: the job list, live only, schedules."""

    def _commands(self) -> Iterator[tuple[str, str, Callable[[], Any]]]:
        screen = _main(self)
        if screen is None:
            return
        namespaces = screen.listing.namespaces
        for namespace in namespaces:
            yield (
                f"Namespace: {clean_text(namespace)}",
                "show only this namespace's jobs",
                partial(screen.show_namespace, namespace),
            )
        if len(namespaces) > 1:
            yield (
                "Namespace: all",
                "show the jobs of every watched namespace",
                partial(screen.show_namespace, None),
            )
        yield ("View: jobs", "the job list, every job", partial(screen.show_jobs_view, False))
        yield (
            "View: live jobs",
            "the job list, scheduling and running jobs only",
            partial(screen.show_jobs_view, True),
        )
        yield (
            "View: schedules",
            "the scheduled jobs of the watched namespaces",
            partial(screen.run_action, "schedules"),
        )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, command in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), command, text=name, help=help_text)


PROVIDERS: set[type[Provider] | Callable[[], type[Provider]]] = {
    JobCommands,
    ActionCommands,
    ViewCommands,
}
