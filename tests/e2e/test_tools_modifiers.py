"""Modifier tools end to end against a real Blender: the headless one of the
session (pip's bpy: 4.5 pinned, 5.3 with BLENDER_MCP_PYTHON) and, for the
GUI path, a Blender executable under Xvfb (Debian's 3.4)."""

import pytest
from test_tools_hosts import attached_server
from tools_helpers import fails, ok, py, remove_objects

# The evaluated mesh (modifiers applied) of an object, read by bpy itself.
EVALUATED = """
deps = bpy.context.evaluated_depsgraph_get()
mesh = bpy.data.objects[args['n']].evaluated_get(deps).to_mesh()
result = [len(mesh.vertices), len(mesh.polygons), len(mesh.loops)]
"""


@pytest.fixture
def cube(tools_server):
    ok(tools_server, "create_object", {"kind": "cube", "name": "mod_cube"})
    yield "mod_cube"
    remove_objects(tools_server, "mod_cube", "mod_cutter")


def test_bevel_and_subdivide(tools_server, cube):
    bevel = ok(
        tools_server, "add_modifier", {"object": cube, "type": "BEVEL", "settings": {"width": 0.15, "segments": 2}}
    )
    assert bevel["modifier"]["type"] == "BEVEL" and bevel["stack"] == ["Bevel"]
    # Only what differs from a fresh Bevel (width_pct is the same value as width in Blender's RNA).
    assert {k: v for k, v in bevel["modifier"]["settings"].items() if k != "width_pct"} == {
        "width": 0.15,
        "segments": 2,
    }
    _, bevelled_faces, bevelled_corners = py(tools_server, EVALUATED, {"n": cube})
    assert bevelled_faces > 6
    subsurf = ok(
        tools_server,
        "add_modifier",
        {"object": cube, "type": "SUBSURF", "name": "Smooth", "settings": {"levels": 2, "render_levels": 2}},
    )
    assert subsurf["stack"] == ["Bevel", "Smooth"]
    # Blender's own evaluation: subdivision level 1 makes a quad of every face corner, level 2 four of each.
    assert py(tools_server, EVALUATED, {"n": cube})[1] == 4 * bevelled_corners
    info = ok(tools_server, "get_object_info", {"name": cube})
    assert [(m["name"], m["type"]) for m in info["modifiers"]] == [("Bevel", "BEVEL"), ("Smooth", "SUBSURF")]
    assert info["modifiers"][0]["settings"] == bevel["modifier"]["settings"]
    assert info["modifiers"][1]["settings"]["levels"] == 2

    changed = ok(
        tools_server,
        "set_modifier",
        {"object": cube, "modifier": "Smooth", "settings": {"levels": 3, "show_viewport": False}},
    )
    assert changed["modifier"]["settings"]["levels"] == 3 and changed["modifier"]["show_viewport"] is False
    assert py(
        tools_server,
        "m = bpy.data.objects[args['n']].modifiers['Smooth']; result = [m.levels, m.show_viewport]",
        {"n": cube},
    ) == [3, False]

    applied = ok(tools_server, "apply_modifier", {"object": cube, "modifier": "Bevel"})
    assert applied["stack"] == ["Smooth"] and applied["mesh"]["faces"] == bevelled_faces
    assert py(tools_server, "result = len(bpy.data.objects[args['n']].data.polygons)", {"n": cube}) == bevelled_faces
    removed = ok(tools_server, "remove_modifier", {"object": cube, "modifier": "Smooth"})
    assert removed == {
        "object": cube,
        "removed": "Smooth",
        "stack": [],
        "changes": {"modified": {cube: ["modifiers"]}},
    }
    assert py(tools_server, "result = len(bpy.data.objects[args['n']].modifiers)", {"n": cube}) == 0


def test_pointer_settings_take_a_name(tools_server, cube):
    ok(tools_server, "create_object", {"kind": "uv_sphere", "name": "mod_cutter", "location": [1, 0, 0]})
    boolean = ok(
        tools_server,
        "add_modifier",
        {"object": cube, "type": "BOOLEAN", "settings": {"object": "mod_cutter", "operation": "DIFFERENCE"}},
    )
    assert boolean["modifier"]["settings"]["object"] == "mod_cutter"
    assert (
        py(tools_server, "result = bpy.data.objects[args['n']].modifiers['Boolean'].object.name", {"n": cube})
        == "mod_cutter"
    )
    text = fails(
        tools_server, "set_modifier", {"object": cube, "modifier": "Boolean", "settings": {"object": "mod_cuter"}}
    )
    assert "no object named 'mod_cuter'" in text and "mod_cutter" in text


