"""The config file, the environment and the flags: who wins, and what a bad file is told."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from jobtui.cli import build_parser, main
from jobtui.settings import Settings, StateFile, unset_flag_defaults
from jobtui.ui.setup import load_settings

pytestmark = pytest.mark.unit


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """XDG folders in a temp dir, and none of the user's JOBTUI_ or HF_ variables."""
    for name in list(os.environ):
        if name.startswith(("JOBTUI_", "HF_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path


def write_config(home: Path, text: str) -> Path:
    path = home / "config" / "jobtui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def settings(*argv: str, env: dict[str, str] | None = None) -> Settings | str:
    parser = build_parser()
    unset_flag_defaults(parser)
    return load_settings(parser.parse_args(list(argv)), env or {})


def test_no_file_gives_the_defaults(home: Path) -> None:
    got = settings()
    assert isinstance(got, Settings)
    assert got == Settings()
    assert set(got.origins.values()) == {"default"}


def test_flag_beats_environment_beats_file_beats_default(home: Path) -> None:
    write_config(
        home,
        'interval = 3\nlog_lines = 500\nbell = true\ntheme = "nord"\nnamespaces = ["me"]\n',
    )
    got = settings("--interval", "9", env={"JOBTUI_INTERVAL": "7", "JOBTUI_LOG_LINES": "800"})
    assert isinstance(got, Settings)
    assert (got.interval, got.origins["interval"]) == (9.0, "--interval")
    assert (got.log_lines, got.origins["log_lines"]) == (800, "$JOBTUI_LOG_LINES")
    assert (got.theme, got.origins["theme"]) == ("nord", "config file, line 4")
    assert got.bell is True and got.namespaces == ("me",)
    assert (got.timeout_warning, got.origins["timeout_warning"]) == (0.9, "default")
    ns = settings("--namespace", "org-a", "--namespace", "org-b")
    assert isinstance(ns, Settings)
    assert (ns.namespaces, ns.origins["namespaces"]) == (("org-a", "org-b"), "--namespace")
    ns = settings(env={"JOBTUI_NAMESPACES": "x, y"})
    assert isinstance(ns, Settings) and ns.namespaces == ("x", "y")
    off = settings("--no-bell", "--no-cache")
    assert isinstance(off, Settings)
    assert (off.bell, off.cache) == (False, False)


def test_config_path_from_flag_then_environment(home: Path, tmp_path: Path) -> None:
    write_config(home, "interval = 3\n")
    mine = tmp_path / "mine.toml"
    mine.write_text("interval = 4\n")
    theirs = tmp_path / "theirs.toml"
    theirs.write_text("interval = 6\n")
    by_env = settings(env={"JOBTUI_CONFIG": str(theirs)})
    by_flag = settings("--config", str(mine), env={"JOBTUI_CONFIG": str(theirs)})
    assert isinstance(by_env, Settings) and isinstance(by_flag, Settings)
    assert (by_env.interval, by_flag.interval) == (6.0, 4.0)
    missing = settings("--config", str(tmp_path / "nope.toml"))
    assert missing == f"jobtui: config file {tmp_path / 'nope.toml'}: no such file"


def test_a_syntax_error_names_the_file_and_line(home: Path) -> None:
    path = write_config(home, 'interval = 3\ntheme = "nord\n')
    got = settings()
    assert isinstance(got, str)
    assert str(path) in got and "not valid TOML" in got and "line 2" in got


def test_a_wrong_type_names_the_file_line_key_and_what_is_allowed(home: Path) -> None:
    path = write_config(home, '# mine\n\ninterval = "fast"\n')
    assert settings() == (
        f'jobtui: {path}, line 3: interval = "fast": must be a number of seconds, 2 or more '
        "(faster polling spends the Hub API budget your own jobs share)"
    )
    write_config(home, "bell = 1\n")
    assert "line 1: bell = 1: must be true or false" in str(settings())
    write_config(home, 'theme = "neon"\n')
    assert "must be the name of a theme: " in str(settings())
    assert "textual-light" in str(settings())
    write_config(home, '[keys]\n"jobs.cancel" = "C"\n"jobs.rerun" = 3\n')
    assert "line 3: keys = " in str(settings()) and "'jobs.rerun' must be a key" in str(settings())


def test_the_token_is_refused_in_the_file(home: Path) -> None:
    write_config(home, 'token = "hf_secret_value"\n')
    got = str(settings())
    assert "line 1: token: the token is never read from the config file" in got
    assert "hf_secret_value" not in got


def test_an_unknown_key_is_a_warning_that_names_the_line(home: Path) -> None:
    path = write_config(home, "interval = 3\nintreval = 4\n")
    got = settings()
    assert isinstance(got, Settings)
    assert got.interval == 3.0
    assert len(got.warnings) == 1
    assert got.warnings[0].startswith(f"{path}, line 2: unknown setting 'intreval', ignored")
    assert "did you mean 'interval'?" in got.warnings[0]


def test_an_unknown_action_in_keys_is_a_warning(home: Path) -> None:
    write_config(home, '[keys]\n"jobs.cancle" = "C"\n')
    got = settings()
    assert isinstance(got, Settings)
    assert any("'jobs.cancle': no such action" in warning for warning in got.warnings)


def test_two_actions_on_one_key_stop_the_start(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(home, '[keys]\n"jobs.stats" = "S"\n"jobs.cancel" = "r"\n')
    assert main(["--demo"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"jobtui: {path}, line 3: [keys] 'r' is given to both jobs.cancel")
    assert "and jobs.rerun" in err


def test_jobtuis_own_shadowed_keys_are_no_conflict(home: Path) -> None:
    # n is the namespace switch and, in the log, the next match: by design, not the user's.
    write_config(home, '[keys]\n"jobs.stats" = "S"\n')
    assert isinstance(settings(), Settings)


def test_a_bad_environment_value_is_named(home: Path) -> None:
    assert settings(env={"JOBTUI_BELL": "maybe"}) == (
        "jobtui: JOBTUI_BELL='maybe': bell must be true or false"
    )


def test_print_config_shows_each_value_and_its_origin(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(
        home, 'interval = 3\ntimezone = "Europe/Paris"\n[keys]\n"jobs.cancel" = "C"\n'
    )
    monkeypatch.setenv("JOBTUI_LOG_LINES", "42")
    monkeypatch.setenv("HF_TOKEN", "hf_do_not_show_me")
    assert main(["--print-config", "--theme", "textual-light"]) == 0
    out = capsys.readouterr().out
    lines = {line.split("=")[0].strip(): line for line in out.splitlines() if "=" in line}
    assert f"# config file: {path}" in out
    assert "# config file, line 1" in lines["interval"] and "= 3" in lines["interval"]
    assert "# $JOBTUI_LOG_LINES" in lines["log_lines"] and "= 42" in lines["log_lines"]
    assert "# --theme" in lines["theme"] and '"textual-light"' in lines["theme"]
    assert "# default" in lines["bell"]
    assert "# config file, line 2" in lines["local_time"]  # a time zone means local time
    assert '\n"jobs.cancel" = "C"' in out  # the user's key
    assert '# "jobs.cancel" = "c"  # cancel the selected job' in out  # and every action's own
    assert "hf_do_not_show_me" not in out


def test_a_theme_chosen_in_the_app_is_remembered_unless_the_file_changed_since(
    home: Path,
) -> None:
    state = StateFile()
    assert state.path.is_relative_to(home / "state")
    assert state.remember_theme("gruvbox") is None
    got = settings()
    assert isinstance(got, Settings)
    assert (got.theme, got.origins["theme"]) == ("gruvbox", "chosen in the app (remembered)")
    path = write_config(home, 'theme = "nord"\n')
    later = time.time() + 60
    os.utime(path, (later, later))  # the file was edited after the choice: it wins
    got = settings()
    assert isinstance(got, Settings) and got.theme == "nord"
    assert state.remember_theme("dracula") is None
    got = settings("--theme", "monokai")
    assert isinstance(got, Settings) and got.theme == "monokai"  # a flag always wins
