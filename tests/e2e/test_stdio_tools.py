"""End to end: the official MCP Python SDK drives `blender-mcp-rs` over stdio,
which launches and drives a real headless Blender (pip's bpy)."""

import base64
import json

import png
from harness import bpy_version, text_of

TOOLS = {"get_scene_info", "get_object_info", "execute_blender_code", "get_viewport_screenshot"}


def exec_ok(server, code, args=None):
    res = server.call("execute_blender_code", {"code": code, **({"args": args} if args else {})})
    assert not res.is_error, text_of(res)
    return res.structured_content


def test_identifies_itself(server):
    info = server.init_result.server_info
    assert info.name == "blender-mcp-rs"
    assert "get_scene_info" in (server.init_result.instructions or "")


def test_lists_the_tools_with_schemas_and_annotations(server):
    tools = {t.name: t for t in server.list_tools()}
    assert TOOLS <= set(tools)
    assert tools["get_scene_info"].annotations.read_only_hint is True
    assert tools["get_object_info"].annotations.read_only_hint is True
    assert tools["get_viewport_screenshot"].annotations.read_only_hint is True
    assert tools["execute_blender_code"].annotations.read_only_hint is False
    assert tools["execute_blender_code"].annotations.destructive_hint is True
    assert tools["get_object_info"].input_schema["required"] == ["name"]
    assert "code" in tools["execute_blender_code"].input_schema["required"]
    # No output schemas (issue 13: they were 47 % of tools/list); answers still carry structuredContent.
    for name in ("get_scene_info", "get_object_info", "execute_blender_code"):
        assert tools[name].output_schema is None, name


def test_scene_info_describes_the_default_scene(server):
    res = server.call("get_scene_info", {})
    assert not res.is_error, text_of(res)
    scene = res.structured_content
    names = {o["name"] for o in scene["objects"]}
    assert {"Cube", "Camera", "Light"} <= names
    cube = next(o for o in scene["objects"] if o["name"] == "Cube")
    assert cube["type"] == "MESH" and cube["collection"] == "Collection"
    assert scene["object_count"] == len(scene["objects"]) == scene["total_matching"]
    assert scene["next_offset"] is None
    # The text block carries the same data for clients that ignore structured_content.
    assert json.loads(text_of(res))["name"] == scene["name"]


def test_scene_info_pages_and_filters(server):
    exec_ok(
        server,
        """
coll = bpy.data.collections.new("paging")
bpy.context.scene.collection.children.link(coll)
for i in range(25):
    o = bpy.data.objects.new(f"page_item_{i:02d}", None)
    coll.objects.link(o)
""",
    )
    try:
        seen, offset = [], 0
        while offset is not None:
            page = server.call(
                "get_scene_info", {"limit": 10, "offset": offset, "name_contains": "PAGE_item"}
            ).structured_content
            assert page["total_matching"] == 25
            assert len(page["objects"]) <= 10
            seen += [o["name"] for o in page["objects"]]
            offset = page["next_offset"]
        assert sorted(seen) == [f"page_item_{i:02d}" for i in range(25)]
        counted = server.call("get_scene_info", {"limit": 1, "count_types": True}).structured_content
        assert counted["counts_by_type"]["EMPTY"] >= 25 and counted["counts_by_type"]["MESH"] >= 1
    finally:
        exec_ok(
            server,
            """
for o in list(bpy.data.collections["paging"].objects):
    bpy.data.objects.remove(o)
bpy.data.collections.remove(bpy.data.collections["paging"])
""",
        )


def test_scene_info_rejects_a_bad_limit(server):
    res = server.call("get_scene_info", {"limit": 0})
    assert res.is_error and "limit must be between 1 and 1000" in text_of(res)


def test_object_info_of_the_cube(server):
    res = server.call("get_object_info", {"name": "Cube"})
    assert not res.is_error, text_of(res)
    cube = res.structured_content
    assert cube["type"] == "MESH"
    assert cube["dimensions"] == [2.0, 2.0, 2.0]
    assert cube["world_bounding_box"] == {"min": [-1.0, -1.0, -1.0], "max": [1.0, 1.0, 1.0]}
    assert cube["mesh"]["vertices"] == 8 and cube["mesh"]["faces"] == 6 and cube["mesh"]["triangles"] == 12
    assert cube["materials"] == ["Material"]


def test_object_info_follows_changes(server):
    exec_ok(server, "o = bpy.data.objects['Cube']; o.location = (1, 2, 3); o.modifiers.new('Bevel', 'BEVEL')")
    try:
        cube = server.call("get_object_info", {"name": "Cube"}).structured_content
        assert cube["location"] == [1.0, 2.0, 3.0]
        assert cube["modifiers"][0]["type"] == "BEVEL"
    finally:
        exec_ok(
            server, "o = bpy.data.objects['Cube']; o.location = (0, 0, 0); o.modifiers.remove(o.modifiers['Bevel'])"
        )


