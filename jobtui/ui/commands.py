"""The command palette (`ctrl+p`): a job by name or id, every action of the main screen (read
from its bindings and their help lines, so keys added later appear by themselves), and the
namespaces and views. Textual's own commands (themes, quit, ...) stay beside these."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from jobtui.ui.keys import key_label
from jobtui.ui.terminal_text import clean_text

if TYPE_CHECKING:
    from jobtui.ui.screens.main import MainScreen

MAX_JOB_HITS = 30
NOT_COMMANDS = {"app.command_palette", "clear_filter"}
"""Bindings that make no sense picked from the palette (it is open; escape closes it)."""


def _main(provider: Provider) -> MainScreen | None:
    screen = provider.screen
    return cast("MainScreen", screen) if hasattr(screen, "listing") else None


class JobCommands(Provider):
    """Type a job's name or id: enter selects it in the list."""

    async def search(self, query: str) -> Hits:
        screen = _main(self)
        if screen is None:
            return
        matcher = self.matcher(query)
        wanted = query.strip().lower()
        scored: list[tuple[float, str, str]] = []
        for job in screen.store:
            name = clean_text(job.display_name, max_length=80)
            score = 1.0 if job.id.lower().startswith(wanted) else matcher.match(name)
            if score > 0:
                scored.append((score, job.id, name))
        for score, job_id, name in heapq.nlargest(MAX_JOB_HITS, scored):
            found = screen.store.get(job_id)
            if found is None:
                continue
            yield Hit(
                score,
                matcher.highlight(f"Job: {name}"),
                partial(screen.select_job, job_id),
                text=f"Job: {name}",
                help=f"{clean_text(found.id)} · {clean_text(found.owner.name)} · "
                f"{clean_text(found.status.stage).lower()} · select it in the list",
            )


class ActionCommands(Provider):
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
            help_text = f"{binding.tooltip} (key: {key_label(binding)})"
            yield name, help_text, partial(screen.run_action, binding.action)

    async def discover(self) -> Hits:
        for name, help_text, command in self._commands():
            yield DiscoveryHit(name, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, command in self._commands():
            # The help line counts too, as plain words (fuzzy over a long line matches
            # anything): "labels" finds "Labels in use" and also "edit ... labels".
            words_in_help = query.strip().lower() in help_text.lower()
            score = max(matcher.match(name), 0.5 if words_in_help else 0.0)
            if score > 0:
                yield Hit(score, matcher.highlight(name), command, text=name, help=help_text)


class ViewCommands(Provider):
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
        if hasattr(screen, "action_schedules"):
            yield (
                "View: schedules",
                "the scheduled jobs of the watched namespaces",
                partial(screen.run_action, "schedules"),
            )

    async def discover(self) -> Hits:
        for name, help_text, command in self._commands():
            yield DiscoveryHit(name, command, help=help_text)

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
