"""Animation tools end to end against a real headless Blender: keyframes on
objects, materials' node values and the world, the frame range, reading
F-curves back (layered actions on 5.x), and the bad inputs an agent sends."""

import math

import pytest
from tools_helpers import fails, ok, py, remove_objects

# F-curves read independently of the tools: Action.fcurves before layered
# actions (4.4), the slot's channelbag after.
FCURVES = """
def curves(idb):
    ad = idb.animation_data
    if ad is None or ad.action is None:
        return []
    if hasattr(ad, "action_slot"):
        from bpy_extras import anim_utils
        bag = anim_utils.action_get_channelbag_for_slot(ad.action, ad.action_slot)
        return list(bag.fcurves) if bag else []
    return list(ad.action.fcurves)
idb = eval(args["idb"])
result = [[f.data_path, f.array_index, [list(k.co) for k in f.keyframe_points], [k.interpolation for k in f.keyframe_points]]
          for f in curves(idb)]
"""


def fcurves(server, idb):
    return py(server, FCURVES, {"idb": idb})


@pytest.fixture
def spinner(tools_server):
    ok(tools_server, "create_object", {"kind": "cube", "name": "anim_spinner"})
    yield "anim_spinner"
    remove_objects(tools_server, "anim_spinner")


def test_turntable_of_48_frames_with_typed_tools_only(tools_server):
    before = py(
        tools_server, "s = bpy.context.scene; result = [s.frame_start, s.frame_end, s.render.fps, s.render.fps_base]"
    )
    ok(tools_server, "create_object", {"kind": "empty", "name": "anim_pivot"})
    ok(tools_server, "create_object", {"kind": "monkey", "name": "anim_subject"})
    try:
        ok(tools_server, "set_parent", {"name": "anim_subject", "parent": "anim_pivot"})
        rng = ok(tools_server, "set_frame_range", {"start": 1, "end": 48, "fps": 24})
        assert rng["frame_start"] == 1 and rng["frame_end"] == 48 and rng["fps"] == 24
        keyed = ok(
            tools_server,
            "set_keyframes",
            {
                "object": "anim_pivot",
                "data_path": "rotation_euler",
                "index": 2,
                "keyframes": [{"frame": 1, "value": 0}, {"frame": 49, "value": 2 * math.pi}],
                "interpolation": "LINEAR",
            },
        )
        assert keyed["datablock"] == "anim_pivot" and len(keyed["fcurves"]) == 1
        assert keyed["fcurves"][0]["interpolation"] == "LINEAR" and keyed["fcurves"][0]["index"] == 2
        # Verified through bpy: the subject turns a quarter at frame 13 and all the way round over 48 frames.
        angles = py(
            tools_server,
            """
s = bpy.context.scene
out = []
for f in (1, 13, 25, 49):
    s.frame_set(f)
    out.append(bpy.data.objects["anim_pivot"].rotation_euler[2])
s.frame_set(1)
result = out
""",
        )
        assert angles == pytest.approx([0, math.pi / 2, math.pi, 2 * math.pi], abs=1e-4)
        curves = fcurves(tools_server, "bpy.data.objects['anim_pivot']")
        assert curves == [["rotation_euler", 2, [[1, 0], [49, pytest.approx(2 * math.pi)]], ["LINEAR", "LINEAR"]]]
        anim = ok(tools_server, "get_animation", {"object": "anim_pivot"})
        assert anim["frame_start"] == 1 and anim["frame_end"] == 48 and anim["fps"] == 24
        assert [(c["data_path"], c["index"], len(c["keyframes"])) for c in anim["fcurves"]] == [
            ("rotation_euler", 2, 2)
        ]
    finally:
        py(
            tools_server,
            "s = bpy.context.scene; s.frame_start, s.frame_end, s.render.fps, s.render.fps_base = args['b']",
            {"b": before},
        )
        remove_objects(tools_server, "anim_subject", "anim_pivot")


