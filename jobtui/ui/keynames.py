"""How keys are written for people, and which keys an action answers to once the user's
[keys] table is applied: dialogs say "y cancels" with the user's key, not the shipped one."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import KEY_NAME_REPLACEMENTS

KEY_NAMES = {
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "question_mark": "?",
    "slash": "/",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "plus": "+",
}


def normal_key(key: str) -> str:
    """`?` → `question_mark`, `/` → `slash`: one spelling per key, to compare them."""
    key = key.strip()
    if len(key) != 1 or key.isalnum():
        return key
    try:
        name = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return key
    return KEY_NAME_REPLACEMENTS.get(name, name)


def shown_keys(keys: str) -> list[str]:
    """`up,k` → [`↑`, `k`]."""
    return [KEY_NAMES.get(key, key) for key in (normal_key(k) for k in keys.split(","))]


def keys_for(node: DOMNode, binding_id: str, *, first: bool = False) -> str:
    """`y or enter`: the keys of `node`'s binding `binding_id`, the user's if rebound
    (`first`: only the first of them, for a hint that must stay short)."""
    binding = next(b for b in type(node).BINDINGS if isinstance(b, Binding) and b.id == binding_id)
    keymap: Mapping[str, str] = getattr(node.app, "keymap", None) or {}
    keys = shown_keys(keymap.get(binding_id, binding.key))
    return keys[0] if first else " or ".join(keys)
