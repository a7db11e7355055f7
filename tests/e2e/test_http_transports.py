"""blender-mcp-rs over Streamable HTTP (initialize-era and stateless 2026
clients) and legacy HTTP+SSE, all on one port, sharing one Blender."""

import base64

import png
import pytest
from harness import blender_python, server_binary
from http_process import HttpProcess
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
def http_server():
    from conftest import free_port

    srv = HttpProcess(
        [str(server_binary()), "--transport", "all", "--bind", "127.0.0.1:0", "--port", str(free_port())],
        env={"BLENDER_MCP_BLENDER": str(blender_python())},
    )
    yield srv
    assert srv.stop() == 0, srv.log


def clients(srv):
    return {
        "streamable-legacy": lambda: Client(streamable_http_client(srv.url("/mcp")), mode="legacy"),
        "streamable-2026": lambda: Client(streamable_http_client(srv.url("/mcp")), mode="2026-07-28"),
        "sse": lambda: Client(sse_client(srv.url("/sse")), mode="legacy"),
    }


@pytest.mark.parametrize("kind", ["streamable-legacy", "streamable-2026", "sse"])
async def test_every_tool_over(http_server, kind):
    async with clients(http_server)[kind]() as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert {"get_scene_info", "get_object_info", "execute_blender_code", "get_viewport_screenshot"} <= names
        tag = kind.replace("-", "_")
        made = await client.call_tool(
            "execute_blender_code",
            {
                "code": "o = bpy.data.objects.new(args['name'], None); bpy.context.scene.collection.objects.link(o); o.name",
                "args": {"name": f"http_{tag}"},
            },
        )
        assert not made.is_error and made.structured_content["result"] == f"http_{tag}"
        scene = await client.call_tool("get_scene_info", {"name_contains": f"http_{tag}"})
        assert [o["name"] for o in scene.structured_content["objects"]] == [f"http_{tag}"]
        cube = await client.call_tool("get_object_info", {"name": "Cube"})
        assert cube.structured_content["mesh"]["vertices"] == 8
        shot = await client.call_tool("get_viewport_screenshot", {"max_size": 64})
        image = next(c for c in shot.content if c.type == "image")
        width, height, _, _ = png.decode(base64.b64decode(image.data))
        assert max(width, height) == 64
        bad = await client.call_tool("get_object_info", {"name": "no such object"})
        assert bad.is_error


async def test_all_transports_share_one_blender(http_server):
    async with clients(http_server)["sse"]() as sse, clients(http_server)["streamable-2026"]() as http:
        await sse.call_tool("execute_blender_code", {"code": "bpy.context.scene['shared_marker'] = 41"})
        seen = await http.call_tool("execute_blender_code", {"code": "bpy.context.scene['shared_marker'] + 1"})
        assert seen.structured_content["result"] == 42


def _post(srv, body: bytes, headers: dict):
    import http.client

    host, port = srv.addr.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request(
        "POST",
        "/mcp",
        body=body,
        headers={"Content-Type": "application/json", "Accept": "application/json, text/event-stream", **headers},
    )
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data


def _announce_body(srv, length: int, headers: dict) -> int:
    """Announces a body of `length` bytes and sends none: an oversized body
    must be refused on its Content-Length, before it is read."""
    import http.client

    host, port = srv.addr.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.putrequest("POST", "/mcp")
    for name, value in {"Content-Type": "application/json", "Content-Length": str(length), **headers}.items():
        conn.putheader(name, value)
    conn.endheaders()
    status = conn.getresponse().status
    conn.close()
    return status


def test_the_binary_guards_its_http_endpoints(tmp_path):
    """The same guards mcp-core's own tests check, on the real binary: a
    server that can run Python in Blender must refuse strangers."""
    token = "http-token-" + "ab" * 16
    (tmp_path / "token").write_text(token + "\n")
    srv = HttpProcess(
        [
            str(server_binary()),
            "--transport",
            "http",
            "--bind",
            "127.0.0.1:0",
            "--no-launch",
            "--http-token-file",
            str(tmp_path / "token"),
        ]
    )
    try:
        init = b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}'
        auth = {"Authorization": f"Bearer {token}"}
        assert _post(srv, init, {})[0] == 401
        assert _post(srv, init, {"Authorization": "Bearer wrong"})[0] == 401
        assert _post(srv, init, {**auth, "Origin": "http://evil.example"})[0] == 403
        assert _post(srv, init, {**auth, "Host": "evil.example"})[0] == 403
        assert _announce_body(srv, 5 * 1024 * 1024, auth) == 413
        status, body = _post(srv, b"{not json", auth)
        assert b"jsonrpc" in body and b"error" in body, (status, body)
        assert _post(srv, init, auth)[0] == 200
        assert token not in srv.log
    finally:
        assert srv.stop() == 0, srv.log


def test_non_loopback_bind_needs_a_token_and_an_explicit_flag():
    import subprocess

    for extra in ([], ["--allow-non-loopback"]):
        done = subprocess.run(
            [str(server_binary()), "--transport", "http", "--bind", "0.0.0.0:0", "--no-launch", *extra],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode != 0
        assert "non-loopback" in done.stderr, done.stderr
