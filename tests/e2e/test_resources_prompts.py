"""MCP resources (scene, objects, materials, last image) and prompts."""

import base64
import json
from urllib.parse import quote

import png
import pytest


def read_json(server, uri):
    result = server.request_raw(lambda s: s.read_resource(uri))
    (content,) = result.contents
    assert content.mime_type == "application/json"
    return json.loads(content.text)


def test_resources_list_the_scene_objects_and_materials(server):
    listed = server.request_raw(lambda s: s.list_resources()).resources
    uris = {str(r.uri) for r in listed}
    assert {
        "blender://scene",
        "blender://object/Cube",
        "blender://object/Camera",
        "blender://material/Material",
    } <= uris
    templates = {t.uri_template for t in server.request_raw(lambda s: s.list_resource_templates()).resource_templates}
    assert templates == {"blender://object/{name}", "blender://material/{name}", "blender://node_group/{name}"}


def test_a_node_group_reads_as_its_tree(server):
    server.call(
        "execute_blender_code",
        {"code": "bpy.data.node_groups.new('Res Group', 'GeometryNodeTree')"},
    )
    try:
        tree = read_json(server, "blender://node_group/Res%20Group")
        assert tree["nodes"] == [], tree
    finally:
        server.call("execute_blender_code", {"code": "bpy.data.node_groups.remove(bpy.data.node_groups['Res Group'])"})


def test_reading_resources_gives_live_data(server):
    scene = read_json(server, "blender://scene")
    assert "Cube" in {o["name"] for o in scene["objects"]}
    assert scene["counts_by_type"]["MESH"] >= 1
    assert read_json(server, "blender://object/Cube")["mesh"]["vertices"] == 8
    material = read_json(server, "blender://material/Material")
    assert material["objects"] == ["Cube"]


def test_odd_names_travel_percent_encoded(server):
    name = "odd name/with:chars ž"
    server.call(
        "execute_blender_code",
        {
            "code": "o = bpy.data.objects.new(args['n'], None); bpy.context.scene.collection.objects.link(o)",
            "args": {"n": name},
        },
    )
    try:
        uri = "blender://object/" + quote(name, safe="")
        assert uri in {str(r.uri) for r in server.request_raw(lambda s: s.list_resources()).resources}
        assert read_json(server, uri)["name"] == name
    finally:
        server.call(
            "execute_blender_code",
            {"code": "bpy.data.objects.remove(bpy.data.objects[args['n']])", "args": {"n": name}},
        )


def test_unknown_resources_are_errors(server):
    for uri in ["blender://object/NoSuchThing", "blender://nope", "blender://object/%zz"]:
        with pytest.raises(Exception) as caught:
            server.request_raw(lambda s, uri=uri: s.read_resource(uri))
        assert "blender://" in str(caught.value) or "encoding" in str(caught.value)


def test_resource_not_found_names_the_uri_in_data(tmp_path):
    from conftest import free_port
    from harness import RawStdioServer, blender_python

    srv = RawStdioServer(
        ["--port", str(free_port())], {"BLENDER_MCP_BLENDER": str(blender_python())}, tmp_path / "server.log"
    )
    try:
        for uri in ["blender://object/NoSuchThing", "blender://nope", "test://elsewhere"]:
            reply = srv.request("resources/read", {"uri": uri})
            assert reply["error"]["code"] in (-32002, -32602), reply
            assert reply["error"]["data"] == {"uri": uri}, reply
    finally:
        srv.close()


def test_last_render_resource_follows_screenshots(server):
    server.call("get_viewport_screenshot", {"max_size": 48})
    result = server.request_raw(lambda s: s.read_resource("blender://render/last"))
    (content,) = result.contents
    assert content.mime_type == "image/png"
    width, height, _, _ = png.decode(base64.b64decode(content.blob))
    assert max(width, height) == 48


def test_the_build_scene_prompt(server):
    prompts = server.request_raw(lambda s: s.list_prompts()).prompts
    assert [p.name for p in prompts] == ["build_scene"]
    result = server.request_raw(lambda s: s.get_prompt("build_scene", {"goal": "a snowman", "style": "toon"}))
    text = result.messages[0].content.text
    assert "a snowman" in text and "toon" in text and "get_viewport_screenshot" in text
    with pytest.raises(Exception):  # noqa: B017 - the SDK raises its own error type for a JSON-RPC error
        server.request_raw(lambda s: s.get_prompt("build_scene", {}))


def test_writers_announce_resource_list_changes(tmp_path):
    from conftest import free_port
    from harness import RawStdioServer, blender_python

    srv = RawStdioServer(
        ["--port", str(free_port())], {"BLENDER_MCP_BLENDER": str(blender_python())}, tmp_path / "server.log"
    )
    try:

        def changes(name, args, fails=False):
            seen = []
            reply = srv.call_tool(name, args, others=seen)
            failed = "error" in reply or reply["result"].get("isError")
            assert bool(failed) == fails, reply
            # The notification may trail the reply by a moment: a ping flushes it.
            srv.request("ping", {}, others=seen)
            return [m for m in seen if m.get("method") == "notifications/resources/list_changed"]

        assert changes("get_scene_info", {}) == [], "a read-only tool announced a change"
        # Writers that failed (arguments refused, or the tool itself failed) changed nothing.
        assert changes("execute_blender_code", {"code": 5}, fails=True) == []
        assert changes("delete_objects", {"names": ["NoSuchObject"]}, fails=True) == []
        assert len(changes("execute_blender_code", {"code": "bpy.data.materials.new('announced')"})) == 1
    finally:
        srv.close()