def test_unknown_object_is_a_readable_error(server):
    res = server.call("get_object_info", {"name": "Cub"})
    assert res.is_error
    text = text_of(res)
    assert "no object named 'Cub'" in text and "'Cube'" in text


def test_execute_returns_value_stdout_and_uses_args(server):
    out = exec_ok(
        server,
        "print('hello from blender')\nresult = {'sum': args['a'] + args['b'], 'version': bpy.app.version_string}",
        {"a": 2, "b": 40},
    )
    assert out["result"]["sum"] == 42
    major_minor = ".".join(bpy_version().split(".")[:2])
    assert out["result"]["version"].startswith(major_minor + ".")
    assert out["stdout"] == "hello from blender\n"
    assert exec_ok(server, "len(bpy.data.objects) * 0 + 7")["result"] == 7
    assert exec_ok(server, "x = 1")["result"] is None
    # Code that ends in an operator call succeeds; the value is its repr.
    assert exec_ok(server, "bpy.ops.object.select_all(action='DESELECT')")["result"] == "{'FINISHED'}"


def test_execute_error_has_type_message_and_traceback(server):
    res = server.call("execute_blender_code", {"code": "print('before')\ndef f():\n    return 1 / 0\nf()"})
    assert res.is_error
    text = text_of(res)
    assert "ZeroDivisionError: division by zero" in text
    assert "line 3" in text and "in f" in text
    assert "before" in text
    # The server and Blender keep serving after a user error.
    assert exec_ok(server, "1 + 1")["result"] == 2


def test_execute_refuses_empty_code_and_non_json_results(server):
    res = server.call("execute_blender_code", {"code": "   "})
    assert res.is_error and "code is empty" in text_of(res)
    res = server.call("execute_blender_code", {"code": "result = bpy.data.objects['Cube']"})
    assert res.is_error and "JSON" in text_of(res)


def test_execute_survives_sys_exit(server):
    res = server.call("execute_blender_code", {"code": "import sys; sys.exit(3)"})
    assert res.is_error and "SystemExit" in text_of(res)
    assert exec_ok(server, "2 * 21")["result"] == 42


def test_missing_and_mistyped_arguments_are_errors(server):
    for name, args in [("get_object_info", {}), ("get_object_info", {"name": 5}), ("get_scene_info", {"limit": "ten"})]:
        try:
            res = server.call(name, args)
        except Exception as exc:  # a JSON-RPC invalid-params error is a fine answer too
            assert "name" in str(exc) or "limit" in str(exc) or "invalid" in str(exc).lower()
        else:
            assert res.is_error, (name, args)
    assert server.call("get_scene_info", {}).is_error is False


def test_screenshot_is_an_inline_png_of_the_requested_size(server):
    res = server.call("get_viewport_screenshot", {"max_size": 320})
    assert not res.is_error, text_of(res)
    images = [c for c in res.content if c.type == "image"]
    assert len(images) == 1 and images[0].mime_type == "image/png"
    width, height, channels, rows = png.decode(base64.b64decode(images[0].data))
    assert max(width, height) == 320
    assert (width, height) == (320, 180)  # the default scene renders at 1920x1080
    assert png.distinct_colours(rows, channels) > 8, "the image is flat: nothing was drawn"
    # The screenshot leaves the scene as it was.
    scene = server.call("get_scene_info", {}).structured_content
    assert scene["render_engine"] != "BLENDER_WORKBENCH" and scene["resolution"] == [1920, 1080]
    assert "blender_mcp_screenshot" not in {o["name"] for o in scene["objects"]}


def test_screenshot_without_a_camera_frames_the_scene(server):
    exec_ok(server, "bpy.context.scene.camera = None")
    try:
        res = server.call("get_viewport_screenshot", {"max_size": 128})
        assert not res.is_error, text_of(res)
        assert "temporary camera" in text_of(res)
        image = next(c for c in res.content if c.type == "image")
        width, height, channels, rows = png.decode(base64.b64decode(image.data))
        assert max(width, height) == 128 and png.distinct_colours(rows, channels) > 8
        assert exec_ok(server, "sorted(o.name for o in bpy.data.objects if o.type == 'CAMERA')")["result"] == ["Camera"]
    finally:
        exec_ok(server, "bpy.context.scene.camera = bpy.data.objects['Camera']")


def test_screenshot_rejects_a_bad_size(server):
    res = server.call("get_viewport_screenshot", {"max_size": 5})
    assert res.is_error and "max_size must be between 16 and 4096" in text_of(res)
