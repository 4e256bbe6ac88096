"""Where the token and the endpoint come from, in the order the official client looks."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from msgspec import Struct

from jobtui.hub.errors import NoTokenError
from jobtui.hub.models import DEFAULT_ENDPOINT


class Token(Struct, frozen=True):
    """A token and where it came from. The value never appears in repr or str."""

    value: str
    source: str

    def __repr__(self) -> str:
        return f"Token(source={self.source!r})"

    def __rich_repr__(self) -> list[tuple[str, Any]]:  # Rich's pretty printer, tracebacks
        return [("source", self.source)]

    def __str__(self) -> str:
        return f"token from {self.source}"

    def how_to_fix(self) -> str:
        """What to do when the Hub refuses this token, in the words of its source."""
        if self.source == "--token":
            return "Check the value passed with --token."
        if self.source in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
            return f"Check or unset the {self.source} environment variable."
        return "Run `hf auth login` again to store a fresh token."


def token_file(env: Mapping[str, str]) -> Path:
    """The file `hf auth login` writes: HF_TOKEN_PATH, else $HF_HOME/token."""
    if env.get("HF_TOKEN_PATH"):
        return Path(env["HF_TOKEN_PATH"]).expanduser()
    hf_home = env.get("HF_HOME") or str(Path("~/.cache/huggingface"))
    return Path(hf_home).expanduser() / "token"


def find_token(explicit: str | None = None, env: Mapping[str, str] | None = None) -> Token:
    """--token, then HF_TOKEN, then HUGGING_FACE_HUB_TOKEN, then the token file."""
    env = os.environ if env is None else env
    if explicit is not None and explicit.strip():
        return Token(explicit.strip(), "--token")
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        value = env.get(name, "").strip()
        if value:
            return Token(value, name)
    path = token_file(env)
    try:
        value = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        value = ""
    if value:
        return Token(value, f"the token file {path}")
    raise NoTokenError(
        "No Hugging Face token found. Log in with `hf auth login`, or set HF_TOKEN, "
        "or pass --token. To try jobtui without an account: `jobtui --demo`."
    )


def find_endpoint(explicit: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """--endpoint, then HF_ENDPOINT, then huggingface.co; trailing slashes dropped.

    Raises ValueError with a one-line explanation for a malformed URL.
    """
    env = os.environ if env is None else env
    return check_endpoint(explicit or env.get("HF_ENDPOINT") or DEFAULT_ENDPOINT)


def check_endpoint(text: str) -> str:
    """The Hub's URL without trailing slashes; ValueError, in one line, if it cannot be one."""
    value = text.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {value!r} (expected e.g. https://huggingface.co)")
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise ValueError(f"bad port in endpoint {value!r}") from exc
    return value
