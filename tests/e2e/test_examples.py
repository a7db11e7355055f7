"""The runnable examples, each against a real headless Blender."""

import urllib.request

import png
import pytest
from harness import McpServer, blender_python, text_of
from http_process import HttpProcess, example_binary
from mcp import Client
from mcp.client.streamable_http import streamable_http_client


def test_build_and_render_writes_a_cycles_png(tmp_path):
    import subprocess

    out = tmp_path / "render.png"
    done = subprocess.run(
        [str(example_binary("build_and_render")), "--out", str(out), "--blender", str(blender_python())],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "rendered" in done.stdout
    width, height, channels, rows = png.decode(out.read_bytes())
    assert (width, height) == (320, 240)
    assert png.distinct_colours(rows, channels) > 16


def test_agent_server_offers_its_own_tool_and_the_blender_tools(tmp_path):
    from conftest import free_port  # noqa: F401  (the example attaches to 9876 or launches)

    with McpServer(
        command=example_binary("agent_server"),
        env={"BLENDER_MCP_BLENDER": str(blender_python())},
        stderr_path=tmp_path / "agent.log",
    ) as srv:
        names = {t.name for t in srv.list_tools()}
        assert {"take_note", "get_scene_info", "execute_blender_code"} <= names
        first = srv.call("take_note", {"text": "hello"})
        assert not first.is_error, text_of(first)
        assert first.structured_content["count"] == 1 and first.structured_content["objects_in_scene"] >= 1
        scene = srv.call("get_scene_info", {}).structured_content
        assert scene["object_count"] == first.structured_content["objects_in_scene"]


@pytest.mark.anyio
async def test_http_embed_serves_under_its_own_path():
    srv = HttpProcess(
        [str(example_binary("http_embed")), "--bind", "127.0.0.1:0"],
        env={"BLENDER_MCP_BLENDER": str(blender_python())},
        ready=r"LISTENING (\S+)/studio/blender/mcp",
    )
    try:
        with urllib.request.urlopen(srv.url("/studio/health"), timeout=10) as resp:
            assert resp.read() == b"ok"
        async with Client(streamable_http_client(srv.url("/studio/blender/mcp")), mode="legacy") as client:
            res = await client.call_tool("execute_blender_code", {"code": "2 + 40"})
            assert res.structured_content["result"] == 42
    finally:
        assert srv.stop() == 0, srv.log


@pytest.fixture
def anyio_backend():
    return "asyncio"
