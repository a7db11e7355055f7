"""The original Python MCP server (PyPI ``blender-mcp``, now
``mcp-for-blender``) driving this addon over the original protocol, through
the official MCP Python SDK client (PROTOCOL.md section 10).

Opt-in, like the Blender-binary tests, because it needs that server
installed from PyPI::

    python3 -m venv /tmp/original-mcp && /tmp/original-mcp/bin/pip install blender-mcp
    BLENDER_MCP_ORIGINAL_SERVER=/tmp/original-mcp/bin/blender-mcp pytest addon/tests/test_original_server.py

When the variable is set, a missing executable FAILS.
"""

import asyncio
import os

import pytest
from blender_host import AddonProcess

SERVER = os.environ.get("BLENDER_MCP_ORIGINAL_SERVER")
pytestmark = pytest.mark.skipif(
    not SERVER, reason="set BLENDER_MCP_ORIGINAL_SERVER to the original server's executable"
)


@pytest.fixture(scope="module")
def legacy_addon(bpy_python, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("original")
    (workdir / "token").write_text("original-server-token-0123456789ab\n")
    process = AddonProcess.start_module(
        bpy_python, workdir, ["--token-file", str(workdir / "token"), "--legacy-protocol"]
    )
    yield process
    process.kill()


async def _drive(port):
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    env = dict(os.environ, BLENDER_HOST="127.0.0.1", BLENDER_PORT=str(port), DISABLE_TELEMETRY="true")
    outcomes = {}
    async with stdio_client(StdioServerParameters(command=SERVER, args=[], env=env)) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            tools = {tool.name for tool in (await session.list_tools()).tools}
            calls = [("get_scene_info", {}), ("execute_blender_code", {"code": "print('from the original server')"})]
            # The screenshot tool is get_viewport_screenshot in older releases, look in newer ones.
            calls.append(("look", {}) if "look" in tools else ("get_viewport_screenshot", {"max_size": 100}))
            for name, arguments in calls:
                assert name in tools, (name, tools)
                outcomes[name] = await session.call_tool(name, arguments)
    return outcomes


def _field(obj, *names):
    """SDK releases differ in field spelling (isError / is_error)."""
    for name in names:
        value = getattr(obj, name, None)
        if value is not None:
            return value
    return None


def test_the_original_server_reads_the_scene_runs_code_and_gets_a_screenshot(legacy_addon):
    assert os.access(SERVER, os.X_OK), "BLENDER_MCP_ORIGINAL_SERVER=%s is not an executable" % SERVER
    outcomes = asyncio.run(asyncio.wait_for(_drive(legacy_addon.port), 180))
    scene = outcomes["get_scene_info"]
    assert not _field(scene, "is_error", "isError") and "Cube" in scene.content[0].text
    code = outcomes["execute_blender_code"]
    assert not _field(code, "is_error", "isError") and "from the original server" in code.content[0].text
    shot = outcomes.get("look") or outcomes["get_viewport_screenshot"]
    images = [c for c in shot.content if c.type == "image"]
    assert images and _field(images[0], "mime_type", "mimeType") == "image/png", shot
    assert len(images[0].data) > 100
