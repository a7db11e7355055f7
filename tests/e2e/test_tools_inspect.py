"""Inspection tools end to end against a real headless Blender."""

from tools_helpers import fails, ok, py, remove_objects


def test_collection_tree(tools_server):
    py(
        tools_server,
        """
parent = bpy.data.collections.new("insp_parent"); bpy.context.scene.collection.children.link(parent)
child = bpy.data.collections.new("insp_child"); parent.children.link(child)
for i in range(3):
    child.objects.link(bpy.data.objects.new(f"insp_e{i}", None))
""",
    )
    try:
        tree = ok(tools_server, "list_collections", {"objects_per_collection": 2})
        assert tree["root"]["name"] == "Scene Collection"
        parent = next(c for c in tree["root"]["children"] if c["name"] == "insp_parent")
        child = parent["children"][0]
        assert child["name"] == "insp_child" and child["object_count"] == 3 and len(child["objects"]) == 2
    finally:
        remove_objects(tools_server, "insp_e0", "insp_e1", "insp_e2")
        py(
            tools_server,
            "[bpy.data.collections.remove(bpy.data.collections[n]) for n in ('insp_child', 'insp_parent')]",
        )


def test_datablocks_and_statistics(tools_server):
    base = ok(tools_server, "scene_statistics")
    ok(tools_server, "create_object", {"kind": "cube", "name": "insp_cube"})
    py(tools_server, "bpy.data.objects['insp_cube'].modifiers.new('sub', 'SUBSURF').levels = 1")
    try:
        stats = ok(tools_server, "scene_statistics")
        assert stats["objects"] == base["objects"] + 1
        assert stats["objects_by_type"]["MESH"] == base["objects_by_type"]["MESH"] + 1
        assert stats["faces"] == base["faces"] + 24  # a cube subdivided once
        raw = ok(tools_server, "scene_statistics", {"evaluated": False})
        assert raw["faces"] == base["faces"] + 6 and raw["vertices"] == base["vertices"] + 8
        meshes = ok(tools_server, "list_datablocks", {"kind": "meshes", "limit": 1000})
        cube = next(m for m in meshes["items"] if m["name"] == "insp_cube")
        assert cube["vertices"] == 8 and cube["faces"] == 6 and cube["users"] == 1
        page = ok(tools_server, "list_datablocks", {"kind": "meshes", "limit": 1})
        assert len(page["items"]) == 1 and page["total"] == meshes["total"]
        assert page["next_offset"] == (1 if meshes["total"] > 1 else None)
        images = ok(tools_server, "list_datablocks", {"kind": "images"})
        assert images["kind"] == "images" and images["total"] == len(images["items"])
        assert "limit" in fails(tools_server, "list_datablocks", {"kind": "meshes", "limit": 0})
        assert fails(tools_server, "list_datablocks", {"kind": "spaceships"})
    finally:
        remove_objects(tools_server, "insp_cube")
        py(tools_server, "m = bpy.data.meshes.get('insp_cube'); m and bpy.data.meshes.remove(m)")
