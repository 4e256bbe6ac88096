"""`jobtui --print-config`: the effective settings as a config file, each value with where it
came from, so it can be read as an explanation or copied as a starting point."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jobtui.settings.schema import Settings, options


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) and not value.is_integer() else str(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string is a JSON string


def render(
    settings: Settings,
    path: Path,
    *,
    file_found: bool,
    actions: Sequence[tuple[str, str, str]] = (),
) -> str:
    """`actions`: (name, default keys, what it does) of every action [keys] can rebind,
    listed after the user's own as commented lines to copy."""
    lines = [
        "# jobtui: the settings in effect (flag > environment > config file > default)",
        f"# config file: {path}" + ("" if file_found else " (none there)"),
        "# the token is never read from or shown in the config",
    ]
    width = 34
    table_lines: list[str] = []
    for opt in options():
        value = getattr(settings, opt.name)
        origin = settings.origins.get(opt.name, "default")
        if opt.name == "keys":
            for action, keyset in sorted(value.items()):
                table_lines.append(f"{json.dumps(action)} = {toml_value(keyset)}")
            continue
        shown = "(not set)" if value is None else toml_value(value)
        line = f"{'# ' if value is None else ''}{opt.name} = {shown}"
        lines.append(f"{line:<{width}} # {origin}; {opt.doc}")
    origin = settings.origins.get("keys", "default")
    lines.append("")
    lines.append(f"[keys]{'':<{width - 6}} # {origin}; action = key, see the help screen (?)")
    lines.extend(table_lines or ["# none rebound"])
    if actions:
        lines.append("# every action, with its keys as shipped:")
        lines.extend(
            f"# {json.dumps(name)} = {toml_value(keys)}  # {what}" for name, keys, what in actions
        )
    return "\n".join(lines) + "\n"
