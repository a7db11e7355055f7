"""--read-only: inspection only; code execution and edits are hidden and refused."""

from conftest import free_port
from harness import McpServer, blender_python


def test_read_only_hides_and_refuses_every_writer(tmp_path):
    with McpServer(
        args=["--port", str(free_port()), "--read-only"],
        env={"BLENDER_MCP_BLENDER": str(blender_python())},
        stderr_path=tmp_path / "server.log",
    ) as srv:
        tools = {t.name: t for t in srv.list_tools()}
        assert {"get_scene_info", "get_object_info", "get_viewport_screenshot"} <= set(tools)
        assert "execute_blender_code" not in tools
        assert all(t.annotations.read_only_hint is True for t in tools.values()), sorted(tools)
        try:
            res = srv.call("execute_blender_code", {"code": "bpy.data.objects.remove(bpy.data.objects['Cube'])"})
        except Exception as exc:  # an unknown-tool JSON-RPC error
            assert "not found" in str(exc).lower()
        else:
            assert res.is_error
        # Nothing was deleted, and inspection still works.
        scene = srv.call("get_scene_info", {}).structured_content
        assert "Cube" in {o["name"] for o in scene["objects"]}


def test_no_exec_is_an_alias(tmp_path):
    with McpServer(
        args=["--port", str(free_port()), "--no-exec", "--no-launch"], stderr_path=tmp_path / "server.log"
    ) as srv:
        assert "execute_blender_code" not in {t.name for t in srv.list_tools()}
