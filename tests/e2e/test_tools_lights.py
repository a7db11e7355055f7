"""Lights and cameras end to end against a real headless Blender."""

import math

import pytest
from tools_helpers import fails, ok, py, remove_objects

# The world-space direction an object's -Z axis (its view axis) points to.
VIEW_AXIS = (
    "bpy.context.view_layer.update(); import mathutils; o = bpy.data.objects[args['n']]; "
    "result = list((o.matrix_world.to_3x3() @ mathutils.Vector((0, 0, -1))).normalized())"
)


def unit(v):
    n = math.sqrt(sum(x * x for x in v))
    return [x / n for x in v]


def test_add_and_change_lights(tools_server):
    try:
        sun = ok(
            tools_server,
            "add_light",
            {
                "name": "lt_sun",
                "light_type": "SUN",
                "energy": 3,
                "color": [1, 0.5, 0.25],
                "location": [0, 0, 10],
                "look_at": {"location": [0, 0, 0]},
            },
        )
        assert sun["type"] == "LIGHT" and sun["light_type"] == "SUN" and sun["energy"] == 3
        assert sun["color"] == [1, 0.5, 0.25]
        assert py(tools_server, VIEW_AXIS, {"n": "lt_sun"}) == pytest.approx([0, 0, -1], abs=1e-5)
        assert "already exists" in fails(tools_server, "add_light", {"name": "lt_sun"})
        spot = ok(
            tools_server, "set_light", {"name": "lt_sun", "light_type": "SPOT", "spot_size_degrees": 30, "energy": 500}
        )
        assert spot["light_type"] == "SPOT" and spot["energy"] == 500
        assert (
            py(tools_server, "import math; result = round(math.degrees(bpy.data.objects['lt_sun'].data.spot_size), 3)")
            == 30
        )
        ok(tools_server, "add_light", {"name": "lt_point"})
        assert "only applies to SPOT" in fails(tools_server, "set_light", {"name": "lt_point", "spot_size_degrees": 20})
        assert "not a light" in fails(tools_server, "set_light", {"name": "Cube", "energy": 1})
    finally:
        remove_objects(tools_server, "lt_sun", "lt_point")


def test_add_camera_aimed_at_an_object_and_active(tools_server):
    before = py(tools_server, "result = bpy.context.scene.camera.name")
    ok(tools_server, "create_object", {"kind": "cube", "name": "cam_target", "location": [1, 1, 0]})
    try:
        cam = ok(
            tools_server,
            "add_camera",
            {"name": "cam_new", "location": [6, -4, 3], "look_at": {"object": "cam_target"}, "lens_mm": 35},
        )
        assert cam["active"] is True and cam["lens_mm"] == 35
        assert py(tools_server, "result = bpy.context.scene.camera.name") == "cam_new"
        assert py(tools_server, VIEW_AXIS, {"n": "cam_new"}) == pytest.approx(unit([1 - 6, 1 + 4, 0 - 3]), abs=1e-5)
        # point_at turns any object; here the camera again.
        ok(tools_server, "point_at", {"name": "cam_new", "look_at": {"location": [6, 5, 3]}})
        assert py(tools_server, VIEW_AXIS, {"n": "cam_new"}) == pytest.approx([0, 1, 0], abs=1e-5)
        assert "either object (a name) or location" in fails(
            tools_server, "point_at", {"name": "cam_new", "look_at": {}}
        )
        back = ok(tools_server, "set_active_camera", {"name": before})
        assert back["active"] is True and back["name"] == before
        assert "not a camera" in fails(tools_server, "set_active_camera", {"name": "cam_target"})
    finally:
        py(tools_server, "bpy.context.scene.camera = bpy.data.objects[args['c']]", {"c": before})
        remove_objects(tools_server, "cam_new", "cam_target")
