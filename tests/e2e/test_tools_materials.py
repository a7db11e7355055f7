"""Material tools end to end against a real headless Blender."""

import pytest
from tools_helpers import fails, ok, py, remove_objects


def test_create_assign_update_and_list_a_material(tools_server):
    ok(tools_server, "create_object", {"kind": "cube", "name": "mat_cube"})
    try:
        out = ok(
            tools_server,
            "set_material",
            {
                "name": "mat_red",
                "base_color": [1, 0, 0],
                "metallic": 0.8,
                "roughness": 0.2,
                "emission_color": [0, 0, 1],
                "emission_strength": 2.5,
                "alpha": 0.5,
                "object": "mat_cube",
            },
        )
        assert out["created"] is True and out["assigned_to"] == {"object": "mat_cube", "slot": 0}
        mat = out["material"]
        assert mat["principled"] and mat["base_color"] == [1, 0, 0, 1]
        assert mat["metallic"] == pytest.approx(0.8) and mat["roughness"] == pytest.approx(0.2)
        assert mat["emission_color"][:3] == [0, 0, 1] and mat["emission_strength"] == pytest.approx(2.5)
        assert mat["alpha"] == pytest.approx(0.5)
        # Blender agrees, read independently of the tool.
        assert py(
            tools_server,
            "result = [bpy.data.objects['mat_cube'].material_slots[0].material.name, "
            "list(bpy.data.materials['mat_red'].node_tree.nodes['Principled BSDF'].inputs['Base Color'].default_value)]",
        ) == ["mat_red", [1, 0, 0, 1]]
        # Updating changes only what is given.
        out = ok(tools_server, "set_material", {"name": "mat_red", "roughness": 0.9})
        assert out["created"] is False and out["material"]["metallic"] == pytest.approx(0.8)
        assert out["material"]["roughness"] == pytest.approx(0.9)
        # A second slot.
        ok(
            tools_server,
            "set_material",
            {"name": "mat_blue", "base_color": [0, 0, 1, 1], "object": "mat_cube", "slot": 1},
        )
        assert py(tools_server, "result = [s.material.name for s in bpy.data.objects['mat_cube'].material_slots]") == [
            "mat_red",
            "mat_blue",
        ]
        listed = {m["name"]: m for m in ok(tools_server, "list_materials")["materials"]}
        assert listed["mat_red"]["objects"] == ["mat_cube"] and listed["mat_blue"]["base_color"] == [0, 0, 1, 1]
    finally:
        remove_objects(tools_server, "mat_cube")
        py(
            tools_server,
            "[bpy.data.materials.remove(bpy.data.materials[n]) for n in ('mat_red', 'mat_blue') if n in bpy.data.materials]",
        )


def test_material_input_is_validated(tools_server):
    assert "between 0 and 1" in fails(tools_server, "set_material", {"name": "m", "roughness": 2})
    assert "[r, g, b]" in fails(tools_server, "set_material", {"name": "m", "base_color": [1, 0]})
    assert "slot needs object" in fails(tools_server, "set_material", {"name": "m", "slot": 1})
    assert "cannot hold materials" in fails(tools_server, "set_material", {"name": "mat_tmp", "object": "Camera"})
    assert "no object named" in fails(tools_server, "set_material", {"name": "mat_tmp", "object": "Cub"})
    py(tools_server, "m = bpy.data.materials.get('mat_tmp'); m and bpy.data.materials.remove(m)")