DATABLOCK_COUNT = "result = sum(len(c) for c in (bpy.data.objects, bpy.data.meshes, bpy.data.particles))"


def test_reading_settings_leaves_nothing_behind(tools_server, cube):
    ok(tools_server, "add_modifier", {"object": cube, "type": "PARTICLE_SYSTEM"})
    ok(tools_server, "add_modifier", {"object": cube, "type": "SOLIDIFY", "settings": {"thickness": 0.2}})
    before = py(tools_server, DATABLOCK_COUNT)
    info = ok(tools_server, "get_object_info", {"name": cube})
    assert [m["type"] for m in info["modifiers"]] == ["PARTICLE_SYSTEM", "SOLIDIFY"]
    assert info["modifiers"][1]["settings"]["thickness"] == 0.2
    # The scratch object that gives a fresh modifier's values is gone again.
    assert py(tools_server, DATABLOCK_COUNT) == before


def test_bad_inputs_name_the_valid_choices_and_change_nothing(tools_server, cube):
    text = fails(tools_server, "add_modifier", {"object": cube, "type": "SUBSURFACE"})
    assert "no modifier type 'SUBSURFACE'" in text and text.index("'SUBSURF'") < text.index("'ARRAY'")
    text = fails(tools_server, "add_modifier", {"object": cube, "type": "BEVEL", "settings": {"widht": 0.2}})
    assert "no setting 'widht'" in text and text.index("'width'") < text.index("'segments'")
    assert "width takes float values, got 'wide'" in fails(
        tools_server, "add_modifier", {"object": cube, "type": "BEVEL", "settings": {"width": "wide"}}
    )
    assert "segments must be between 1 and 1000, got 0" in fails(
        tools_server, "add_modifier", {"object": cube, "type": "BEVEL", "settings": {"segments": 0}}
    )
    text = fails(
        tools_server, "add_modifier", {"object": cube, "type": "BEVEL", "settings": {"limit_method": "ANGLES"}}
    )
    assert "limit_method must be one of 'ANGLE'" in text
    # A failed add leaves no half-made modifier behind.
    assert py(tools_server, "result = len(bpy.data.objects[args['n']].modifiers)", {"n": cube}) == 0
    ok(tools_server, "add_modifier", {"object": cube, "type": "ARRAY", "settings": {"count": 3}})
    # All or none: one bad key sets none of the others.
    assert "no setting 'cuont'" in fails(
        tools_server, "set_modifier", {"object": cube, "modifier": "Array", "settings": {"count": 7, "cuont": 1}}
    )
    assert py(tools_server, "result = bpy.data.objects[args['n']].modifiers['Array'].count", {"n": cube}) == 3
    text = fails(tools_server, "set_modifier", {"object": cube, "modifier": "Aray", "settings": {"count": 2}})
    assert "no modifier 'Aray'" in text and "'Array'" in text
    assert "no object named 'mod_cub'" in fails(tools_server, "add_modifier", {"object": "mod_cub", "type": "BEVEL"})
    assert "no modifier 'Bevel'" in fails(tools_server, "apply_modifier", {"object": cube, "modifier": "Bevel"})
    assert "no modifier 'Bevel'" in fails(tools_server, "remove_modifier", {"object": cube, "modifier": "Bevel"})
    assert "SUBSURF" in fails(tools_server, "add_modifier", {"object": "Camera", "type": "SUBSURF"})


