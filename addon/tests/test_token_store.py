"""Token sources and the per-user token file (PROTOCOL.md section 7)."""

import os
import stat
import threading

import pytest
from blender_mcp_addon.token_store import TokenError, default_token_path, read_or_create_token_file, resolve_token


def test_default_path_follows_xdg_config_home(tmp_path):
    assert default_token_path({"XDG_CONFIG_HOME": str(tmp_path)}) == str(tmp_path / "blender-mcp-rs" / "token")
    assert default_token_path({}).endswith(os.path.join(".config", "blender-mcp-rs", "token"))


def test_created_file_is_private_and_reused(tmp_path):
    environ = {"XDG_CONFIG_HOME": str(tmp_path)}
    token = resolve_token(environ=environ)
    path = tmp_path / "blender-mcp-rs" / "token"
    assert len(token) == 64 and int(token, 16) >= 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert resolve_token(environ=environ) == token


def test_precedence_env_then_preference_then_file(tmp_path):
    file_path = tmp_path / "explicit"
    file_path.write_text("from-the-file-0123456789\n")
    env_token = "from-the-env-0123456789"
    assert resolve_token("from-the-prefs-0123456789", str(file_path), {"BLENDER_MCP_TOKEN": env_token}) == env_token
    assert resolve_token("from-the-prefs-0123456789", str(file_path), {}) == "from-the-prefs-0123456789"
    assert resolve_token(None, str(file_path), {}) == "from-the-file-0123456789"


def test_short_tokens_are_refused_without_echoing_them(tmp_path):
    with pytest.raises(TokenError) as caught:
        resolve_token(environ={"BLENDER_MCP_TOKEN": "tiny-secret"})
    assert "tiny-secret" not in str(caught.value)
    short_file = tmp_path / "short"
    short_file.write_text("tiny-secret")
    with pytest.raises(TokenError):
        resolve_token(token_file=str(short_file), environ={})


def test_racing_creators_agree_on_one_token(tmp_path):
    # A reader must never see the file before its token is in it (rounds:
    # the window is a few microseconds wide).
    for round_ in range(20):
        path = str(tmp_path / ("cfg%d" % round_) / "token")
        results = []
        threads = [
            threading.Thread(target=lambda out=results, at=path: out.append(read_or_create_token_file(at)))
            for _ in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(results) == 8 and len(set(results)) == 1
        assert sorted(os.listdir(os.path.dirname(path))) == ["token"], "a staged file was left behind"
