"""Object tools end to end: MCP SDK -> blender-mcp-rs -> real headless Blender."""

import pytest
from tools_helpers import fails, ok, py, remove_objects

PRIMITIVES = ["cube", "plane", "grid", "circle", "uv_sphere", "ico_sphere", "cylinder", "cone", "torus", "monkey"]


def test_object_tools_are_listed_with_schemas_and_annotations(tools_server):
    tools = {t.name: t for t in tools_server.list_tools()}
    for name in (
        "create_object",
        "duplicate_object",
        "delete_objects",
        "rename_object",
        "set_parent",
        "set_transform",
        "select_objects",
        "set_visibility",
        "move_to_collection",
    ):
        assert name in tools, name
        assert tools[name].output_schema is None, name
        assert tools[name].annotations.read_only_hint is False, name
    assert tools["delete_objects"].annotations.destructive_hint is True
    assert "uv_sphere" in str(tools["create_object"].input_schema)


@pytest.mark.parametrize("kind", PRIMITIVES)
def test_create_mesh_primitives(tools_server, kind):
    name = f"prim_{kind}"
    obj = ok(
        tools_server,
        "create_object",
        {"kind": kind, "name": name, "location": [1, 2, 3], "rotation_degrees": [0, 0, 90], "scale": [2, 2, 2]},
    )
    try:
        assert obj["name"] == name and obj["type"] == "MESH"
        assert obj["location"] == [1, 2, 3] and obj["rotation_degrees"][2] == pytest.approx(90)
        info = ok(tools_server, "get_object_info", {"name": name})
        assert info["mesh"]["vertices"] > 0
        assert info["mesh"]["edges" if kind == "circle" else "faces"] > 0  # a circle is an edge loop
        assert info["scale"] == [2, 2, 2]
    finally:
        ok(tools_server, "delete_objects", {"names": [name]})


def test_create_empty_text_and_curve_into_a_collection(tools_server):
    made = []
    try:
        py(tools_server, "c = bpy.data.collections.new('obj_tests'); bpy.context.scene.collection.children.link(c)")
        for kind, typ in (("empty", "EMPTY"), ("text", "FONT"), ("curve", "CURVE")):
            obj = ok(
                tools_server,
                "create_object",
                {"kind": kind, "name": f"k_{kind}", "text": "Hi", "collection": "obj_tests"},
            )
            made.append(obj["name"])
            assert obj["type"] == typ and obj["collections"] == ["obj_tests"]
        assert py(tools_server, "result = bpy.data.objects['k_text'].data.body") == "Hi"
    finally:
        remove_objects(tools_server, *made)
        py(tools_server, "bpy.data.collections.remove(bpy.data.collections['obj_tests'])")


def test_create_rejects_bad_input_and_unknown_collection(tools_server):
    assert "size" in fails(tools_server, "create_object", {"kind": "cube", "size": -1})
    text = fails(tools_server, "create_object", {"kind": "cube", "collection": "Colection"})
    assert "no collection named 'Colection'" in text and "'Collection'" in text
    # The server keeps serving after refusals.
    assert ok(tools_server, "get_scene_info", {"limit": 1})["name"]


def test_transform_absolute_and_relative(tools_server):
    ok(tools_server, "create_object", {"kind": "cube", "name": "tf_cube"})
    try:
        t = ok(tools_server, "set_transform", {"name": "tf_cube", "location": [1, 1, 1], "scale": [2, 2, 2]})
        assert t["location"] == [1, 1, 1] and t["scale"] == [2, 2, 2]
        t = ok(
            tools_server,
            "set_transform",
            {
                "name": "tf_cube",
                "location": [1, 0, -1],
                "rotation_degrees": [0, 0, 45],
                "scale": [0.5, 1, 2],
                "relative": True,
            },
        )
        assert t["location"] == [2, 1, 0] and t["scale"] == [1, 2, 4]
        assert t["rotation_degrees"][2] == pytest.approx(45)
        assert "at least one" in fails(tools_server, "set_transform", {"name": "tf_cube"})
        text = fails(tools_server, "set_transform", {"name": "tf_cub", "location": [0, 0, 0]})
        assert "no object named 'tf_cub'" in text and "tf_cube" in text
    finally:
        remove_objects(tools_server, "tf_cube")


