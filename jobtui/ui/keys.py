"""Every key jobtui answers to, read from the bindings themselves: the help screen shows
these rows and a test holds the README's key table to them, so neither can drift."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.binding import Binding, BindingType
from textual.screen import Screen

from jobtui.ui.screens.cancel import CancelScreen
from jobtui.ui.screens.rerun import RerunScreen
from jobtui.ui.screens.rerun_confirm import RerunConfirmScreen
from jobtui.ui.screens.save_log import SaveLogScreen
from jobtui.ui.screens.stats import StatsScreen
from jobtui.ui.widgets.job_table import JobTable
from jobtui.ui.widgets.log_pane import LogPane
from jobtui.ui.widgets.log_view import LogView

KEY_NAMES = {
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "question_mark": "?",
    "slash": "/",
    "pageup": "PgUp",
    "pagedown": "PgDn",
}


def key_label(binding: Binding) -> str:
    """`up,k` → `↑ k`: how the keys are written in help and in the README."""
    return " ".join(KEY_NAMES.get(key, key) for key in binding.key.split(","))


def _bindings(source: Iterable[BindingType]) -> list[Binding]:
    return [b for b in source if isinstance(b, Binding) and b.tooltip]


def help_rows(main_screen: type[Screen[Any]]) -> list[tuple[str, str]]:
    """(keys, what they do) for each binding that carries a help text (its tooltip), in the
    order a newcomer meets them: the main screen, the list, the log, then the dialogs."""
    bindings = [
        *_bindings(main_screen.BINDINGS),
        *_bindings(JobTable.BINDINGS),
        *_bindings(LogView.BINDINGS),
        *_bindings(LogPane.BINDINGS),
        *_bindings(StatsScreen.BINDINGS),
        *_bindings(CancelScreen.BINDINGS),
        *_bindings(RerunConfirmScreen.BINDINGS),
        *_bindings(RerunScreen.BINDINGS),
        *_bindings(SaveLogScreen.BINDINGS),
    ]
    return [(key_label(binding), binding.tooltip) for binding in bindings]
