"""Tool groups on demand (issue 13): a core listing by default, enable_tools
and disable_tools with notifications/tools/list_changed over stdio and
Streamable HTTP, --tools and BLENDER_MCP_TOOLS, unknown groups refused, and
tools of unlisted groups still callable. Real server, real MCP SDK client."""

import json
import os
import subprocess

import anyio
import pytest
from conftest import free_port
from harness import blender_python, server_binary, text_of
from http_process import HttpProcess
from mcp import Client, StdioServerParameters, types
from mcp.client.streamable_http import streamable_http_client

pytestmark = pytest.mark.anyio

CORE = {
    "get_scene_info",
    "get_object_info",
    "execute_blender_code",
    "get_viewport_screenshot",
    "batch",
    "list_collections",
    "list_datablocks",
    "scene_statistics",
    "enable_tools",
    "disable_tools",
}
GROUPS = [
    "objects",
    "materials_nodes",
    "modifiers",
    "animation",
    "render",
    "files_assets",
    "api_docs",
    "mesh",
    "instances",
    "farm",
]


@pytest.fixture(scope="module")
def anyio_backend():
    return "asyncio"


class Notifications:
    """Collects a client's server notifications, for waiting on list_changed."""

    def __init__(self):
        self.seen: list[object] = []

    async def __call__(self, message):
        self.seen.append(message)

    def list_changed(self) -> int:
        return sum(isinstance(m, types.ToolListChangedNotification) for m in self.seen)

    async def wait_list_changed(self, count: int):
        with anyio.fail_after(30):
            while self.list_changed() < count:
                await anyio.sleep(0.01)


def stdio(*args: str, tools: str | None = "", handler=None) -> Client:
    """A stdio client of a server launching its own Blender; `tools` is
    BLENDER_MCP_TOOLS ("" = unset: the default)."""
    env = {"RUST_LOG": "warn", "BLENDER_MCP_BLENDER": str(blender_python())}
    if tools is not None:
        env["BLENDER_MCP_TOOLS"] = tools
    params = StdioServerParameters(
        command=str(server_binary()), args=["--port", str(free_port()), *args], env={**os.environ, **env}
    )
    return Client(params, message_handler=handler, mode="legacy")


async def names(client: Client) -> set[str]:
    return {t.name for t in (await client.list_tools(cache_mode="bypass")).tools}


async def test_the_default_listing_is_core_and_small():
    async with stdio() as client:
        listed = await client.list_tools(cache_mode="bypass")
        assert {t.name for t in listed.tools} == CORE
        wire = json.dumps(listed.model_dump(by_alias=True, exclude_none=True), separators=(",", ":"))
        assert len(wire.encode()) <= 16 * 1024, len(wire)
        enable = next(t for t in listed.tools if t.name == "enable_tools")
        for group in GROUPS:
            assert f"\n{group}: " in enable.description, group
        assert all(t.output_schema is None for t in listed.tools)
        assert "$schema" not in json.dumps([t.input_schema for t in listed.tools])
        instructions = client.instructions
        assert "enable_tools" in instructions and "create_object" not in instructions
        assert client.server_capabilities.tools.list_changed is True


async def _enable_and_disable(client: Client, notes: Notifications):
    assert "render_image" not in await names(client)
    enabled = await client.call_tool("enable_tools", {"groups": ["render", "mesh"]})
    assert not enabled.is_error, text_of(enabled)
    assert enabled.structured_content["changed"] is True
    assert {"core", "render", "mesh"} == set(enabled.structured_content["listed"])
    await notes.wait_list_changed(1)
    listed = await names(client)
    assert {"render_image", "add_light", "analyze_mesh"} <= listed and "set_material" not in listed
    again = await client.call_tool("enable_tools", {"groups": ["render"]})
    assert again.structured_content["changed"] is False
    disabled = await client.call_tool("disable_tools", {"groups": ["render", "core"]})
    assert disabled.structured_content["changed"] is True
    await notes.wait_list_changed(2)
    listed = await names(client)
    assert "render_image" not in listed and "analyze_mesh" in listed and CORE <= listed
    everything = await client.call_tool("enable_tools", {"groups": ["all"]})
    assert not everything.is_error
    assert len(await names(client)) >= 45


async def test_enable_and_disable_over_stdio():
    notes = Notifications()
    async with stdio(handler=notes) as client:
        await _enable_and_disable(client, notes)


@pytest.fixture(scope="module")
def http_server():
    srv = HttpProcess(
        [str(server_binary()), "--transport", "http", "--bind", "127.0.0.1:0", "--port", str(free_port())],
        env={"BLENDER_MCP_BLENDER": str(blender_python()), "BLENDER_MCP_TOOLS": ""},
    )
    yield srv
    assert srv.stop() == 0, srv.log


async def test_enable_and_disable_over_streamable_http(http_server):
    notes = Notifications()
    async with Client(streamable_http_client(http_server.url("/mcp")), mode="legacy", message_handler=notes) as client:
        await _enable_and_disable(client, notes)
    # Another session starts from the server's groups, not from what that one enabled.
    async with Client(streamable_http_client(http_server.url("/mcp")), mode="legacy") as other:
        assert await names(other) == CORE


async def test_a_stateless_request_is_told_it_has_no_session(http_server):
    async with Client(streamable_http_client(http_server.url("/mcp")), mode="2026-07-28") as client:
        assert await names(client) == CORE
        answer = await client.call_tool("enable_tools", {"groups": ["render"]})
        assert not answer.is_error and answer.structured_content["changed"] is False
        assert "stateless" in answer.structured_content["note"]


async def test_tools_all_flag_and_the_env_var():
    async with stdio("--tools", "all") as client:
        assert len(await names(client)) >= 45
    async with stdio(tools="render,mesh") as client:
        assert await names(client) - CORE == {
            "add_camera",
            "add_light",
            "point_at",
            "set_active_camera",
            "set_light",
            "render_image",
            "render_animation",
            "analyze_mesh",
        }


async def test_an_unknown_group_is_refused_with_the_valid_ones():
    async with stdio() as client:
        bad = await client.call_tool("enable_tools", {"groups": ["render", "lights"]})
        assert bad.is_error
        message = text_of(bad)
        assert '"lights"' in message and "materials_nodes" in message and "files_assets" in message
        assert await names(client) == CORE, "nothing was enabled"
    refused = subprocess.run(
        [str(server_binary()), "--tools", "core,lights"],
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert refused.returncode != 0
    assert '"lights"' in refused.stderr and "materials_nodes" in refused.stderr


async def test_a_tool_of_an_unlisted_group_can_still_be_called():
    async with stdio() as client:
        assert "list_materials" not in await names(client)
        answer = await client.call_tool("list_materials", {})
        assert not answer.is_error, text_of(answer)
        assert "materials" in answer.structured_content
        made = await client.call_tool("create_object", {"kind": "empty", "name": "unlisted_empty"})
        assert not made.is_error, text_of(made)
        assert made.structured_content["name"] == "unlisted_empty"


async def test_read_only_combines_with_groups_and_its_instructions_name_no_hidden_tool():
    async with stdio("--read-only", "--tools", "core,objects") as client:
        listed = await names(client)
        assert "execute_blender_code" not in listed and "create_object" not in listed
        assert {"get_scene_info", "enable_tools", "list_datablocks"} <= listed
        assert "execute_blender_code" not in client.instructions
        everything = await client.call_tool("enable_tools", {"groups": ["all"]})
        assert not everything.is_error
        assert all(t.annotations.read_only_hint is True for t in (await client.list_tools(cache_mode="bypass")).tools)
