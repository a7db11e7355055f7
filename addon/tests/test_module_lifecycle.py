"""Starting, configuring and stopping the module host, each in its own bpy."""

import json
import stat
import subprocess
import time

from blender_host import AddonProcess, clean_env

TOKEN = "lifecycle-token-0123456789abcdef"


def test_shutdown_replies_then_exits_zero(bpy_python, tmp_path):
    # Configured through the environment variables of PROTOCOL section 8.
    env = clean_env(BLENDER_MCP_TOKEN=TOKEN, BLENDER_MCP_ALLOW_SHUTDOWN="1", BLENDER_MCP_MAX_FRAME="2048")
    addon = AddonProcess.start_module(bpy_python, tmp_path, [], env=env)
    try:
        bystander = addon.connect()
        hello = bystander.hello(TOKEN)["result"]
        assert "shutdown" in hello["capabilities"] and hello["max_frame"] == 2048
        connection = addon.connect()
        assert connection.hello(TOKEN)["ok"]
        connection.send({"id": 1, "op": "exec", "params": {"code": "import time; time.sleep(0.5); 'done'"}})
        connection.send({"id": 2, "op": "shutdown"})
        connection.send({"id": 3, "op": "ping"})
        replies = [connection.recv() for _ in range(3)]
        assert replies[0]["result"]["value"] == "done"
        assert replies[1] == {"id": 2, "ok": True, "result": {}}
        assert replies[2]["id"] == 3 and replies[2]["error"]["code"] == "shutting_down"
        assert connection.is_closed()
        assert bystander.is_closed()
        started = time.monotonic()
        assert addon.wait(timeout=15) == 0
        assert time.monotonic() - started < 10
    finally:
        addon.kill()


def test_token_file_is_created_private_and_shutdown_is_forbidden(bpy_python, tmp_path):
    config = tmp_path / "config"
    env = clean_env(XDG_CONFIG_HOME=str(config))
    addon = AddonProcess.start_module(bpy_python, tmp_path, [], env=env)
    try:
        token_path = config / "blender-mcp-rs" / "token"
        assert stat.S_IMODE(token_path.stat().st_mode) == 0o600
        assert stat.S_IMODE(token_path.parent.stat().st_mode) == 0o700
        token = token_path.read_text().strip()
        assert len(token) == 64
        assert token not in addon.output(), "the token is never logged"
        connection = addon.connect()
        assert connection.hello(token)["ok"]
        assert connection.request("shutdown")["error"]["code"] == "forbidden"
        assert connection.request("ping")["ok"]
        assert addon.proc.poll() is None
    finally:
        addon.kill()


def test_short_token_fails_fast_without_echoing_it(bpy_python, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("short-secret")
    proc = subprocess.run(
        [bpy_python, "-m", "blender_mcp_addon", "--port", "0", "--token-file", str(token_file)],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
    )
    assert proc.returncode == 2
    assert "shorter than 16" in proc.stderr and "short-secret" not in proc.stderr + proc.stdout


def test_port_in_use_is_a_clear_error(bpy_python, tmp_path, addon):
    proc = subprocess.run(
        [bpy_python, "-m", "blender_mcp_addon", "--port", str(addon.port)],
        capture_output=True,
        text=True,
        env=clean_env(BLENDER_MCP_TOKEN=TOKEN),
        timeout=60,
    )
    assert proc.returncode == 1
    assert "cannot listen on 127.0.0.1:%d" % addon.port in proc.stderr


def test_ready_file_is_complete_json(addon):
    ready = json.loads((addon.workdir / "ready.json").read_text())
    assert set(ready) == {"host", "port", "pid"}
    assert not list(addon.workdir.glob(".ready-*")), "no temporary file left behind"
