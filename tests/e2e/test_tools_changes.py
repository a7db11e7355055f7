"""`changes`: every writer tool says what its call changed, through the real
MCP client, a real server and a real headless Blender."""

import pytest
from harness import text_of
from tools_helpers import fails, ok, py, remove_objects

# One datablock of each kind `changes` reports on, made, renamed and removed by code.
MAKE = {
    "objects": "bpy.context.scene.collection.objects.link(bpy.data.objects.new(n, None))",
    "meshes": "bpy.data.meshes.new(n)",
    "materials": "bpy.data.materials.new(n)",
    "node_groups": "bpy.data.node_groups.new(n, 'GeometryNodeTree')",
    "collections": "bpy.data.collections.new(n)",
    "cameras": "bpy.data.cameras.new(n)",
    "lights": "bpy.data.lights.new(n, 'POINT')",
    "images": "bpy.data.images.new(n, 4, 4)",
    "actions": "bpy.data.actions.new(n)",
    "worlds": "bpy.data.worlds.new(n)",
}


def changes_of(server, tool, args=None):
    return ok(server, tool, args)["changes"]


def run(server, code, args=None):
    """Runs code (rollback on error) and returns what it changed."""
    return changes_of(server, "execute_blender_code", {"code": code, "args": args or {}})


@pytest.fixture
def pair(tools_server):
    """Two fresh cubes, removed afterwards (with their meshes)."""
    for name, x in (("chg_a", 0), ("chg_b", 3)):
        made = changes_of(tools_server, "create_object", {"kind": "cube", "name": name, "location": [x, 0, 0]})
        assert made["added"]["objects"] == [name] and len(made["added"]["meshes"]) == 1
        assert set(made) == {"added"}
    yield "chg_a", "chg_b"
    remove_objects(tools_server, "chg_a", "chg_b", "chg_c")


def test_nothing_changed_is_empty_and_read_only_tools_have_no_changes(tools_server):
    assert run(tools_server, "result = len(bpy.data.objects)") == {}
    assert changes_of(tools_server, "select_objects", {"names": []}) == {}
    assert "changes" not in ok(tools_server, "get_scene_info", {"limit": 1})
    # `changes` is described once, in the instructions, not in output schemas (there are none).
    assert "`changes`" in (tools_server.init_result.instructions or "")
    assert all(t.output_schema is None for t in tools_server.list_tools())


@pytest.mark.parametrize("kind", sorted(MAKE))
def test_add_rename_remove_of_each_kind(tools_server, kind):
    name = f"chg_{kind}"
    assert run(tools_server, f"n = args['n']; {MAKE[kind]}", {"n": name}) == {"added": {kind: [name]}}
    renamed = run(
        tools_server, "getattr(bpy.data, args['k'])[args['n']].name = args['n'] + '_2'", {"k": kind, "n": name}
    )
    assert renamed == {"renamed": {kind: [{"from": name, "to": name + "_2"}]}}
    removed = run(
        tools_server, "s = getattr(bpy.data, args['k']); s.remove(s[args['n']])", {"k": kind, "n": name + "_2"}
    )
    assert removed == {"removed": {kind: [name + "_2"]}}


def test_each_aspect_of_an_object(tools_server, pair):
    a, b = pair
    assert changes_of(tools_server, "set_transform", {"name": a, "location": [0, 1, 0]}) == {
        "modified": {a: ["transform"]}
    }
    parented = changes_of(tools_server, "set_parent", {"name": a, "parent": b})
    assert "parent" in parented["modified"][a] and list(parented["modified"]) == [a]
    assert run(tools_server, "bpy.data.objects[args['a']].modifiers.new('Bevel', 'BEVEL')", {"a": a}) == {
        "modified": {a: ["modifiers"]}
    }
    assert run(tools_server, "bpy.data.objects[args['a']].modifiers['Bevel'].width = 0.3", {"a": a}) == {
        "modified": {a: ["modifiers"]}
    }
    material = changes_of(tools_server, "set_material", {"object": a, "name": "chg_mat", "base_color": [1, 0, 0, 1]})
    assert material["modified"] == {a: ["materials"]} and material["added"] == {"materials": ["chg_mat"]}
    assert changes_of(tools_server, "set_visibility", {"names": [b], "render": False}) == {
        "modified": {b: ["visibility"]}
    }
    assert run(tools_server, "bpy.data.objects[args['a']].data.vertices.add(1)", {"a": a}) == {
        "modified": {a: ["data"]}
    }
    swapped = run(tools_server, "o = bpy.data.objects; o[args['a']].data = o[args['b']].data", {"a": a, "b": b})
    # The material slots were the mesh's, so they went with it.
    assert swapped == {"modified": {a: ["data", "materials"]}}
    renamed = changes_of(tools_server, "rename_object", {"name": a, "new_name": "chg_c", "rename_data": False})
    assert renamed == {"renamed": {"objects": [{"from": a, "to": "chg_c"}]}}
    py(tools_server, "m = bpy.data.materials.get('chg_mat'); m and bpy.data.materials.remove(m)")


