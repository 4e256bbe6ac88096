"""The `jobtui` command. Two things happen before anything is imported:

- Python's cyclic garbage collector is turned off until the first frame is on screen
  (`JobsApp.freeze_long_lived` turns it on). A start creates ~85,000 objects that live as
  long as the app (modules, classes, widgets, styles); the collector ran ~100 times over them
  before the first frame, ~15 ms of a start that is measured against `hf jobs ps` (see
  benchmarks/bench_start.py). Nothing is lost: a garbage cycle made meanwhile is freed at the
  first collection after.
- Textual draws at most 120 frames a second instead of 60 (`TEXTUAL_FPS`, which Textual reads
  once, at import; a value the user set is kept). A change waits for the next frame of a
  fixed grid: up to 17 ms at 60, up to 8 ms at 120. A key's frame came ~6 ms sooner (median,
  in-app, while a log poured in: benchmarks/bench_keys.py). Nothing idle draws more: frames
  are only drawn when something changed, and a pouring log is drawn 10 times a second.
"""

from __future__ import annotations

import gc
import os


def main() -> int:
    gc.disable()
    os.environ.setdefault("TEXTUAL_FPS", "120")
    try:
        from jobtui.cli import main as run

        return run()
    finally:
        gc.enable()
