"""analyze_mesh end to end against a real headless Blender, on meshes whose
answers are known: a closed cube, a plane, a cube with a hole, a loose
vertex, a flipped face, degenerate and n-sided faces, and modifiers."""

import pytest
from tools_helpers import fails, ok, py, remove_objects

# Edits the named mesh with bmesh: the fixture damage each test needs.
EDIT = """
import bmesh
obj = bpy.data.objects[args["name"]]
bm = bmesh.new()
bm.from_mesh(obj.data)
bm.faces.ensure_lookup_table()
what = args["what"]
if what == "delete_face":
    bmesh.ops.delete(bm, geom=[bm.faces[0]], context="FACES_ONLY")
elif what == "loose_vertex":
    bm.verts.new((5, 5, 5))
elif what == "flip_face":
    bm.faces[0].normal_flip()
bm.to_mesh(obj.data)
bm.free()
"""

# A mesh of a quad, a triangle, a pentagon, a degenerate triangle and a loose edge.
ODD_MESH = """
verts = [(0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0), (3, 0, 0), (4, 0, 0), (3, 1, 0),
         (6, 0, 0), (7, 0, 0), (7.5, 0.5, 0), (7, 1, 0), (6, 1, 0), (9, 0, 0), (10, 0, 0), (11, 0, 0),
         (0, 5, 0), (1, 5, 0)]
faces = [(0, 1, 2, 3), (4, 5, 6), (7, 8, 9, 10, 11), (12, 13, 14)]
mesh = bpy.data.meshes.new("mesh_odd")
mesh.from_pydata(verts, [(15, 16)], faces)
obj = bpy.data.objects.new("mesh_odd", mesh)
bpy.context.scene.collection.objects.link(obj)
"""


@pytest.fixture
def cube(tools_server):
    ok(tools_server, "create_object", {"kind": "cube", "name": "mesh_cube", "size": 2, "location": [5, 0, 0]})
    yield "mesh_cube"
    remove_objects(tools_server, "mesh_cube")


def analyze(server, name, **extra):
    return ok(server, "analyze_mesh", {"object": name, **extra})


def test_closed_cube_is_watertight_with_volume_8(tools_server, cube):
    report = analyze(tools_server, cube)
    assert (report["vertices"], report["edges"], report["faces"], report["quads"]) == (8, 12, 6, 6)
    assert report["triangles"] == report["ngons"] == 0
    assert report["watertight"] is True and report["volume"] == pytest.approx(8)
    assert report["surface_area"] == pytest.approx(24)
    assert report["non_manifold_edges"] == report["boundary_edges"] == report["inconsistent_normal_edges"] == 0
    assert report["bounds_min"] == pytest.approx([4, -1, -1]) and report["bounds_max"] == pytest.approx([6, 1, 1])
    # Measured in world space: scale counts.
    ok(tools_server, "set_transform", {"name": cube, "scale": [2, 1, 1]})
    assert analyze(tools_server, cube)["volume"] == pytest.approx(16)


def test_plane_has_four_boundary_edges(tools_server):
    ok(tools_server, "create_object", {"kind": "plane", "name": "mesh_plane"})
    try:
        report = analyze(tools_server, "mesh_plane")
        assert report["boundary_edges"] == 4 and report["non_manifold_edges"] == 4
        assert report["watertight"] is False and report["volume"] is None
        assert report["surface_area"] == pytest.approx(4)
    finally:
        remove_objects(tools_server, "mesh_plane")


@pytest.mark.parametrize(
    "damage,expected",
    [
        ("delete_face", {"faces": 5, "boundary_edges": 4, "non_manifold_edges": 4, "loose_vertices": 0}),
        ("loose_vertex", {"vertices": 9, "loose_vertices": 1, "boundary_edges": 0, "non_manifold_edges": 0}),
        ("flip_face", {"inconsistent_normal_edges": 4, "boundary_edges": 0, "non_manifold_edges": 0}),
    ],
)
def test_damaged_cubes_are_not_watertight(tools_server, cube, damage, expected):
    py(tools_server, EDIT, {"name": cube, "what": damage})
    report = analyze(tools_server, cube)
    assert {k: report[k] for k in expected} == expected
    assert report["watertight"] is False and report["volume"] is None


def test_face_kinds_degenerate_faces_and_loose_edges(tools_server):
    py(tools_server, ODD_MESH)
    try:
        report = analyze(tools_server, "mesh_odd")
        assert (report["quads"], report["triangles"], report["ngons"]) == (1, 2, 1)
        assert report["zero_area_faces"] == 1 and report["loose_edges"] == 1
        assert report["vertices"] == 17 and report["faces"] == 4
    finally:
        py(
            tools_server,
            "m = bpy.data.meshes['mesh_odd']; bpy.data.objects.remove(bpy.data.objects['mesh_odd']); "
            "bpy.data.meshes.remove(m)",
        )


def test_modifiers_count_unless_evaluated_is_false(tools_server, cube):
    py(tools_server, "m = bpy.data.objects[args['n']].modifiers.new('sub', 'SUBSURF'); m.levels = 1", {"n": cube})
    assert analyze(tools_server, cube)["faces"] == 24
    base = analyze(tools_server, cube, evaluated=False)
    assert base["faces"] == 6 and base["evaluated"] is False
    assert analyze(tools_server, cube)["watertight"] is True


def test_bad_objects_are_named(tools_server, cube):
    assert "'mesh_cube'" in fails(tools_server, "analyze_mesh", {"object": "mesh_cub"})
    text = fails(tools_server, "analyze_mesh", {"object": "Light"})
    assert "LIGHT" in text and "MESH" in text
    ok(tools_server, "create_object", {"kind": "text", "name": "mesh_text"})
    try:
        report = analyze(tools_server, "mesh_text")
        assert report["faces"] > 0 and report["ngons"] + report["triangles"] + report["quads"] == report["faces"]
    finally:
        remove_objects(tools_server, "mesh_text")
