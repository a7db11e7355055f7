"""list_assets and append_asset end to end against a real Blender. Each test
module builds its own asset library with the Blender under test: two .blend
files with marked objects, materials, a node group and a collection, and a
catalog file, in a folder the server may read."""

import uuid

import pytest
from test_tools_hosts import attached_server
from tools_helpers import fails, ok, py

CHAIRS, MATERIALS = str(uuid.uuid4()), str(uuid.uuid4())

# Writes furniture.blend (Chair with its mesh and material Oak, Oak, the node
# group Scatter) and kits/more.blend (Lamp, the collection Props holding it,
# another Oak) under args["root"], then removes what it made from the open file.
BUILD_LIBRARY = """
import os
root = args["root"]
os.makedirs(os.path.join(root, "kits"), exist_ok=True)
mesh = bpy.data.meshes.new("lib_chair_mesh")
mesh.from_pydata([(0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1)], [], [(0, 1, 2), (0, 1, 3), (0, 2, 3), (1, 2, 3)])
oak = bpy.data.materials.new("Oak")
mesh.materials.append(oak)
chair = bpy.data.objects.new("Chair", mesh)
chair.asset_mark()
chair.asset_data.tags.new("wood")
chair.asset_data.description = "A plain chair"
chair.asset_data.catalog_id = args["chairs"]
oak.asset_mark()
oak.asset_data.catalog_id = args["materials"]
scatter = bpy.data.node_groups.new("Scatter", "GeometryNodeTree")
scatter.asset_mark()
first = {chair, oak, scatter}
bpy.data.libraries.write(os.path.join(root, "furniture.blend"), first, fake_user=True)
bpy.data.batch_remove([chair, mesh, oak, scatter])
lamp = bpy.data.objects.new("Lamp", None)
lamp.asset_mark()
props = bpy.data.collections.new("Props")
props.objects.link(lamp)
props.asset_mark()
oak2 = bpy.data.materials.new("Oak")
oak2.asset_mark()
bpy.data.libraries.write(os.path.join(root, "kits", "more.blend"), {lamp, props, oak2}, fake_user=True)
bpy.data.batch_remove([lamp, props, oak2])
with open(os.path.join(root, "blender_assets.cats.txt"), "w") as f:
    f.write("VERSION 1\\n" + args["chairs"] + ":Furniture/Chairs:Furniture-Chairs\\n" + args["materials"] + ":Materials:Materials\\n")
"""

# Removes what appends added (each as {"type": bpy.data collection, "name": ...}).
REMOVE_ADDED = """
blocks = [getattr(bpy.data, a["type"]).get(a["name"]) for a in args["added"]]
bpy.data.batch_remove([b for b in blocks if b is not None])
"""


def build_library(server, root):
    py(server, BUILD_LIBRARY, {"root": str(root), "chairs": CHAIRS, "materials": MATERIALS})
    return root


@pytest.fixture(scope="module")
def library(tools_server, tool_dirs):
    return build_library(tools_server, tool_dirs["assets"] / "library")


def by_name(listing):
    return {(a["name"], a["file"].rsplit("/", 1)[-1]): a for a in listing["assets"]}


def test_list_a_folder_with_catalogs_and_tags(tools_server, library):
    listing = ok(tools_server, "list_assets", {"library": str(library)})
    assets = by_name(listing)
    assert sorted(assets) == [
        ("Chair", "furniture.blend"),
        ("Lamp", "more.blend"),
        ("Oak", "furniture.blend"),
        ("Oak", "more.blend"),
        ("Props", "more.blend"),
        ("Scatter", "furniture.blend"),
    ]
    assert listing["total"] == 6 and listing["libraries"] == [str(library)]
    chair = assets[("Chair", "furniture.blend")]
    assert (chair["type"], chair["catalog"], chair["tags"], chair["description"]) == (
        "object",
        "Furniture/Chairs",
        ["wood"],
        "A plain chair",
    )
    assert assets[("Oak", "furniture.blend")]["catalog"] == "Materials"
    assert assets[("Scatter", "furniture.blend")]["type"] == "node_group"
    assert assets[("Scatter", "furniture.blend")]["catalog"] is None
    assert assets[("Props", "more.blend")]["type"] == "collection"
    # Reading the library added nothing to the open file.
    assert py(tools_server, "result = [len(bpy.data.libraries), bpy.data.objects.get('Chair') is None]") == [0, True]


def test_list_filters_and_single_files(tools_server, library):
    only = ok(tools_server, "list_assets", {"library": str(library), "type": "object", "name_contains": "CHA"})
    assert [a["name"] for a in only["assets"]] == ["Chair"]
    one_file = ok(tools_server, "list_assets", {"library": str(library / "furniture.blend")})
    assert sorted(a["name"] for a in one_file["assets"]) == ["Chair", "Oak", "Scatter"]
    # The catalog file beside the .blend still applies.
    assert by_name(one_file)[("Chair", "furniture.blend")]["catalog"] == "Furniture/Chairs"
    capped = ok(tools_server, "list_assets", {"library": str(library), "limit": 2})
    assert len(capped["assets"]) == 2 and capped["total"] == 6


