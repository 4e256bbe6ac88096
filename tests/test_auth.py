"""Where the token and endpoint come from, in the official client's order."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.pretty import pretty_repr

from jobtui.hub.auth import find_endpoint, find_token
from jobtui.hub.errors import NoTokenError


def test_flag_beats_environment_beats_file(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("  from-file \n")
    env = {"HF_HOME": str(tmp_path), "HF_TOKEN": "from-env", "HUGGING_FACE_HUB_TOKEN": "legacy"}
    assert find_token("from-flag", env).source == "--token"
    assert (find_token(None, env).value, find_token(None, env).source) == ("from-env", "HF_TOKEN")
    del env["HF_TOKEN"]
    assert find_token(None, env).source == "HUGGING_FACE_HUB_TOKEN"
    del env["HUGGING_FACE_HUB_TOKEN"]
    token = find_token(None, env)
    assert token.value == "from-file" and str(tmp_path / "token") in token.source


def test_token_path_overrides_hf_home_and_empty_counts_as_none(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").write_text("custom")
    (tmp_path / "token").write_text("home")
    env = {"HF_HOME": str(tmp_path), "HF_TOKEN_PATH": str(tmp_path / "elsewhere"), "HF_TOKEN": " "}
    assert find_token(None, env).value == "custom"
    (tmp_path / "elsewhere").write_text("\n")
    with pytest.raises(NoTokenError, match="hf auth login"):
        find_token(None, env)


def test_token_value_never_in_repr_or_str() -> None:
    token = find_token("hf_supersecret", {})
    assert "hf_supersecret" not in repr(token) and "hf_supersecret" not in str(token)
    # Rich's pretty printer (Textual's log, tracebacks with locals) asks the record itself
    assert "hf_supersecret" not in pretty_repr({"token": token})
    assert "--token" in pretty_repr(token)


def test_endpoint_order_and_trailing_slash() -> None:
    assert find_endpoint(None, {}) == "https://huggingface.co"
    assert find_endpoint(None, {"HF_ENDPOINT": "http://127.0.0.1:8765/"}) == "http://127.0.0.1:8765"
    assert (
        find_endpoint("https://hub.example", {"HF_ENDPOINT": "http://x"}) == "https://hub.example"
    )
    with pytest.raises(ValueError, match="http"):
        find_endpoint("ftp://hub.example", {})