def test_whole_vectors_trailing_index_and_mixed_interpolation(tools_server, spinner):
    ok(
        tools_server,
        "set_keyframes",
        {
            "object": spinner,
            "data_path": "location",
            "keyframes": [{"frame": 1, "value": [0, 0, 0]}, {"frame": 10, "value": [1, 2, 3]}],
        },
    )
    ok(
        tools_server,
        "set_keyframes",
        {
            "object": spinner,
            "data_path": "scale[0]",
            "interpolation": "CONSTANT",
            "keyframes": [{"frame": 5, "value": 2}],
        },
    )
    ok(
        tools_server,
        "set_keyframes",
        {
            "object": spinner,
            "data_path": "scale[0]",
            "interpolation": "BOUNCE",
            "keyframes": [{"frame": 8, "value": 3}],
        },
    )
    anim = ok(tools_server, "get_animation", {"object": spinner})
    by_key = {(c["data_path"], c["index"]): c for c in anim["fcurves"]}
    assert set(by_key) == {("location", 0), ("location", 1), ("location", 2), ("scale", 0)}
    assert [k["value"] for k in by_key[("location", 2)]["keyframes"]] == [0, 3]
    scale = by_key[("scale", 0)]
    assert scale["interpolation"] == "MIXED"
    assert [(k["frame"], k["interpolation"]) for k in scale["keyframes"]] == [(5, "CONSTANT"), (8, "BOUNCE")]
    assert py(
        tools_server,
        "bpy.context.scene.frame_set(10); result = list(bpy.data.objects[args['n']].location)",
        {"n": spinner},
    ) == pytest.approx([1, 2, 3])
    py(tools_server, "bpy.context.scene.frame_set(1)")


def test_material_node_and_world_values(tools_server, spinner):
    ok(tools_server, "set_material", {"name": "anim_mat", "base_color": [1, 0, 0], "object": spinner})
    try:
        path = 'nodes["Principled BSDF"].inputs["Roughness"].default_value'
        keyed = ok(
            tools_server,
            "set_keyframes",
            {
                "datablock": "material:anim_mat",
                "data_path": path,
                "keyframes": [{"frame": 1, "value": 0.1}, {"frame": 20, "value": 0.9}],
            },
        )
        # Blender stores the socket by index; the answer says so.
        stored = keyed["fcurves"][0]["data_path"]
        assert keyed["datablock_type"] == "ShaderNodeTree" and stored.startswith('nodes["Principled BSDF"].inputs[')
        curves = fcurves(tools_server, "bpy.data.materials['anim_mat'].node_tree")
        assert [(c[0], [k[1] for k in c[2]]) for c in curves] == [(stored, [pytest.approx(0.1), pytest.approx(0.9)])]
        assert py(
            tools_server,
            "bpy.context.scene.frame_set(20); m = bpy.data.materials['anim_mat']; "
            "result = m.node_tree.nodes['Principled BSDF'].inputs['Roughness'].default_value",
        ) == pytest.approx(0.9)
        anim = ok(tools_server, "get_animation", {"datablock": "material:anim_mat"})
        assert [c["data_path"] for c in anim["fcurves"]] == [stored]
        # The material's own properties are keyed on the material itself.
        ok(
            tools_server,
            "set_keyframes",
            {
                "datablock": "material:anim_mat",
                "data_path": "diffuse_color",
                "keyframes": [{"frame": 3, "value": [0, 1, 0, 1]}],
            },
        )
        assert len(fcurves(tools_server, "bpy.data.materials['anim_mat']")) == 4
        world = py(tools_server, "result = bpy.context.scene.world.name if bpy.context.scene.world else None")
        if world is None:
            py(tools_server, "bpy.context.scene.world = bpy.data.worlds.new('anim_world')")
        ok(
            tools_server,
            "set_keyframes",
            {"datablock": "world", "data_path": "color", "index": 1, "keyframes": [{"frame": 2, "value": 0.5}]},
        )
        assert [c[:2] for c in fcurves(tools_server, "bpy.context.scene.world")] == [["color", 1]]
        light = ok(tools_server, "add_light", {"name": "anim_light"})
        ok(
            tools_server,
            "set_keyframes",
            {
                "object": light["name"],
                "datablock": "data",
                "data_path": "energy",
                "keyframes": [{"frame": 1, "value": 100}, {"frame": 9, "value": 1000}],
            },
        )
        assert fcurves(tools_server, "bpy.data.objects['anim_light'].data")[0][:2] == ["energy", 0]
        assert ok(tools_server, "get_animation", {"object": "anim_light"})["also_animated"] == ["data"]
        assert ok(tools_server, "get_animation", {"object": spinner})["also_animated"] == ["material:anim_mat"]
    finally:
        py(
            tools_server,
            """
w = bpy.context.scene.world
if w is not None and w.animation_data:
    w.animation_data_clear()
if w is not None and w.name == 'anim_world':
    bpy.context.scene.world = None
    bpy.data.worlds.remove(w)
m = bpy.data.materials.get('anim_mat')
if m is not None:
    bpy.data.materials.remove(m)
""",
        )
        remove_objects(tools_server, "anim_light")


