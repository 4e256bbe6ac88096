"""Where settings come from: the flags, the environment, the config file, the defaults, in
that order. A bad file is refused with its path, line, key and what is allowed."""

from __future__ import annotations

import argparse
import difflib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import platformdirs

from jobtui.settings.schema import REFUSED_KEYS, SETTING_NAMES, Option, Refused, Settings, options

CONFIG_ENV = "JOBTUI_CONFIG"


class ConfigError(Exception):
    """A setting that cannot be used; the message is for the user, one or two lines."""


def default_path() -> Path:
    return Path(platformdirs.user_config_dir("jobtui")) / "config.toml"


def config_path(explicit: str | None, env: Mapping[str, str]) -> tuple[Path, bool]:
    """The file to read and whether the user named it (a named file must exist)."""
    if explicit:
        return Path(explicit).expanduser(), True
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV]).expanduser(), True
    return default_path(), False


def line_of(text: str, key: str, table: str | None = None) -> int | None:
    """The line where `key =` is written (in `[table]` if given): tomllib only gives lines for
    syntax errors, and a message that says where is worth a small scan."""
    current: str | None = None
    pattern = re.compile(rf"""^\s*(["']?){re.escape(key)}\1\s*=""")
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[\s*([^\]]+?)\s*\]", line)
        if header:
            current = header.group(1).strip("\"'")
            continue
        if current == table and pattern.match(line):
            return number
    return None


def where(path: Path, line: int | None) -> str:
    return f"{path}, line {line}" if line else str(path)


def read_file(
    path: Path, named: bool, opts: list[Option]
) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """(values, origins, warnings) from the config file; nothing if the default file is absent."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if named:
            raise ConfigError(f"config file {path}: no such file") from None
        return {}, {}, []
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path}: cannot be read ({exc})") from None
    import tomllib  # here, not at the top: most starts have no config file (~1 ms)

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path}: not valid TOML: {exc}") from None
    by_name = {opt.name: opt for opt in opts}
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    warnings: list[str] = []
    for key, raw in data.items():
        line = line_of(text, key)
        if key in REFUSED_KEYS:
            raise ConfigError(f"{where(path, line)}: {key}: {REFUSED_KEYS[key]}")
        opt = by_name.get(key)
        if opt is None:
            close = difflib.get_close_matches(key, list(by_name), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(by_name)}"
            warnings.append(f"{where(path, line)}: unknown setting {key!r}, ignored ({hint})")
            continue
        if key == "keys" and isinstance(raw, dict):
            line = line_of_table(text, "keys")
        try:
            values[key] = opt.check(raw)
        except Refused as exc:
            if key == "keys" and isinstance(raw, dict):
                bad = next((a for a in raw if str(exc).startswith(repr(a))), None)
                line = line_of(text, bad, "keys") if bad else line
            raise ConfigError(f"{where(path, line)}: {key} = {shown(raw)}: {exc}") from None
        origins[key] = f"config file, line {line}" if line else "config file"
        if key == "keys":
            for action in values[key]:
                at = line_of(text, action, "keys")
                origins[f"keys:{action}"] = f"config file, line {at}" if at else "config file"
    return values, origins, warnings


def line_of_table(text: str, table: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"^\s*\[\s*{re.escape(table)}\s*\]", line):
            return number
    return None


def shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 60 else text[:57] + "..."


def read_env(env: Mapping[str, str], opts: list[Option]) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for opt in opts:
        if opt.env is None or not env.get(opt.env, "").strip():
            continue
        raw = env[opt.env]
        try:
            values[opt.name] = opt.check(raw)
        except Refused as exc:
            raise ConfigError(f"{opt.env}={raw!r}: {opt.name} {exc}") from None
        origins[opt.name] = f"${opt.env}"
    return values, origins


def read_flags(
    args: argparse.Namespace, opts: list[Option]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Flags given on the command line: argparse already checked them (same rules)."""
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for opt in opts:
        value = getattr(args, opt.dest, None)
        if value is None or opt.flag is None:
            continue
        if opt.name == "namespaces":
            value = tuple(value)
        elif opt.name not in ("bell", "cache", "local_time"):
            try:  # flags added elsewhere may not check as strictly as the file does
                value = opt.check(value)
            except Refused as exc:
                raise ConfigError(f"{opt.flag} {value}: {exc}") from None
        values[opt.name] = value
        origins[opt.name] = opt.flag
    return values, origins


def unset_flag_defaults(parser: argparse.ArgumentParser) -> None:
    """Flags default to None so that a flag left out lets the environment, the file and the
    settings' own defaults speak (defaults live in one place: schema.Settings)."""
    parser.set_defaults(**{opt.dest: None for opt in options() if opt.flag})


def resolve(
    args: argparse.Namespace,
    env: Mapping[str, str] | None = None,
    *,
    themes: Mapping[str, object] | None = None,
    remembered_theme: tuple[str, float] | None = None,
) -> tuple[Settings, Path]:
    """The effective settings and the config file they were read from (if it existed).

    `remembered_theme`: (name, when) of the theme last chosen in the app; it is used unless
    the config file names a theme and was changed after that choice.
    Raises ConfigError with a message for the user.
    """
    env = os.environ if env is None else env
    opts = options(themes)
    path, named = config_path(getattr(args, "config", None), env)
    file_values, file_origins, warnings = read_file(path, named, opts)
    env_values, env_origins = read_env(env, opts)
    flag_values, flag_origins = read_flags(args, opts)
    values: dict[str, Any] = {}
    origins = dict.fromkeys(SETTING_NAMES, "default")
    # The theme last chosen in the app holds until the config file is edited after it.
    remembered = (
        remembered_theme is not None
        and (themes is None or remembered_theme[0] in themes)
        and not ("theme" in file_values and path.stat().st_mtime > remembered_theme[1])
    )
    if remembered and remembered_theme is not None:
        values["theme"] = remembered_theme[0]
        origins["theme"] = "chosen in the app (remembered)"
    for layer, layer_origins in (
        (file_values, file_origins),
        (env_values, env_origins),
        (flag_values, flag_origins),
    ):
        for key, value in layer.items():
            if key == "theme" and layer is file_values and remembered:
                continue
            values[key] = value
            origins[key] = layer_origins[key]
    if origins["keys"].startswith("config file"):  # where each rebound key is written
        origins.update({k: v for k, v in file_origins.items() if k.startswith("keys:")})
    if values.get("timezone") and "local_time" not in values:
        values["local_time"] = True
        origins["local_time"] = origins["timezone"]
    settings = Settings(**values, origins=origins, warnings=tuple(warnings))
    return settings, path
