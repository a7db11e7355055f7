"""Streamable HTTP at /mcp with the official Python SDK: initialize-era
sessions, stateless 2026-07-28 requests, progress, graceful drain."""

from __future__ import annotations

import http.client
import json
import signal

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

pytestmark = pytest.mark.anyio


def client_for(server, mode, token=None, terminate_on_close=True):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    http = httpx2.AsyncClient(headers=headers)
    transport = streamable_http_client(server.url("/mcp"), http_client=http, terminate_on_close=terminate_on_close)
    return Client(transport, mode=mode)


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28", "auto"])
async def test_tools_and_progress(start_server, mode):
    server = start_server("--transport", "http", "--bind", "127.0.0.1:0")
    seen = []

    async def on_progress(progress, total, message):
        seen.append(progress)

    async with client_for(server, mode) as client:
        expected = "2025-11-25" if mode == "legacy" else "2026-07-28"
        assert client.protocol_version == expected
        tools = await client.list_tools()
        assert sorted(t.name for t in tools.tools) == ["add", "announce", "echo", "slow"]
        added = await client.call_tool("add", {"a": 1.5, "b": 2})
        assert added.structured_content == {"sum": 3.5}
        slow = await client.call_tool("slow", {"steps": 3, "step_ms": 30}, progress_callback=on_progress)
        assert slow.content[0].text == "done after 3 steps"
    assert seen == [1.0, 2.0, 3.0]


def _post(server, body: bytes, headers=None):
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    conn.request(
        "POST",
        "/mcp",
        body=body,
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream",
            **(headers or {}),
        },
    )
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response, data


def _jsonrpc_from(response, data):
    """The JSON-RPC message in a JSON or single-event SSE response body."""
    text = data.decode()
    if response.getheader("Content-Type", "").startswith("text/event-stream"):
        payloads = [line[5:].strip() for line in text.splitlines() if line.startswith("data:")]
        payloads = [p for p in payloads if p]
        return json.loads(payloads[-1])
    return json.loads(text)


def test_raw_stateless_2026_request(start_server):
    server = start_server("--transport", "http", "--bind", "127.0.0.1:0")
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"},
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    body = json.dumps(
        {
            "jsonrpc": "2.0",
            "id": 5,
            "method": "tools/call",
            "params": {"name": "echo", "arguments": {"text": "stateless"}, "_meta": meta},
        }
    ).encode()
    # 2026-07-28 mirrors the method and tool name into headers (Mcp-Method, Mcp-Name).
    response, data = _post(
        server, body, {"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": "echo"}
    )
    assert response.status == 200, data
    assert response.getheader("Mcp-Session-Id") is None
    reply = _jsonrpc_from(response, data)
    assert reply["id"] == 5
    assert reply["result"]["content"][0]["text"] == "stateless"


@pytest.mark.parametrize("body", [b"{not json", b'{"jsonrpc":"2.0","id":9}', b"[]", b'"x"'])
def test_malformed_jsonrpc_gets_error_and_server_keeps_serving(start_server, body):
    server = start_server("--transport", "http", "--bind", "127.0.0.1:0")
    response, data = _post(server, body)
    assert 400 <= response.status < 500, (response.status, data)
    error = _jsonrpc_from(response, data)
    assert error["jsonrpc"] == "2.0"
    assert error["error"]["code"] in (-32700, -32600, -32602, -32601)
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
    }
    response, data = _post(server, json.dumps(init).encode())
    assert response.status == 200
    assert _jsonrpc_from(response, data)["result"]["serverInfo"]["name"] == "echo-server"


async def test_sigterm_drains_an_in_flight_call(start_server):
    server = start_server("--transport", "all", "--bind", "127.0.0.1:0")
    result = {}
    # The server is gone by the time the client closes, so no DELETE on close.
    async with client_for(server, "legacy", terminate_on_close=False) as client:
        # Cache the tool list now: the SDK fetches it after a call to validate
        # structured output, and after shutdown nobody would answer.
        await client.list_tools()
        async with anyio.create_task_group() as group:

            async def call():
                result["slow"] = await client.call_tool("slow", {"steps": 10, "step_ms": 100})

            group.start_soon(call)
            await anyio.sleep(0.4)
            server.proc.send_signal(signal.SIGTERM)
    assert result["slow"].content[0].text == "done after 10 steps"
    assert await anyio.to_thread.run_sync(lambda: server.proc.wait(timeout=15)) == 0
    assert "draining in-flight calls" in server.log
