"""What can be set, what each setting allows, and the typed record the app is started with.

A small loader of our own rather than a validation library: a dozen flat settings and one
table of keys, each checked by the same rules as its command-line flag (jobtui/argtypes.py),
so a value means the same thing and is refused with the same words wherever it is written.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from msgspec import Struct, field

from jobtui.hub.auth import check_endpoint
from jobtui.hub.compare import compare_without
from jobtui.hub.parsing import DEFAULT_ENDPOINT

DEFAULT_THEME = "textual-dark"
MIN_INTERVAL = 2.0


class Refused(ValueError):
    """A value a setting does not allow; the message says what is allowed."""


class Settings(Struct, frozen=True):
    """Everything a user can set. The CLI fills it: flag > environment > config file >
    default (see load.py); `origins` says where each value came from."""

    namespaces: tuple[str, ...] = ()
    endpoint: str = DEFAULT_ENDPOINT
    interval: float = 5.0
    log_lines: int = 200_000
    bell: bool = False
    cache: bool = True
    theme: str = DEFAULT_THEME
    idle_gpu_percent: float = 5.0
    idle_gpu_minutes: float = 10.0
    timeout_warning: float = 0.9
    local_time: bool = False
    timezone: str | None = None
    keys: Mapping[str, str] = field(default_factory=dict)
    origins: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


# What Settings says about the settings, not settings themselves: never compared (the same
# settings are equal whatever set them) and never given an origin.
ABOUT_SETTINGS = ("origins", "warnings")
SETTING_NAMES = tuple(name for name in Settings.__struct_fields__ if name not in ABOUT_SETTINGS)
compare_without(Settings, *ABOUT_SETTINGS)


# ---- checks: each takes a TOML value (or a value already read from a flag or the
# environment) and returns it typed, or raises Refused saying what is allowed -----------------


def number(
    low: float, high: float | None = None, *, whole: bool = False, unit: str = "", why: str = ""
) -> Callable[[Any], float]:
    kind = "a whole number" if whole else "a number"
    bounds = f"{low:g} or more" if high is None else f"from {low:g} to {high:g}"
    allowed = f"{kind}{' of ' + unit if unit else ''}, {bounds}{f' ({why})' if why else ''}"

    def check(value: Any) -> float:
        if isinstance(value, str):
            try:
                value = int(value) if whole else float(value)
            except ValueError:
                raise Refused(f"must be {allowed}") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Refused(f"must be {allowed}")
        if whole and not float(value).is_integer():
            raise Refused(f"must be {allowed}")
        if math.isnan(value) or value < low or (high is not None and value > high):
            raise Refused(f"must be {allowed}")
        return int(value) if whole else float(value)

    return check


TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def boolean(value: Any) -> bool:
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS + FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    if not isinstance(value, bool):
        raise Refused("must be true or false")
    return value


def names(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):  # the environment: "me,my-org"
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, list | tuple) or not all(
        isinstance(item, str) and item.strip() for item in value
    ):
        raise Refused('must be a list of user or org names, e.g. ["me", "my-org"]')
    return tuple(item.strip() for item in value)


def endpoint(value: Any) -> str:
    """The rule `--endpoint` and HF_ENDPOINT follow (hub/auth.py), port included."""
    if not isinstance(value, str):
        raise Refused(f"not an http(s) URL: {value!r} (expected e.g. https://huggingface.co)")
    try:
        return check_endpoint(value)
    except ValueError as exc:
        raise Refused(str(exc)) from None


def timezone(value: Any) -> str:
    allowed = 'must be a time zone name, e.g. "UTC" or "Europe/Paris"'
    if not isinstance(value, str) or not value.strip():
        raise Refused(allowed)
    import zoneinfo  # here, not at the top: only a start with a time zone set reads one

    try:
        zoneinfo.ZoneInfo(value.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise Refused(f"{allowed}; no time zone is called {value!r}") from None
    return value.strip()


def theme(themes: Mapping[str, object] | None) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        known = sorted(themes) if themes else []
        allowed = "must be the name of a theme" + (f": {', '.join(known)}" if known else "")
        if not isinstance(value, str) or (themes is not None and value not in themes):
            raise Refused(allowed)
        return value

    return check


def keys(value: Any) -> dict[str, str]:
    """[keys] "jobs.cancel" = "C" or ["C", "ctrl+k"]: action id to key(s)."""
    if not isinstance(value, dict):
        raise Refused('must be a table of action = key, e.g. [keys] "jobs.cancel" = "C"')
    keymap: dict[str, str] = {}
    for action, keyset in value.items():
        items = [keyset] if isinstance(keyset, str) else keyset
        if (
            not isinstance(items, list)
            or not items
            or not all(isinstance(k, str) and k.strip() and " " not in k.strip() for k in items)
        ):
            raise Refused(
                f'{action!r} must be a key or a list of keys, e.g. "C", "ctrl+k" or ["C", "f8"]'
            )
        keymap[action] = ",".join(k.strip() for part in items for k in part.split(","))
    return keymap


class Option(Struct, frozen=True):
    """One setting: its name in the file, its check, and the flag and variable that set it."""

    name: str
    check: Callable[[Any], Any]
    flag: str | None = None
    env: str | None = None
    doc: str = ""
    flag_dest: str | None = None  # the flag's argparse dest, when not the setting's name

    @property
    def dest(self) -> str:
        return self.flag_dest or self.name


def options(themes: Mapping[str, object] | None = None) -> list[Option]:
    """Every setting, in the order --print-config shows them. Flags of settings added
    elsewhere (the metrics' and logs' thresholds) are read from the parsed arguments by
    name, so adding the flag is all it takes."""
    return [
        Option(
            "namespaces",
            names,
            "--namespace",
            "JOBTUI_NAMESPACES",
            "users or orgs to watch",
            flag_dest="namespace",
        ),
        Option("endpoint", endpoint, "--endpoint", "HF_ENDPOINT", "the Hub's URL"),
        Option(
            "interval",
            number(
                MIN_INTERVAL,
                unit="seconds",
                why="faster polling spends the Hub API budget your own jobs share",
            ),
            "--interval",
            "JOBTUI_INTERVAL",
            "seconds between refreshes of the job list",
        ),
        Option(
            "log_lines",
            number(1, whole=True),
            "--log-lines",
            "JOBTUI_LOG_LINES",
            "log lines kept in the log pane",
        ),
        Option("bell", boolean, "--bell", "JOBTUI_BELL", "ring the bell when a job fails"),
        Option("cache", boolean, "--no-cache", "JOBTUI_CACHE", "open on the jobs seen last time"),
        Option("theme", theme(themes), "--theme", "JOBTUI_THEME", "a Textual theme"),
        Option(
            "idle_gpu_percent",
            number(0, 100, unit="percent"),
            "--idle-gpu-percent",
            "JOBTUI_IDLE_GPU_PERCENT",
            "a GPU under this utilisation is idle",
        ),
        Option(
            "idle_gpu_minutes",
            number(0.1, unit="minutes"),
            "--idle-gpu-minutes",
            "JOBTUI_IDLE_GPU_MINUTES",
            "idle this long: warn",
        ),
        Option(
            "timeout_warning",
            number(0.01, 1, unit="the timeout used"),
            "--timeout-warning",
            "JOBTUI_TIMEOUT_WARNING",
            "warn when this fraction of a job's timeout is used",
        ),
        Option(
            "local_time",
            boolean,
            "--local-time",
            "JOBTUI_LOCAL_TIME",
            "log timestamps in local time, not UTC",
        ),
        Option(
            "timezone",
            timezone,
            "--timezone",
            "JOBTUI_TIMEZONE",
            "log timestamps in this time zone (implies local_time)",
        ),
        Option("keys", keys, None, None, "action = key, see the help screen (?)"),
    ]


# The token is never read from a config file: a file is easy to share or commit by mistake.
REFUSED_KEYS = {
    "token": "the token is never read from the config file: use HF_TOKEN or `hf auth login`",
    "hf_token": "the token is never read from the config file: use HF_TOKEN or `hf auth login`",
}
