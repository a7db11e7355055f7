"""How the server finds, launches, attaches to and lets go of Blender."""

import os
import time

import pytest
from addon_process import AddonBlender
from conftest import free_port
from harness import McpServer, blender_python, text_of


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has exited; only its parent has not reaped it yet.
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(")")[-1].split()[0] != "Z"


def test_no_blender_and_no_launch_is_a_clear_error_and_the_server_keeps_serving(tmp_path):
    port = free_port()
    with McpServer(args=["--port", str(port), "--no-launch"], stderr_path=tmp_path / "server.log") as srv:
        res = srv.call("get_scene_info", {}, timeout=60)
        assert res.is_error
        text = text_of(res)
        assert f"127.0.0.1:{port}" in text and "--no-launch" in text, text
        # Still serving: the tool list answers and the same call fails the same way.
        assert len(srv.list_tools()) >= 4
        assert srv.call("get_scene_info", {}, timeout=60).is_error


def test_attaches_to_a_running_blender_with_its_token(tmp_path):
    blender = AddonBlender(env={"BLENDER_MCP_TOKEN": "attach-test-token-0123456789"})
    try:
        args = ["--port", str(blender.port), "--no-launch", "--token", "attach-test-token-0123456789"]
        with McpServer(args=args, stderr_path=tmp_path / "server.log") as srv:
            out = srv.call("execute_blender_code", {"code": "import os; os.getpid()"})
            assert not out.is_error, text_of(out)
            assert out.structured_content["result"] == blender.pid
        # The server let go without shutting down a Blender it did not launch.
        time.sleep(0.5)
        assert blender.proc.poll() is None
    finally:
        blender.stop()


def test_wrong_token_is_refused_with_a_clear_error(tmp_path):
    blender = AddonBlender(env={"BLENDER_MCP_TOKEN": "the-right-token-0123456789"})
    try:
        args = ["--port", str(blender.port), "--no-launch", "--token", "a-wrong-token-0123456789"]
        with McpServer(args=args, stderr_path=tmp_path / "server.log") as srv:
            res = srv.call("get_scene_info", {})
            assert res.is_error and "unauthorized" in text_of(res).lower()
        assert "a-wrong-token" not in (tmp_path / "server.log").read_text()
        assert "the-right-token" not in (tmp_path / "server.log").read_text()
    finally:
        blender.stop()


def test_token_file_is_shared_by_addon_and_server(tmp_path):
    config = tmp_path / "config"
    env = {"XDG_CONFIG_HOME": str(config)}
    blender = AddonBlender(env={**env, "BLENDER_MCP_TOKEN": ""})
    try:
        token_file = config / "blender-mcp-rs" / "token"
        assert token_file.exists() and (token_file.stat().st_mode & 0o777) == 0o600
        with McpServer(
            args=["--port", str(blender.port), "--no-launch"],
            env={**env, "BLENDER_MCP_TOKEN": ""},
            stderr_path=tmp_path / "server.log",
        ) as srv:
            res = srv.call("execute_blender_code", {"code": "1 + 1"})
            assert not res.is_error, text_of(res)
    finally:
        blender.stop()


def test_launched_blender_is_shut_down_when_the_client_goes_away(tmp_path):
    srv = McpServer(
        args=["--port", str(free_port())],
        env={"BLENDER_MCP_BLENDER": str(blender_python())},
        stderr_path=tmp_path / "server.log",
    )
    try:
        res = srv.call("execute_blender_code", {"code": "import os; os.getpid()"})
        assert not res.is_error, text_of(res)
        pid = res.structured_content["result"]
        assert pid_alive(pid)
    finally:
        srv.close()
    deadline = time.monotonic() + 20
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not pid_alive(pid), "the Blender the server launched outlived the server"


@pytest.mark.parametrize("bad", ["/nonexistent/python-with-bpy"])
def test_launch_failure_is_reported(tmp_path, bad):
    with McpServer(
        args=["--port", str(free_port())], env={"BLENDER_MCP_BLENDER": bad}, stderr_path=tmp_path / "server.log"
    ) as srv:
        res = srv.call("get_scene_info", {}, timeout=60)
        assert res.is_error
        assert bad in text_of(res), text_of(res)


def test_launched_blender_exits_when_the_server_is_killed(tmp_path):
    """SIGKILL leaves the server no chance to send `shutdown`: the addon notices
    it was orphaned (--exit-with-parent, passed by the launcher) and exits."""
    from harness import RawStdioServer

    # A raw stdio session: the SDK's client would clean up after itself.
    srv = RawStdioServer(
        ["--port", str(free_port())], {"BLENDER_MCP_BLENDER": str(blender_python())}, tmp_path / "server.log"
    )
    try:
        reply = srv.call_tool("execute_blender_code", {"code": "import os; os.getpid()"})
        assert not reply["result"].get("isError"), reply
        pid = reply["result"]["structuredContent"]["result"]
        assert pid_alive(pid)
    finally:
        srv.close(kill=True)
    deadline = time.monotonic() + 15
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not pid_alive(pid), "a Blender outlived the server that launched it"
