"""The MCP client vanishes in the middle of a call: the server cleans up
(no orphaned Blender, no leaked sockets) and keeps serving everyone else."""

import os
import signal
import socket
import subprocess
import time

import pytest
from addon_process import AddonBlender
from support import (
    HttpSession,
    StdioServer,
    children,
    fds,
    free_port,
    launching_args,
    server_binary,
    sockets,
    state_of,
    text_of,
    wait_http_ready,
    wait_until,
)

TOKEN = "fault-tests-token-0123456789abcdef"
SLOW = {"code": "import time; time.sleep(args['s']); result = args['s']", "args": {"s": 2}}


@pytest.fixture(scope="module")
def user_blender():
    """A Blender the user started by hand (servers attach to it, never own it)."""
    blender = AddonBlender(env={"BLENDER_MCP_TOKEN": TOKEN})
    yield blender
    blender.stop()


def attached(logs, blender, name) -> StdioServer:
    server = StdioServer(
        ["--port", str(blender.port), "--no-launch", "--request-timeout", "20"],
        logs / name,
        env={"BLENDER_MCP_TOKEN": TOKEN},
    )
    server.initialize()
    return server


def test_stdio_client_gone_mid_call_stops_the_server_and_its_blender(logs):
    server = StdioServer(launching_args(), logs / "stdio_gone_launched.log")
    server.initialize()
    pid = server.exec_value("import os; result = os.getpid()")
    server.call_async("execute_blender_code", SLOW)
    time.sleep(0.3)
    # The client dies: both pipes close under the server mid-call.
    server.proc.stdin.close()
    server.proc.stdout.close()
    server.proc.wait(20)
    assert server.proc.returncode == 0, server.log_tail()
    wait_until(lambda: state_of(pid) is None, 15, "the launched Blender to exit after its server")


def test_stdio_client_gone_mid_call_leaves_other_servers_serving(logs, user_blender):
    survivor = attached(logs, user_blender, "stdio_survivor.log")
    try:
        assert survivor.exec_value("result = 1") == 1
        baseline = sockets(user_blender.pid)
        for round_ in range(3):
            victim = attached(logs, user_blender, f"stdio_victim_{round_}.log")
            assert victim.exec_value("result = 2") == 2
            victim.call_async("execute_blender_code", SLOW)
            pending = survivor.call_async("execute_blender_code", {"code": "result = args['r']", "args": {"r": round_}})
            time.sleep(0.2)
            victim.proc.kill()  # the whole client side disappears, as when an editor crashes
            victim.proc.wait(10)
            reply = survivor.wait_reply(pending, 30)
            assert reply["result"]["structuredContent"]["result"] == round_, reply
            victim.close()
        assert survivor.exec_value("result = 'still here'") == "still here"
        # The addon closed the dead servers' connections: no socket leak in Blender.
        wait_until(lambda: sockets(user_blender.pid) <= baseline, 15, "the addon to drop dead connections")
        assert user_blender.proc.poll() is None
    finally:
        survivor.close()


def test_http_stream_dropped_mid_call_leaves_other_sessions_serving(logs, user_blender):
    port = free_port()
    log = open(logs / "http_server.log", "wb")
    proc = subprocess.Popen(
        [
            str(server_binary()),
            "--transport",
            "http",
            "--bind",
            f"127.0.0.1:{port}",
            "--port",
            str(user_blender.port),
            "--no-launch",
            "--request-timeout",
            "20",
        ],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        env={**os.environ, "BLENDER_MCP_TOKEN": TOKEN},
    )
    try:
        wait_http_ready(port, proc)
        steady = HttpSession(port)
        steady.initialize()
        assert steady.call("execute_blender_code", {"code": "result = 7"})["structuredContent"]["result"] == 7
        fd_baseline = len(fds(proc.pid))
        for round_ in range(5):
            dropper = HttpSession(port)
            dropper.initialize()
            # Send a slow call, then drop the TCP stream before the answer.
            body = (
                b'{"jsonrpc":"2.0","id":99,"method":"tools/call","params":{"name":"execute_blender_code",'
                b'"arguments":{"code":"import time; time.sleep(1); result = 1"}}}'
            )
            raw = socket.create_connection(("127.0.0.1", port))
            raw.sendall(
                b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
                b"Accept: application/json, text/event-stream\r\nMcp-Session-Id: %s\r\n"
                b"MCP-Protocol-Version: 2025-11-25\r\nContent-Length: %d\r\n\r\n%s"
                % (port, dropper.session_id.encode(), len(body), body)
            )
            time.sleep(0.2)
            raw.close()
            dropper.close()
            result = steady.call("execute_blender_code", {"code": "result = args['r'] * 3", "args": {"r": round_}})
            assert result["structuredContent"]["result"] == round_ * 3, text_of(result)
        # A brand-new session works too, and the server is still alive.
        late = HttpSession(port)
        late.initialize()
        assert late.call("execute_blender_code", {"code": "result = 'late'"})["structuredContent"]["result"] == "late"
        late.close()
        assert proc.poll() is None
        # Dropped connections are closed (the slow calls finish within ~1 s each).
        wait_until(lambda: len(fds(proc.pid)) <= fd_baseline + 1, 20, "the server to close dropped connections")
        steady.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        finally:
            if proc.poll() is None:
                proc.kill()
            log.close()
    assert proc.returncode == 0
    assert children(proc.pid) == []
