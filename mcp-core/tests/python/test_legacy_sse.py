"""Legacy HTTP+SSE (2024-11-05) end to end: the SDK's SSE client, plus raw
checks of the endpoint event, keep-alives, malformed input and cleanup."""

from __future__ import annotations

import json
import time

import pytest
from mcp import Client
from mcp.client.sse import sse_client
from sse_raw import RawSse, post

INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2024-11-05", "capabilities": {}, "clientInfo": {"name": "raw-sse", "version": "0"}},
}


@pytest.mark.anyio
@pytest.mark.parametrize("transport", ["sse", "all"])
async def test_sdk_sse_client_end_to_end(start_server, transport):
    server = start_server("--transport", transport, "--bind", "127.0.0.1:0")
    seen = []

    async def on_progress(progress, total, message):
        seen.append(progress)

    async with Client(sse_client(server.url("/sse")), mode="legacy") as client:
        tools = await client.list_tools()
        assert sorted(t.name for t in tools.tools) == ["add", "announce", "echo", "slow"]
        added = await client.call_tool("add", {"a": 20, "b": 22})
        assert added.structured_content == {"sum": 42.0}
        slow = await client.call_tool("slow", {"steps": 3, "step_ms": 20}, progress_callback=on_progress)
        assert slow.content[0].text == "done after 3 steps"
    assert seen == [1.0, 2.0, 3.0]


def test_endpoint_event_then_replies_on_the_stream(start_server):
    server = start_server("--transport", "sse", "--bind", "127.0.0.1:0")
    stream = RawSse(server.host, server.port)
    try:
        assert stream.status == 200
        assert stream.response.getheader("Content-Type").startswith("text/event-stream")
        name, endpoint, _ = stream.next_event()
        assert name == "endpoint"
        assert endpoint.startswith("/messages?sessionId=")
        response, _ = post(server.host, server.port, endpoint, json.dumps(INIT).encode())
        assert response.status == 202
        reply = stream.next_message()
        assert reply["id"] == 1
        assert reply["result"]["protocolVersion"] == "2024-11-05"
        assert reply["result"]["serverInfo"]["name"] == "echo-server"
    finally:
        stream.close()


def test_keep_alive_comments_on_idle_stream(start_server):
    server = start_server("--transport", "sse", "--bind", "127.0.0.1:0", "--sse-keep-alive-ms", "200")
    stream = RawSse(server.host, server.port)
    try:
        stream.next_event()  # endpoint
        started = time.monotonic()
        comments = 0
        while comments < 2 and time.monotonic() - started < 5:
            if stream.read_line().startswith(":"):
                comments += 1
        assert comments == 2
    finally:
        stream.close()


@pytest.mark.parametrize(
    "body,code",
    [
        (b"{nope", -32700),
        (b'{"jsonrpc":"2.0","id":4}', -32600),
        (b"[]", -32600),
        (b'{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":5}}', -32602),
    ],
)
def test_malformed_message_gets_jsonrpc_error_and_session_survives(start_server, body, code):
    server = start_server("--transport", "sse", "--bind", "127.0.0.1:0")
    stream = RawSse(server.host, server.port)
    try:
        _, endpoint, _ = stream.next_event()
        response, data = post(server.host, server.port, endpoint, body)
        assert response.status == 400
        error = json.loads(data)
        assert error["jsonrpc"] == "2.0" and error["error"]["code"] == code
        # Only a request (it has a method) is answered by its id.
        assert error.get("id") == (6 if code == -32602 else None), error
        response, _ = post(server.host, server.port, endpoint, json.dumps(INIT).encode())
        assert response.status == 202
        assert stream.next_message()["id"] == 1
    finally:
        stream.close()


def test_unknown_or_missing_session_is_refused(start_server):
    server = start_server("--transport", "sse", "--bind", "127.0.0.1:0")
    response, _ = post(server.host, server.port, "/messages?sessionId=nope", json.dumps(INIT).encode())
    assert response.status == 404
    response, _ = post(server.host, server.port, "/messages", json.dumps(INIT).encode())
    assert response.status == 400


def test_session_is_removed_when_the_stream_drops(start_server):
    server = start_server("--transport", "sse", "--bind", "127.0.0.1:0")
    stream = RawSse(server.host, server.port)
    _, endpoint, _ = stream.next_event()
    response, _ = post(server.host, server.port, endpoint, json.dumps(INIT).encode())
    assert response.status == 202
    stream.next_message()
    session_id = endpoint.split("sessionId=")[1]
    stream.close()
    server.wait_for(
        rf"session={session_id} live_sessions=0.*legacy SSE session closed"
        rf"|legacy SSE session closed.*session={session_id} live_sessions=0"
    )
    # The rmcp service task (and the handler it owns) is gone too.
    server.wait_for(
        rf"session={session_id}.*legacy SSE session task ended"
        rf"|legacy SSE session task ended.*session={session_id}"
    )
    deadline = time.monotonic() + 5
    while True:
        response, _ = post(server.host, server.port, endpoint, json.dumps(INIT).encode())
        if response.status == 404 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert response.status == 404


@pytest.mark.anyio
async def test_sigterm_drains_an_in_flight_sse_call(start_server):
    import signal

    import anyio

    server = start_server("--transport", "sse", "--bind", "127.0.0.1:0")
    result = {}
    async with Client(sse_client(server.url("/sse")), mode="legacy") as client:
        # Cache the tool list: the SDK re-fetches it after a call otherwise.
        await client.list_tools()
        async with anyio.create_task_group() as group:

            async def call():
                result["slow"] = await client.call_tool("slow", {"steps": 8, "step_ms": 100})

            group.start_soon(call)
            await anyio.sleep(0.3)
            server.proc.send_signal(signal.SIGTERM)
    assert result["slow"].content[0].text == "done after 8 steps"
    assert await anyio.to_thread.run_sync(lambda: server.proc.wait(timeout=15)) == 0
