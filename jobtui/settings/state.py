"""What the app remembers between runs that is not configuration: the theme last chosen in
the command palette. Kept apart from the config file, which jobtui never rewrites."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import platformdirs


def state_path() -> Path:
    return Path(platformdirs.user_state_dir("jobtui")) / "state.json"


class StateFile:
    """A small JSON file; a missing or damaged one is as good as empty (it only holds
    conveniences), and a failed write is reported to the caller, never raised."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_path()

    def read(self) -> dict[str, object]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def theme(self) -> tuple[str, float] | None:
        """(name, when it was chosen) of the theme last chosen in the app."""
        data = self.read()
        name, when = data.get("theme"), data.get("theme_chosen_at")
        if isinstance(name, str) and isinstance(when, int | float):
            return name, float(when)
        return None

    def remember_theme(self, name: str) -> str | None:
        """Remember `name`; returns a problem to show if the file could not be written."""
        data = self.read()
        data.update(theme=name, theme_chosen_at=time.time())
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_suffix(".tmp")
            partial.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
            os.replace(partial, self.path)
        except OSError as exc:
            return f"could not remember the theme in {self.path}: {exc.strerror or exc}"
        return None