def test_bad_inputs_name_the_valid_choices(tools_server, spinner):
    text = fails(
        tools_server,
        "set_keyframes",
        {"object": spinner, "data_path": "rotation_eular", "keyframes": [{"frame": 1, "value": 0}]},
    )
    assert "rotation_euler" in text and text.index("rotation_euler") < text.index("location")
    text = fails(
        tools_server,
        "set_keyframes",
        {
            "object": spinner,
            "data_path": "rotation_euler",
            "index": 1,
            "interpolation": "LINEER",
            "keyframes": [{"frame": 1, "value": 0}],
        },
    )
    assert "'LINEAR'" in text and "'CONSTANT'" in text and text.index("LINEAR") < text.index("CONSTANT")
    assert "Did you mean" in fails(
        tools_server,
        "set_keyframes",
        {"object": "anim_spinnr", "data_path": "location", "keyframes": [{"frame": 1, "value": [0, 0, 0]}]},
    )
    assert "index must be below 3" in fails(
        tools_server,
        "set_keyframes",
        {"object": spinner, "data_path": "location", "index": 3, "keyframes": [{"frame": 1, "value": 0}]},
    )
    assert "list of 3" in fails(
        tools_server,
        "set_keyframes",
        {"object": spinner, "data_path": "location", "keyframes": [{"frame": 1, "value": 1}]},
    )
    assert "float" in fails(
        tools_server,
        "set_keyframes",
        {"object": spinner, "data_path": "location", "index": 0, "keyframes": [{"frame": 1, "value": True}]},
    )
    assert "not animatable" in fails(
        tools_server, "set_keyframes", {"object": spinner, "data_path": "name", "keyframes": [{"frame": 1, "value": 1}]}
    )
    text = fails(
        tools_server,
        "set_keyframes",
        {
            "datablock": "world",
            "data_path": 'nodes["Backgrund"].inputs[0].default_value',
            "keyframes": [{"frame": 1, "value": 1}],
        },
    )
    assert "Background" in text
    assert "'material:NAME'" in fails(
        tools_server,
        "set_keyframes",
        {"object": spinner, "datablock": "lamp", "data_path": "energy", "keyframes": [{"frame": 1, "value": 1}]},
    )
    assert "keyframes is empty" in fails(
        tools_server, "set_keyframes", {"object": spinner, "data_path": "location", "keyframes": []}
    )
    assert "single value: leave out index" in fails(
        tools_server,
        "set_keyframes",
        {"datablock": "world", "data_path": "mist_settings.start", "index": 0, "keyframes": [{"frame": 1, "value": 1}]},
    )
    assert "object is required" in fails(
        tools_server, "set_keyframes", {"data_path": "location", "keyframes": [{"frame": 1, "value": [0, 0, 0]}]}
    )
    # Nothing was keyed by the failures, and the server still serves.
    assert fcurves(tools_server, f"bpy.data.objects['{spinner}']") == []
    assert "start (10) must not be after end (5)" in fails(tools_server, "set_frame_range", {"start": 10, "end": 5})
    assert "fps must be above 0" in fails(tools_server, "set_frame_range", {"start": 1, "end": 5, "fps": 0})
    assert ok(tools_server, "get_animation", {"object": spinner})["fcurves"] == []