def test_duplicate_rename_and_delete(tools_server):
    ok(tools_server, "create_object", {"kind": "cube", "name": "dup_src", "location": [0, 0, 0]})
    try:
        copy = ok(tools_server, "duplicate_object", {"name": "dup_src", "new_name": "dup_copy", "location": [3, 0, 0]})
        assert copy["name"] == "dup_copy" and copy["location"] == [3, 0, 0] and copy["data"] != "dup_src"
        linked = ok(tools_server, "duplicate_object", {"name": "dup_src", "new_name": "dup_linked", "linked": True})
        assert linked["data"] == "dup_src"
        assert "already exists" in fails(tools_server, "rename_object", {"name": "dup_copy", "new_name": "dup_src"})
        renamed = ok(
            tools_server, "rename_object", {"name": "dup_copy", "new_name": "dup_renamed", "rename_data": True}
        )
        assert renamed["name"] == "dup_renamed" and renamed["data"] == "dup_renamed"
        # All or nothing: one unknown name deletes nothing.
        assert "no object named 'nope'" in fails(tools_server, "delete_objects", {"names": ["dup_renamed", "nope"]})
        assert py(tools_server, "result = 'dup_renamed' in bpy.data.objects") is True
        out = ok(tools_server, "delete_objects", {"names": ["dup_renamed", "dup_linked"]})
        assert sorted(out["deleted"]) == ["dup_linked", "dup_renamed"]
        assert out["removed_data"] == ["dup_renamed"]  # dup_linked's mesh is still used by dup_src
        assert py(
            tools_server, "result = [n in bpy.data.objects for n in ('dup_renamed', 'dup_linked', 'dup_src')]"
        ) == [False, False, True]
    finally:
        remove_objects(tools_server, "dup_src", "dup_copy", "dup_linked", "dup_renamed")


def test_parent_keeps_world_position_and_refuses_loops(tools_server):
    ok(tools_server, "create_object", {"kind": "empty", "name": "par_parent", "location": [1, 2, 3]})
    ok(tools_server, "create_object", {"kind": "cube", "name": "par_child", "location": [2, 2, 3]})
    try:
        child = ok(tools_server, "set_parent", {"name": "par_child", "parent": "par_parent"})
        assert child["parent"] == "par_parent" and child["location"] == [1, 0, 0]
        world = py(
            tools_server,
            "bpy.context.view_layer.update(); result = list(bpy.data.objects['par_child'].matrix_world.translation)",
        )
        assert world == pytest.approx([2, 2, 3])
        assert "parent loop" in fails(tools_server, "set_parent", {"name": "par_parent", "parent": "par_child"})
        cleared = ok(tools_server, "set_parent", {"name": "par_child", "parent": None})
        assert cleared["parent"] is None and cleared["location"] == pytest.approx([2, 2, 3])
    finally:
        remove_objects(tools_server, "par_child", "par_parent")


def test_select_hide_and_move_to_collection(tools_server):
    for n in ("sel_a", "sel_b"):
        ok(tools_server, "create_object", {"kind": "cube", "name": n})
    try:
        sel = ok(tools_server, "select_objects", {"names": ["sel_a", "sel_b"], "active": "sel_b"})
        assert sel["selected"] == ["sel_a", "sel_b"] or sorted(sel["selected"]) == ["sel_a", "sel_b"]
        assert sel["active"] == "sel_b"
        sel = ok(tools_server, "select_objects", {"names": ["sel_a"]})
        assert sel["selected"] == ["sel_a"]
        vis = ok(tools_server, "set_visibility", {"names": ["sel_a"], "viewport": False, "render": False})
        assert vis["objects"] == [{"name": "sel_a", "viewport": False, "render": False}]
        assert py(tools_server, "o = bpy.data.objects['sel_a']; result = [o.hide_viewport, o.hide_render]") == [
            True,
            True,
        ]
        moved = ok(
            tools_server, "move_to_collection", {"names": ["sel_a", "sel_b"], "collection": "sel_coll", "create": True}
        )
        assert all(o["collections"] == ["sel_coll"] for o in moved["objects"])
        linked = ok(
            tools_server, "move_to_collection", {"names": ["sel_a"], "collection": "Collection", "keep_others": True}
        )
        assert sorted(linked["objects"][0]["collections"]) == ["Collection", "sel_coll"]
        assert "no collection named" in fails(
            tools_server, "move_to_collection", {"names": ["sel_a"], "collection": "nothing_here"}
        )
    finally:
        remove_objects(tools_server, "sel_a", "sel_b")
        py(tools_server, "c = bpy.data.collections.get('sel_coll'); c and bpy.data.collections.remove(c)")
