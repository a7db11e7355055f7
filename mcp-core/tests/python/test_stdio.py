"""MCP over stdio with the official Python SDK, plus process-lifecycle checks."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

pytestmark = pytest.mark.anyio


def params(echo_bin) -> StdioServerParameters:
    return StdioServerParameters(command=str(echo_bin), args=["--transport", "stdio"])


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28", "auto"])
async def test_list_and_call_tools(echo_bin, mode):
    async with Client(params(echo_bin), mode=mode) as client:
        tools = await client.list_tools()
        assert sorted(t.name for t in tools.tools) == ["add", "announce", "echo", "slow"]
        added = await client.call_tool("add", {"a": 2, "b": 40})
        assert added.structured_content == {"sum": 42.0}
        assert not added.is_error
        echoed = await client.call_tool("echo", {"text": "héllo"})
        assert echoed.content[0].text == "héllo"
        bad = await client.call_tool("add", {"a": "x"})
        assert bad.is_error


async def test_progress_notifications_during_slow_call(echo_bin):
    seen = []

    async def on_progress(progress, total, message):
        seen.append((progress, total, message))

    async with Client(params(echo_bin), mode="legacy") as client:
        result = await client.call_tool("slow", {"steps": 4, "step_ms": 20}, progress_callback=on_progress)
    assert result.content[0].text == "done after 4 steps"
    assert [p for p, _, _ in seen] == [1.0, 2.0, 3.0, 4.0]
    assert all(total == 4.0 for _, total, _ in seen)


INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw-test", "version": "0"}},
}


def _spawn_raw(echo_bin, stdin=subprocess.PIPE, extra=()):
    return subprocess.Popen(
        [str(echo_bin), "--transport", "stdio", *extra], stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )


def _replies_until(proc, request_id):
    """Messages read from stdout up to and including the answer to `request_id`."""
    replies = []
    while True:
        line = proc.stdout.readline()
        assert line, f"stdout closed before the answer to {request_id}: {replies}"
        replies.append(json.loads(line))
        if replies[-1].get("id") == request_id:
            return replies


def _initialize(proc):
    proc.stdin.write((json.dumps(INIT) + "\n").encode())
    proc.stdin.flush()
    reply = json.loads(proc.stdout.readline())
    assert reply["id"] == 1 and reply["result"]["serverInfo"]["name"] == "echo-server"


def test_exits_zero_promptly_when_stdin_closes(echo_bin):
    proc = _spawn_raw(echo_bin)
    _initialize(proc)
    proc.stdin.close()
    started = time.monotonic()
    assert proc.wait(timeout=5) == 0
    assert time.monotonic() - started < 5


def test_exits_zero_on_eof_before_handshake(echo_bin):
    proc = _spawn_raw(echo_bin)
    proc.stdin.close()
    assert proc.wait(timeout=5) == 0


def test_exits_zero_on_sigterm_with_stdin_open(echo_bin):
    proc = _spawn_raw(echo_bin)
    _initialize(proc)
    proc.send_signal(signal.SIGTERM)
    try:
        assert proc.wait(timeout=5) == 0
    finally:
        proc.kill()
        proc.stdin.close()


def test_malformed_line_gets_a_parse_error_and_the_server_goes_on(echo_bin):
    proc = _spawn_raw(echo_bin)
    try:
        _initialize(proc)
        proc.stdin.write(b"{this is not json\n")
        proc.stdin.write((json.dumps({"jsonrpc": "2.0", "id": 2, "method": "ping"}) + "\n").encode())
        proc.stdin.flush()
        replies = _replies_until(proc, 2)
        assert replies[-1]["result"] == {}
        assert [r["error"]["code"] for r in replies[:-1]] == [-32700], replies
        assert "id" not in replies[0], "a parse error has no id to answer"
    finally:
        proc.stdin.close()
        assert proc.wait(timeout=5) == 0


def test_a_line_over_the_limit_is_answered_by_its_id_and_skipped(echo_bin):
    proc = _spawn_raw(echo_bin, extra=("--max-message-bytes", "4096"))
    try:
        _initialize(proc)
        big = {
            "jsonrpc": "2.0",
            "id": "big",
            "method": "tools/call",
            "params": {"name": "echo", "arguments": {"text": "x" * 100_000}},
        }
        proc.stdin.write((json.dumps(big) + "\n").encode())
        proc.stdin.write((json.dumps({"jsonrpc": "2.0", "id": 3, "method": "ping"}) + "\n").encode())
        proc.stdin.flush()
        refused = _replies_until(proc, "big")[-1]
        assert refused["error"]["code"] == -32600, refused
        assert "4096 bytes" in refused["error"]["message"], refused
        # Nothing of the skipped line leaks into the next message.
        assert _replies_until(proc, 3)[-1]["result"] == {}
    finally:
        proc.stdin.close()
        assert proc.wait(timeout=5) == 0


def test_a_flood_of_garbage_gets_a_bounded_number_of_answers(echo_bin):
    proc = _spawn_raw(echo_bin)
    try:
        _initialize(proc)
        proc.stdin.write(b"garbage\n" * 500)
        proc.stdin.write((json.dumps({"jsonrpc": "2.0", "id": 4, "method": "ping"}) + "\n").encode())
        proc.stdin.flush()
        replies = _replies_until(proc, 4)
        parse_errors = [r for r in replies if r.get("error", {}).get("code") == -32700]
        # Ten a second: 500 lines written at once span at most two windows.
        assert 10 <= len(parse_errors) <= 20, len(parse_errors)
        assert replies[-1]["result"] == {}
    finally:
        proc.stdin.close()
        assert proc.wait(timeout=5) == 0


def test_stdout_carries_only_protocol_messages(echo_bin):
    proc = _spawn_raw(echo_bin)
    _initialize(proc)
    proc.stdin.write((json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n").encode())
    proc.stdin.write((json.dumps({"jsonrpc": "2.0", "id": 3, "method": "tools/list"}) + "\n").encode())
    proc.stdin.close()
    rest = proc.stdout.read().decode().splitlines()
    assert proc.wait(timeout=5) == 0
    assert rest, "expected the tools/list reply"
    for line in rest:
        assert json.loads(line)["jsonrpc"] == "2.0"


@pytest.mark.parametrize("stop", ["sigterm", "eof"])
def test_exits_zero_when_stdio_is_a_socket_pair(echo_bin, stop):
    # Node-based clients (e.g. Claude Code) give the server socket pairs, not
    # FIFOs, so stdin is read on mcp-core's own thread; neither a pending read
    # (SIGTERM) nor EOF may leave the process hanging.
    ours, theirs = socket.socketpair()
    proc = subprocess.Popen(
        [str(echo_bin), "--transport", "stdio"], stdin=theirs, stdout=theirs, stderr=subprocess.DEVNULL
    )
    theirs.close()
    try:
        ours.sendall((json.dumps(INIT) + "\n").encode())
        reply = b""
        while not reply.endswith(b"\n"):
            reply += ours.recv(65536)
        assert json.loads(reply)["id"] == 1
        if stop == "sigterm":
            proc.send_signal(signal.SIGTERM)
        else:
            ours.shutdown(socket.SHUT_WR)
        assert proc.wait(timeout=5) == 0
    finally:
        proc.kill()
        ours.close()
