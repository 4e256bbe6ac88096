"""Settings checked against what only the UI knows before the app starts: the theme names
Textual has, and the actions and keys of the [keys] table."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping

from msgspec.structs import replace
from textual.theme import BUILTIN_THEMES

from jobtui.settings import ConfigError, Settings, StateFile, resolve
from jobtui.settings.load import config_path
from jobtui.settings.show import render
from jobtui.ui.keys import actions, check_keymap
from jobtui.ui.screens.main import MainScreen


def load_settings(
    args: argparse.Namespace,
    env: Mapping[str, str] | None = None,
    state: StateFile | None = None,
) -> Settings | str:
    """The effective settings, or the message that says why they cannot be used."""
    env = os.environ if env is None else env
    state = state or StateFile()
    try:
        settings, path = resolve(args, env, themes=BUILTIN_THEMES, remembered_theme=state.theme())
    except ConfigError as exc:
        return f"jobtui: {exc}"
    conflicts, warnings = check_keymap(MainScreen, settings.keys)
    if conflicts:
        named = config_path(getattr(args, "config", None), env)[0]
        lines = []
        for action, message in conflicts:
            origin = settings.origins.get(f"keys:{action}", "")
            line = origin.rpartition("line ")[2] if "line " in origin else ""
            lines.append(f"jobtui: {named}{', line ' + line if line else ''}: {message}")
        return "\n".join(lines)
    if warnings:
        named = config_path(getattr(args, "config", None), env)[0]
        extra = tuple(f"{named}: {warning}" for warning in warnings)
        settings = replace(settings, warnings=settings.warnings + extra)
    return settings


def effective_config(args: argparse.Namespace, settings: Settings) -> str:
    """`--print-config`: the settings in effect, then every action [keys] can rebind."""
    path = config_path(getattr(args, "config", None), os.environ)[0]
    return render(settings, path, file_found=path.is_file(), actions=actions(MainScreen))
