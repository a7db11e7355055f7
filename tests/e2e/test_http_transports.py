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
    srv = HttpProcess([str(server_binary()), "--transport", "all", "--bind", "127.0.0.1:0",
                       "--port", str(free_port())],
                      env={"BLENDER_MCP_BLENDER": str(blender_python())})
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
        made = await client.call_tool("execute_blender_code", {
            "code": "o = bpy.data.objects.new(args['name'], None); bpy.context.scene.collection.objects.link(o); o.name",
            "args": {"name": f"http_{tag}"}})
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