def test_geometry_nodes_modifier_gets_a_linked_group_and_its_inputs_are_settings(tools_server, cube):
    added = ok(tools_server, "add_modifier", {"object": cube, "type": "NODES", "name": "GN"})
    group = added["modifier"]["settings"]["node_group"]
    assert added["modifier"]["inputs"] == {}
    tree = ok(tools_server, "get_node_tree", {"tree": f"geometry:{cube}/GN"})
    assert {n["type"] for n in tree["nodes"]} == {"NodeGroupInput", "NodeGroupOutput"}
    assert tree["links"] == [["Group Input.Geometry", "Group Output.Geometry"]]
    ok(
        tools_server,
        "edit_node_tree",
        {
            "tree": f"group:{group}",
            "ops": [
                {
                    "op": "add_socket",
                    "name": "Count",
                    "socket_type": "NodeSocketInt",
                    "default_value": 5,
                    "min_value": 1,
                    "max_value": 100,
                },
                {"op": "add_socket", "name": "Tint", "socket_type": "NodeSocketColor"},
                {"op": "add_socket", "name": "Target", "socket_type": "NodeSocketObject"},
            ],
        },
    )
    assert ok(tools_server, "get_object_info", {"name": cube})["modifiers"][0]["inputs"]["Count"] == 5
    changed = ok(
        tools_server,
        "set_modifier",
        {"object": cube, "modifier": "GN", "settings": {"Count": 40, "Tint": [1, 0, 0], "Target": cube}},
    )
    assert changed["modifier"]["inputs"] == {"Count": 40, "Tint": [1, 0, 0, 1], "Target": cube}
    text = fails(tools_server, "set_modifier", {"object": cube, "modifier": "GN", "settings": {"Target": "mod_cub"}})
    assert "no object named 'mod_cub'" in text and f"'{cube}'" in text
    # Read back by bpy where this version keeps the value.
    value = py(
        tools_server,
        """
m = bpy.data.objects[args['n']].modifiers['GN']
ident = [i for i in m.node_group.interface.items_tree if i.name == 'Count'][0].identifier
holder = getattr(getattr(m, 'properties', None), 'inputs', None)
result = getattr(holder, ident).value if holder is not None else m[ident]
""",
        {"n": cube},
    )
    assert value == 40
    assert "Count must be between 1 and 100, got 400" in fails(
        tools_server, "set_modifier", {"object": cube, "modifier": "GN", "settings": {"Count": 400}}
    )
    assert "takes an integer" in fails(
        tools_server, "set_modifier", {"object": cube, "modifier": "GN", "settings": {"Count": 2.5}}
    )
    text = fails(tools_server, "set_modifier", {"object": cube, "modifier": "GN", "settings": {"Cuont": 3}})
    assert "no setting 'Cuont'" in text and text.index("'Count'") < text.index("'node_group'")
    text = fails(tools_server, "get_node_tree", {"tree": f"geometry:{cube}/Bevel"})
    assert "no modifier 'Bevel'" in text and "'GN'" in text


@pytest.fixture(scope="module")
def gui_server(tmp_path_factory, logs_dir):
    """Debian's Blender (3.4) as a GUI under Xvfb, serving the real addon."""
    with attached_server("gui", tmp_path_factory.mktemp("modifiers-gui"), logs_dir / "modifiers-gui.log") as srv:
        yield srv


def test_modifiers_in_the_gui(gui_server):
    assert py(gui_server, "result = bpy.app.background") is False
    ok(gui_server, "create_object", {"kind": "cube", "name": "gui_cube"})
    ok(gui_server, "add_modifier", {"object": "gui_cube", "type": "BEVEL", "settings": {"width": 0.1, "segments": 2}})
    _, bevelled_faces, bevelled_corners = py(gui_server, EVALUATED, {"n": "gui_cube"})
    ok(gui_server, "add_modifier", {"object": "gui_cube", "type": "SUBSURF", "settings": {"levels": 1}})
    assert py(gui_server, EVALUATED, {"n": "gui_cube"})[1] == bevelled_corners
    assert "no setting 'levles'" in fails(
        gui_server, "set_modifier", {"object": "gui_cube", "modifier": "Subsurf", "settings": {"levles": 2}}
    )
    assert (
        ok(gui_server, "apply_modifier", {"object": "gui_cube", "modifier": "Bevel"})["mesh"]["faces"] == bevelled_faces
    )
    gn = ok(gui_server, "add_modifier", {"object": "gui_cube", "type": "NODES", "name": "GN"})
    assert gn["stack"] == ["Subsurf", "GN"]
    assert ok(gui_server, "get_node_tree", {"tree": "geometry:gui_cube/GN"})["links"] == [
        ["Group Input.Geometry", "Group Output.Geometry"]
    ]
    ok(
        gui_server,
        "edit_node_tree",
        {
            "tree": "geometry:gui_cube/GN",
            "ops": [{"op": "add_socket", "name": "Count", "socket_type": "NodeSocketInt", "default_value": 5}],
        },
    )
    assert ok(gui_server, "set_modifier", {"object": "gui_cube", "modifier": "GN", "settings": {"Count": 7}})[
        "modifier"
    ]["inputs"] == {"Count": 7}
    assert ok(gui_server, "remove_modifier", {"object": "gui_cube", "modifier": "GN"})["stack"] == ["Subsurf"]
