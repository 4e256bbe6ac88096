"""Imports paid for when first used, not when first named.

`import_when_used("httpx2")` puts a stand-in module in `sys.modules`: every `import httpx2`
after it is free, and the first attribute read (`httpx2.AsyncClient`) imports the package for
real and fills the stand-in with it, so a module holding the stand-in sees the package.
importlib's own `LazyLoader` cannot do this on Python 3.11: the import system reads
`__spec__` of a module it finds in `sys.modules`, and that read alone loads it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from typing import Any

_LOCK = threading.RLock()


class _StandIn(types.ModuleType):
    def __getattr__(self, attribute: str) -> Any:  # only for what it does not hold yet
        return getattr(load(self), attribute)


def import_when_used(name: str) -> None:
    """Defer importing the top-level package `name` to its first use (no-op if imported)."""
    with _LOCK:
        if name in sys.modules or "." in name:
            return
        spec = importlib.util.find_spec(name)
        if spec is None:
            return  # not installed: the real import says so, where it happens
        stand_in = _StandIn(name)
        stand_in.__spec__ = spec  # an `import name` finds it ready and does not load it
        sys.modules[name] = stand_in


def load(stand_in: types.ModuleType) -> types.ModuleType:
    """Import the real package and copy it into the stand-in; returns the real one."""
    with _LOCK:
        name = stand_in.__name__
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        real = importlib.import_module(name)
        stand_in.__dict__.update(real.__dict__)
        return real
