"""File tools end to end: .blend save/open, import/export round trips in
every format, and path confinement, against a real headless Blender."""

import os

import pytest
from tools_helpers import fails, ok, py, remove_objects

FORMATS = ["glb", "gltf", "obj", "fbx", "stl", "ply"]
MESHES = ["fx_a", "fx_b", "fx_c"]


@pytest.fixture
def three_meshes(tools_server):
    for i, name in enumerate(MESHES):
        ok(tools_server, "create_object", {"kind": "cube", "name": name, "location": [i * 3, 0, 0]})
    yield MESHES
    remove_objects(tools_server, *MESHES)


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_then_import_round_trip(tools_server, tool_dirs, three_meshes, fmt):
    exported = ok(tools_server, "export_file", {"path": f"exports/round.{fmt}", "objects": three_meshes})
    path = tool_dirs["out"] / "exports" / f"round.{fmt}"
    assert exported["path"] == str(path.resolve()) and exported["objects"] == three_meshes
    assert path.stat().st_size == exported["bytes"] > 0
    imported = ok(tools_server, "import_file", {"path": str(path)})
    try:
        meshes = [o for o in imported["objects"] if o["type"] == "MESH"]
        if fmt in ("stl", "ply"):
            # STL and PLY hold one mesh per file: the three cubes come back
            # joined, with all their vertices.
            assert len(meshes) == 1
            counts = py(
                tools_server,
                "m = bpy.data.objects[args['n']].data; result = [len(m.vertices), len(m.polygons)]",
                {"n": meshes[0]["name"]},
            )
            assert counts[1] == 3 * 6 or counts[1] == 3 * 12  # quads, or triangles (STL)
        else:
            assert len(meshes) == len(three_meshes)
    finally:
        remove_objects(tools_server, *[o["name"] for o in imported["objects"]])


def test_export_everything_by_default_and_refuse_unknown_objects(tools_server):
    count = py(tools_server, "result = len(bpy.context.scene.objects)")
    out = ok(tools_server, "export_file", {"path": "all.glb"})
    assert len(out["objects"]) == count
    assert "no object named" in fails(tools_server, "export_file", {"path": "x.glb", "objects": ["Cubee"]})
    assert "cannot tell the format" in fails(tools_server, "export_file", {"path": "x.xyz"})
    # The exporter's selection games leave the user's selection as it was.
    sel = py(tools_server, "result = sorted(o.name for o in bpy.context.view_layer.objects if o.select_get())")
    ok(tools_server, "export_file", {"path": "one.obj", "objects": ["Cube"]})
    assert py(tools_server, "result = sorted(o.name for o in bpy.context.view_layer.objects if o.select_get())") == sel


def test_save_and_open_blend(tools_server, tool_dirs):
    ok(tools_server, "create_object", {"kind": "monkey", "name": "fx_saved"})
    try:
        saved = ok(tools_server, "save_blend", {"path": str(tool_dirs["assets"] / "scene.blend"), "copy": True})
        assert saved["bytes"] > 0 and os.path.isfile(saved["path"])
        remove_objects(tools_server, "fx_saved")
        assert py(tools_server, "result = 'fx_saved' in bpy.data.objects") is False
        opened = ok(tools_server, "open_blend", {"path": str(tool_dirs["assets"] / "scene.blend"), "confirm": True})
        assert opened["path"] == saved["path"]
        assert py(tools_server, "result = 'fx_saved' in bpy.data.objects") is True
        # Save without a path writes the file now open.
        again = ok(tools_server, "save_blend", {})
        assert again["path"] == saved["path"] == again["current_file"]
        # The server keeps working on the reopened file.
        assert ok(tools_server, "get_object_info", {"name": "fx_saved"})["type"] == "MESH"
    finally:
        remove_objects(tools_server, "fx_saved")


def test_paths_outside_the_roots_are_refused(tools_server, tool_dirs):
    outside = tool_dirs["outside"]
    (outside / "model.obj").write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    os.symlink(outside, tool_dirs["assets"] / "sneaky")
    try:
        cases = [
            ("import_file", {"path": str(outside / "model.obj")}),
            ("import_file", {"path": str(tool_dirs["assets"] / "sneaky" / "model.obj")}),  # symlink out
            ("import_file", {"path": str(tool_dirs["assets"] / ".." / "outside" / "model.obj")}),  # .. out
            ("export_file", {"path": "../outside/x.glb"}),
            ("export_file", {"path": "/etc/blender-mcp-test.obj"}),
            ("save_blend", {"path": str(outside / "s.blend")}),
            ("open_blend", {"path": str(outside / "s.blend"), "confirm": True}),
        ]
        for tool, args in cases:
            text = fails(tools_server, tool, args)
            assert "outside the allowed directories" in text, (tool, args, text)
            assert str(tool_dirs["assets"]) in text and str(tool_dirs["out"]) in text
        assert sorted(p.name for p in outside.iterdir()) == ["model.obj"]
        assert "not a .blend" in fails(tools_server, "open_blend", {"path": "x.glb", "confirm": True})
        assert "no file at" in fails(tools_server, "import_file", {"path": "missing.glb"})
    finally:
        os.unlink(tool_dirs["assets"] / "sneaky")
