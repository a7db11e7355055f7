"""A whole scene built with typed tools only — no execute_blender_code in the
building — then verified by reading bpy state independently: a bevelled,
subdivided object with a noise-driven node material, a geometry-nodes scatter
whose evaluated result has instances, a 48-frame keyframed turntable and an
appended asset. Runs on every Blender the suite is pointed at (4.5 and 5.3)."""

import math

from test_tools_assets import REMOVE_ADDED, build_library
from tools_helpers import ok, py

HERO, GROUND, MATERIAL = "ws_hero", "ws_ground", "ws_noise"

NOISE_MATERIAL = [
    {"op": "add", "type": "ShaderNodeTexNoise", "name": "Noise", "inputs": {"Scale": 6.0}},
    {"op": "add", "type": "ShaderNodeValToRGB", "name": "Ramp"},
    {"op": "link", "from": "Noise.Fac", "to": "Ramp.Fac"},
    {"op": "link", "from": "Ramp.Color", "to": "Principled BSDF.Base Color"},
]

SCATTER = [
    {"op": "add", "type": "GeometryNodeDistributePointsOnFaces", "name": "Distribute", "inputs": {"Density": 5.0}},
    {"op": "add", "type": "GeometryNodeMeshIcoSphere", "name": "Pebble", "inputs": {"Radius": 0.05}},
    {"op": "add", "type": "GeometryNodeInstanceOnPoints", "name": "Instance"},
    {"op": "link", "from": "Group Input.Geometry", "to": "Distribute.Mesh"},
    {"op": "link", "from": "Distribute.Points", "to": "Instance.Points"},
    {"op": "link", "from": "Pebble.Mesh", "to": "Instance.Instance"},
    {"op": "link", "from": "Instance.Instances", "to": "Group Output.Geometry"},
]

# Everything the test checks, read straight from bpy (no tool's own answer).
READ_BACK = """
scene = bpy.context.scene
hero = bpy.data.objects[args["hero"]]
deps = bpy.context.evaluated_depsgraph_get()
tree = bpy.data.materials[args["material"]].node_tree
links = sorted((l.from_node.bl_idname, l.to_node.bl_idname, l.to_socket.identifier) for l in tree.links)
rotations = {}
for frame in (1, 24, 48):
    scene.frame_set(frame)
    rotations[frame] = hero.rotation_euler.z
scene.frame_set(1)
result = {
    "modifiers": [(m.type, m.name) for m in hero.modifiers],
    "bevel_width": round(hero.modifiers["Bevel"].width, 5),
    "subsurf_levels": hero.modifiers["Subdivision"].levels,
    "base_faces": len(hero.data.polygons),
    "evaluated_faces": len(hero.evaluated_get(deps).data.polygons),
    "material": [s.material.name for s in hero.material_slots if s.material],
    "links": links,
    "instances": sum(1 for i in deps.object_instances if i.is_instance and i.parent
                     and i.parent.original.name == args["ground"]),
    "frames": [scene.frame_start, scene.frame_end],
    "rotations": rotations,
    "asset": args["asset"] in scene.objects,
    "scatter_group": bpy.data.objects[args["ground"]].modifiers["Scatter"].node_group.name,
}
"""

CLEAN_UP = """
for name in args["objects"]:
    obj = bpy.data.objects.get(name)
    if obj is not None:
        bpy.data.objects.remove(obj)
material = bpy.data.materials.get(args["material"])
if material is not None:
    bpy.data.materials.remove(material)
group = bpy.data.node_groups.get(args["group"] or "")
if group is not None:
    bpy.data.node_groups.remove(group)
bpy.context.scene.frame_start, bpy.context.scene.frame_end = args["frames"]
"""


def test_a_whole_scene_from_typed_tools_only(tools_server, tool_dirs):
    library = build_library(tools_server, tool_dirs["assets"] / "whole-scene-library")
    frames = py(tools_server, "result = [bpy.context.scene.frame_start, bpy.context.scene.frame_end]")
    added, group = [], None
    try:
        ok(tools_server, "create_object", {"kind": "cube", "name": HERO, "location": [0, 0, 1]})
        ok(tools_server, "add_modifier", {"object": HERO, "type": "BEVEL", "name": "Bevel", "settings": {"width": 0.1}})
        ok(tools_server, "add_modifier", {"object": HERO, "type": "SUBSURF", "name": "Subdivision"})
        ok(tools_server, "set_modifier", {"object": HERO, "modifier": "Subdivision", "settings": {"levels": 2}})
        ok(tools_server, "set_material", {"name": MATERIAL, "object": HERO})
        ok(tools_server, "edit_node_tree", {"tree": f"material:{MATERIAL}", "ops": NOISE_MATERIAL})

        ok(tools_server, "create_object", {"kind": "plane", "name": GROUND, "size": 8})
        ok(tools_server, "add_modifier", {"object": GROUND, "type": "NODES", "name": "Scatter"})
        ok(tools_server, "edit_node_tree", {"tree": f"geometry:{GROUND}/Scatter", "ops": SCATTER})

        ok(tools_server, "set_frame_range", {"start": 1, "end": 48})
        keys = [{"frame": 1, "value": 0.0}, {"frame": 48, "value": 2 * math.pi}]
        ok(
            tools_server,
            "set_keyframes",
            {"object": HERO, "data_path": "rotation_euler", "index": 2, "keyframes": keys, "interpolation": "LINEAR"},
        )
        appended = ok(tools_server, "append_asset", {"library": str(library), "name": "Chair", "type": "object"})
        added = appended["added"]

        state = py(
            tools_server,
            READ_BACK,
            {"hero": HERO, "ground": GROUND, "material": MATERIAL, "asset": appended["name"]},
        )
        assert state["modifiers"] == [["BEVEL", "Bevel"], ["SUBSURF", "Subdivision"]]
        assert state["bevel_width"] == 0.1 and state["subsurf_levels"] == 2
        assert state["base_faces"] == 6 and state["evaluated_faces"] > 6 * 16
        assert state["material"] == [MATERIAL]
        assert ["ShaderNodeTexNoise", "ShaderNodeValToRGB", "Fac"] in state["links"]
        assert ["ShaderNodeValToRGB", "ShaderNodeBsdfPrincipled", "Base Color"] in state[
            "links"
        ]  # socket identifiers: 5.x renamed some labels
        assert state["instances"] > 0
        assert state["frames"] == [1, 48]
        rotations = {int(frame): value for frame, value in state["rotations"].items()}
        assert abs(rotations[1]) < 1e-6 and abs(rotations[48] - 2 * math.pi) < 1e-5
        assert abs(rotations[24] - 2 * math.pi * 23 / 47) < 1e-4  # linear, half-way round
        assert state["asset"] is True
        group = state["scatter_group"]
    finally:
        py(tools_server, REMOVE_ADDED, {"added": added})
        py(
            tools_server,
            CLEAN_UP,
            {"objects": [HERO, GROUND], "material": MATERIAL, "group": group, "frames": frames},
        )
