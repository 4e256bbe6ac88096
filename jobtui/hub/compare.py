"""`==` that leaves some fields out, for the frozen records (msgspec Structs) that need it.

The records are `msgspec.Struct`s rather than dataclasses because a start builds ~40 of their
classes before the first frame: a frozen dataclass class takes ~0.6 ms to create (it compiles
its methods), a Struct class ~0.02 ms. A Struct compares every field; the few records with a
field that says nothing about what the record stands for (a job's `raw`, a filter's typed
text) leave it out with `compare_without`.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

import msgspec


def compare_without(cls: type[msgspec.Struct], *left_out: str) -> None:
    """Make `==` and `hash()` of `cls` read every field but `left_out` (as a dataclass
    `field(compare=False)` does)."""
    missing = set(left_out) - set(cls.__struct_fields__)
    if missing:
        raise TypeError(f"{cls.__name__} has no field {sorted(missing)}")
    key = attrgetter(*(name for name in cls.__struct_fields__ if name not in left_out))

    def __eq__(self: Any, other: object) -> Any:  # noqa: N807
        if type(other) is not type(self):
            return NotImplemented
        return key(self) == key(other)

    def __hash__(self: Any) -> int:  # noqa: N807
        return hash(key(self))

    setattr(cls, "__eq__", __eq__)  # noqa: B010 - assigned, not defined: mypy reads it so
    setattr(cls, "__hash__", __hash__)  # noqa: B010