def test_configured_libraries_and_the_open_file(tools_server, library):
    py(
        tools_server,
        """
bpy.context.preferences.filepaths.asset_libraries.new(name="MCP Test Library", directory=args["root"])
bpy.data.materials.new("LocalMat").asset_mark()
""",
        {"root": str(library)},
    )
    try:
        named = ok(tools_server, "list_assets", {"library": "MCP Test Library", "type": "material"})
        assert [(a["name"], a["library"]) for a in named["assets"]] == [("Oak", "MCP Test Library")] * 2
        everything = ok(tools_server, "list_assets", {"type": "material"})
        assert "Current File" in everything["libraries"] and "MCP Test Library" in everything["libraries"]
        local = [a for a in everything["assets"] if a["library"] == "Current File"]
        assert [a["name"] for a in local] == ["LocalMat"]
        text = fails(tools_server, "list_assets", {"library": "MCP Test Librar"})
        assert "no asset library named 'MCP Test Librar'" in text and "'MCP Test Library'" in text
    finally:
        py(
            tools_server,
            """
libs = bpy.context.preferences.filepaths.asset_libraries
libs.remove(libs["MCP Test Library"])
bpy.data.materials.remove(bpy.data.materials["LocalMat"])
""",
        )


def test_append_an_object_with_what_it_uses(tools_server, library):
    added = []
    try:
        got = ok(tools_server, "append_asset", {"library": str(library), "name": "Chair", "type": "object"})
        added += got["added"]
        assert (got["name"], got["linked"], got["file"]) == ("Chair", False, str(library / "furniture.blend"))
        assert {(a["type"], a["name"]) for a in got["added"]} >= {
            ("objects", "Chair"),
            ("meshes", "lib_chair_mesh"),
            ("materials", "Oak"),
        }
        state = py(
            tools_server,
            """
o = bpy.data.objects["Chair"]
result = {"in_scene": o.name in bpy.context.scene.objects, "verts": len(o.data.vertices),
          "material": o.data.materials[0].name, "asset": o.asset_data is not None, "linked": o.library is not None,
          "collection": o.users_collection[0].name}
""",
        )
        assert state == {
            "in_scene": True,
            "verts": 4,
            "material": "Oak",
            "asset": False,
            "linked": False,
            "collection": got["placed_in"],
        }
        props = ok(
            tools_server,
            "append_asset",
            {"library": str(library / "kits"), "name": "Props", "type": "collection", "collection": "Scene Collection"},
        )
        added += props["added"]
        assert props["placed_in"] == "Scene Collection"
        assert py(
            tools_server, "result = [o.name for o in bpy.context.scene.collection.children['Props'].objects]"
        ) == ["Lamp"]
    finally:
        py(tools_server, REMOVE_ADDED, {"added": added})


def test_link_a_node_group(tools_server, library):
    got = ok(
        tools_server,
        "append_asset",
        {"library": str(library / "furniture.blend"), "name": "Scatter", "type": "node_group", "link": True},
    )
    try:
        assert got["linked"] is True and got["placed_in"] is None
        assert ("libraries", "furniture.blend") in {(a["type"], a["name"]) for a in got["added"]}
        assert py(tools_server, "result = bpy.data.node_groups['Scatter'].library.filepath") == str(
            library / "furniture.blend"
        )
    finally:
        py(tools_server, REMOVE_ADDED, {"added": got["added"]})


def test_bad_inputs_name_the_choices_and_change_nothing(tools_server, library, tool_dirs):
    count = "result = sum(len(getattr(bpy.data, a)) for a in ('objects', 'materials', 'node_groups', 'libraries'))"
    before = py(tools_server, count)
    folder = str(library)
    text = fails(tools_server, "append_asset", {"library": folder, "name": "Chiar", "type": "object"})
    assert "no object asset named 'Chiar'" in text and "'Chair'" in text
    assert "There is a material named 'Oak'" in fails(
        tools_server, "append_asset", {"library": folder, "name": "Oak", "type": "object"}
    )
    assert "2 files" in fails(tools_server, "append_asset", {"library": folder, "name": "Oak", "type": "material"})
    outside = str(tool_dirs["outside"] / "stolen.blend")
    text = fails(tools_server, "list_assets", {"library": outside})
    assert "outside the allowed directories" in text and str(tool_dirs["assets"]) in text
    assert "outside the allowed" in fails(
        tools_server, "append_asset", {"library": outside, "name": "x", "type": "object"}
    )
    assert "no .blend file or folder" in fails(tools_server, "list_assets", {"library": str(library / "missing")})
    assert "library is empty" in fails(
        tools_server, "append_asset", {"library": " ", "name": "Chair", "type": "object"}
    )
    assert "node_group" in fails(tools_server, "list_assets", {"library": folder, "type": "mesh"})
    assert "limit must be" in fails(tools_server, "list_assets", {"limit": 0})
    assert py(tools_server, count) == before


@pytest.fixture(scope="module")
def gui_server(tmp_path_factory, logs_dir):
    """Debian's Blender (3.4) as a GUI under Xvfb, confined to its own folders."""
    base = tmp_path_factory.mktemp("assets-gui")
    (base / "out").mkdir()
    (base / "assets").mkdir()
    roots = ("--output-dir", str(base / "out"), "--allow-root", str(base / "assets"))
    with attached_server("gui", base, logs_dir / "assets-gui.log", roots) as srv:
        srv.base = base
        yield srv


def test_assets_in_the_gui_host(gui_server):
    assert py(gui_server, "result = bpy.app.background") is False
    library = build_library(gui_server, gui_server.base / "assets" / "library")
    listing = ok(gui_server, "list_assets", {"library": str(library), "type": "object"})
    assert sorted(a["name"] for a in listing["assets"]) == ["Chair", "Lamp"]
    got = ok(gui_server, "append_asset", {"library": str(library), "name": "Chair", "type": "object"})
    assert py(gui_server, "result = len(bpy.data.objects['Chair'].data.vertices)") == 4
    py(gui_server, REMOVE_ADDED, {"added": got["added"]})