def test_past_the_cap_counts_replace_lists(tools_server):
    code = "for i in range(args['n']): bpy.context.scene.collection.objects.link(bpy.data.objects.new(f'chg_many{i}', None))"
    try:
        many = run(tools_server, code, {"n": 150})
        assert many == {"counts": {"added": {"objects": 150}}}
    finally:
        gone = run(
            tools_server,
            "[bpy.data.objects.remove(o) for o in list(bpy.data.objects) if o.name.startswith('chg_many')]",
        )
        assert gone == {"counts": {"removed": {"objects": 150}}}


def test_a_huge_scene_says_which_aspects_it_did_not_compare(tools_server):
    code = "for i in range(args['n']): bpy.context.scene.collection.objects.link(bpy.data.objects.new(f'chg_huge{i}', None))"
    try:
        run(tools_server, code, {"n": 1100})
        moved = run(tools_server, "bpy.data.objects['chg_huge7'].location.x = 5")
        assert moved == {
            "modified": {"chg_huge7": ["transform"]},
            "unchecked": ["parent", "data", "modifiers", "materials"],
        }
    finally:
        py(
            tools_server,
            "[bpy.data.objects.remove(o) for o in list(bpy.data.objects) if o.name.startswith('chg_huge')]",
        )


def test_a_failing_call_rolled_back_changed_nothing(tools_server):
    code = "bpy.context.scene.collection.objects.link(bpy.data.objects.new('chg_fail', None)); raise ValueError('no')"
    text = fails(tools_server, "execute_blender_code", {"code": code})
    assert "rolled back" in text and text.endswith("Nothing was changed.")
    kept = fails(tools_server, "execute_blender_code", {"code": code, "rollback_on_error": False, "confirm": True})
    assert 'What changed before the failure (kept): {"added":{"objects":["chg_fail"]}}' in kept
    remove_objects(tools_server, "chg_fail")
    steps = [
        {"tool": "create_object", "arguments": {"kind": "cube", "name": "chg_batch"}},
        {"tool": "set_transform", "arguments": {"name": "no_such_object", "location": [0, 0, 0]}},
    ]
    assert fails(tools_server, "batch", {"operations": steps, "atomic": True}).endswith("Nothing was changed.")
    assert "chg_batch" not in py(tools_server, "result = list(bpy.data.objects.keys())")


def test_a_batch_reports_all_its_steps_together(tools_server):
    steps = [
        {"tool": "create_object", "arguments": {"kind": "empty", "name": "chg_b1"}},
        {"tool": "create_object", "arguments": {"kind": "empty", "name": "chg_b2"}},
        {"tool": "set_transform", "arguments": {"name": "chg_b1", "location": [0, 0, 2]}},
    ]
    try:
        res = tools_server.call("batch", {"operations": steps, "atomic": True})
        assert not res.is_error, text_of(res)
        assert res.structured_content["changes"] == {"added": {"objects": ["chg_b1", "chg_b2"]}}
        assert '"changes":{"added"' in text_of(res)
    finally:
        remove_objects(tools_server, "chg_b1", "chg_b2")


def test_blender_keeps_no_snapshot_of_an_ended_call(tools_server):
    """Each request diffs in its own `after` step and keeps the snapshot for
    the call's next request; the next call's snapshot drops every one of a
    call no longer in progress. So inside a call, Blender holds that call's
    snapshot alone, however many came before."""
    held = "result = sorted(__import__('sys').modules['blender_mcp_changes_state'].snapshots)"
    for i in range(6):
        assert run(tools_server, "bpy.context.scene.frame_current = %d" % (i + 1)) == {}
        ok(tools_server, "set_frame_range", {"start": 1, "end": 10 + i})
    # Also after the cancelled and rolled-back calls of earlier tests on this server.
    assert len(py(tools_server, held)) == 1, py(tools_server, held)
