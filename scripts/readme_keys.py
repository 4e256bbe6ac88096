"""Write the README's key tables from the bindings (the help screen's own rows), so the two
never differ; tests/test_keys.py fails when they do. Run: .venv/bin/python scripts/readme_keys.py"""

from __future__ import annotations

from pathlib import Path

from jobtui.ui.keys import with_readme_keys
from jobtui.ui.screens.main import MainScreen

README = Path(__file__).resolve().parent.parent / "README.md"


def main() -> None:
    text = README.read_text(encoding="utf-8")
    README.write_text(with_readme_keys(text, MainScreen), encoding="utf-8")


if __name__ == "__main__":
    main()
