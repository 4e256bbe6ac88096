"""The `jobtui` command. It turns Python's cyclic garbage collector off before anything is
imported, until the first frame is on screen (`JobsApp.freeze_long_lived` turns it on).

A start creates ~85,000 objects that live as long as the app (modules, classes, widgets,
styles); the collector ran ~100 times over them before the first frame, ~15 ms of a start
that is measured against `hf jobs ps` (see benchmarks/bench_start.py). Nothing is lost: a
garbage cycle made meanwhile is freed at the first collection after.
"""

from __future__ import annotations

import gc


def main() -> int:
    gc.disable()
    try:
        from jobtui.cli import main as run

        return run()
    finally:
        gc.enable()
