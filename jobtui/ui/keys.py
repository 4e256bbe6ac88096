"""Every key jobtui answers to, read from the bindings themselves: the help screen shows
these rows and a test holds the README's key table to them, so neither can drift."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from msgspec import Struct
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import Screen

from jobtui.ui.keynames import KEY_NAMES, normal_key, shown_keys
from jobtui.ui.schedule_bindings import SCHEDULES_BINDINGS
from jobtui.ui.widgets.filter_box import FilterBox
from jobtui.ui.widgets.job_detail import JobDetail
from jobtui.ui.widgets.job_table import JobTable
from jobtui.ui.widgets.log_pane import LogPane
from jobtui.ui.widgets.log_search import SearchBox
from jobtui.ui.widgets.log_view import LogView

Keymap = Mapping[str, str]


class Views(Struct, frozen=True):
    """The views and dialogs whose keys help lists and a [keys] table may rebind. Imported
    when keys are listed or checked, not at start: a start with no [keys] table needs none
    of them, and each is loaded when first opened (a quarter of jobtui's own import time)."""

    stats: type[DOMNode]
    help: type[DOMNode]
    schedules: type[DOMNode]
    schedule_runs: type[DOMNode]
    dialogs: tuple[type[DOMNode], ...]


@cache
def views() -> Views:
    from jobtui.ui.screens.cancel import CancelScreen
    from jobtui.ui.screens.help import HelpScreen
    from jobtui.ui.screens.label_picker import LabelPickerScreen
    from jobtui.ui.screens.labels import LabelsScreen
    from jobtui.ui.screens.new_job import NewJobScreen
    from jobtui.ui.screens.ports import ConfirmPortsScreen, PortsScreen
    from jobtui.ui.screens.rerun import RerunScreen
    from jobtui.ui.screens.rerun_confirm import RerunConfirmScreen
    from jobtui.ui.screens.save_log import SaveLogScreen
    from jobtui.ui.screens.schedule_dialogs import DeleteScheduleScreen, RescheduleScreen
    from jobtui.ui.screens.schedule_runs import ScheduleRunsScreen
    from jobtui.ui.screens.schedules import SchedulesScreen
    from jobtui.ui.screens.stats import StatsScreen

    return Views(
        stats=StatsScreen,
        help=HelpScreen,
        schedules=SchedulesScreen,
        schedule_runs=ScheduleRunsScreen,
        # In the order help lists them.
        dialogs=(
            CancelScreen,
            RerunConfirmScreen,
            RerunScreen,
            LabelsScreen,
            LabelPickerScreen,
            PortsScreen,
            ConfirmPortsScreen,
            NewJobScreen,
            DeleteScheduleScreen,
            RescheduleScreen,
            SaveLogScreen,
        ),
    )


def effective_keys(binding: Binding, keymap: Keymap | None = None) -> str:
    """The binding's keys once the user's [keys] table is applied (as Textual applies it)."""
    if keymap and binding.id and binding.id in keymap:
        return keymap[binding.id]
    return binding.key


def key_label(binding: Binding, keymap: Keymap | None = None) -> str:
    """`up,k` → `↑ k`: how the keys are written in help and in the README."""
    return " ".join(shown_keys(effective_keys(binding, keymap)))


def _bindings(source: Iterable[BindingType]) -> list[Binding]:
    return [b for b in source if isinstance(b, Binding) and b.tooltip]


def _all(source: Iterable[BindingType]) -> list[Binding]:
    return [b for b in source if isinstance(b, Binding)]


Section = tuple[str, list[tuple[str, str]]]


def _is_log_key(binding: Binding) -> bool:
    return bool(binding.tooltip and binding.tooltip.startswith("log:"))


def help_sections(main_screen: type[Screen[Any]], keymap: Keymap | None = None) -> list[Section]:
    """(view, rows of (keys, what they do)) for each binding that carries a help text (its
    tooltip), grouped by where the keys answer, in the order a newcomer meets them. Keys are
    the user's: those of the [keys] table where it rebinds one."""
    main = _bindings(main_screen.BINDINGS)
    shown = views()
    groups: list[tuple[str, list[Binding]]] = [
        (
            "Main screen and job list",
            [b for b in main if not _is_log_key(b)] + _bindings(JobTable.BINDINGS),
        ),
        (
            "Log",
            [b for b in main if _is_log_key(b)]
            + _bindings(LogView.BINDINGS)
            + _bindings(LogPane.BINDINGS),
        ),
        ("Stats view (t)", _bindings(shown.stats.BINDINGS)),
        (
            "Schedules view (s)",
            _bindings(SCHEDULES_BINDINGS) + _bindings(shown.schedule_runs.BINDINGS),
        ),
        (
            "Dialogs",
            [binding for dialog in shown.dialogs for binding in _bindings(dialog.BINDINGS)],
        ),
    ]
    return [
        (title, [(key_label(binding, keymap), str(binding.tooltip)) for binding in bindings])
        for title, bindings in groups
    ]


def help_rows(
    main_screen: type[Screen[Any]], keymap: Keymap | None = None
) -> list[tuple[str, str]]:
    """Every row of `help_sections`, one list."""
    return [row for _, rows in help_sections(main_screen, keymap) for row in rows]


README_BEGIN = "<!-- keys: written by scripts/readme_keys.py from the bindings; do not edit -->\n"
README_END = "<!-- /keys -->\n"


def with_readme_keys(text: str, main_screen: type[Screen[Any]]) -> str:
    """README text with its key tables written afresh between the markers."""
    start = text.index(README_BEGIN) + len(README_BEGIN)
    end = text.index(README_END, start)
    return text[:start] + "\n" + readme_keys(main_screen) + "\n" + text[end:]


def readme_keys(main_screen: type[Screen[Any]]) -> str:
    """The README's key tables (the shipped keys), one per view, as Markdown."""
    parts = []
    for title, rows in help_sections(main_screen):
        table = "\n".join(f"| `{keys}` | {what} |" for keys, what in rows)
        parts.append(f"### {title}\n\n| key | what it does |\n|---|---|\n{table}\n")
    return "\n".join(parts)


def scopes(main_screen: type[Screen[Any]]) -> list[list[type[DOMNode]]]:
    """The bindings that answer together: the main screen with whichever pane has focus,
    and each dialog on its own. Two actions on one key within a scope is a conflict."""
    shown = views()
    return [
        [main_screen, JobTable],
        [main_screen, LogPane, LogView],
        [main_screen, JobDetail],
        [FilterBox],
        [SearchBox],
        [shown.help],
        [shown.stats],
        *([dialog] for dialog in shown.dialogs),
        [shown.schedules],
        [shown.schedule_runs],
    ]


def binding_ids(main_screen: type[Screen[Any]]) -> dict[str, Binding]:
    return {
        binding.id: binding
        for scope in scopes(main_screen)
        for node in scope
        for binding in _all(node.BINDINGS)
        if binding.id
    }


def describe(binding: Binding) -> str:
    return f"{binding.id} ({binding.tooltip or binding.description})"


def check_keymap(
    main_screen: type[Screen[Any]], keymap: Keymap
) -> tuple[list[tuple[str, str]], list[str]]:
    """(conflicts, warnings) of the user's [keys] table: a key given to two actions that
    answer together, where at least one of them was rebound by the user (jobtui's own keys
    shadow each other on purpose, e.g. `n` in the log); and action names jobtui lacks."""
    if not keymap:
        return [], []  # jobtui's own keys are held to this by the tests
    known = binding_ids(main_screen)
    warnings = [
        f"[keys] {action!r}: no such action, ignored (see the names with --print-config "
        "or in the README's Keys section)"
        for action in keymap
        if action not in known
    ]
    conflicts: list[tuple[str, str]] = []
    told: set[tuple[str, str | None]] = set()
    for scope in scopes(main_screen):
        holders: dict[str, list[Binding]] = {}
        for node in scope:
            for binding in _all(node.BINDINGS):
                for key in effective_keys(binding, keymap).split(","):
                    holders.setdefault(normal_key(key), []).append(binding)
        for key, bindings in holders.items():
            rebound = [b for b in bindings if b.id in keymap]
            others = (
                [b for b in bindings if (b.id, b.action) != (rebound[0].id, rebound[0].action)]
                if rebound
                else []
            )
            others = [b for b in others if not (b.id and b.id == rebound[0].id)]
            if rebound and others and (key, rebound[0].id) not in told:
                told.add((key, rebound[0].id))
                message = (
                    f"[keys] {KEY_NAMES.get(key, key)!r} is given to both "
                    f"{describe(rebound[0])} and {describe(others[0])}: "
                    "give one of them another key"
                )
                conflicts.append((str(rebound[0].id), message))
    return conflicts, warnings


def actions(main_screen: type[Screen[Any]]) -> list[tuple[str, str, str]]:
    """(name, keys, what it does) of every action a [keys] table can rebind."""
    return [
        (name, ",".join(normal_key(k) for k in binding.key.split(",")), describe_action(binding))
        for name, binding in binding_ids(main_screen).items()
    ]


def describe_action(binding: Binding) -> str:
    return binding.tooltip or binding.description
