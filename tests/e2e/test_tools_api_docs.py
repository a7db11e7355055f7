"""search_bpy_api and describe_bpy end to end against a real Blender: answers
are checked against that Blender's own RNA, read independently with
execute_blender_code, so they hold on every version the suite runs on."""

import pytest
from test_tools_hosts import attached_server
from tools_helpers import fails, ok, py


def paths(found):
    return [m["path"] for m in found["matches"]]


def test_search_ranks_what_an_agent_means_first(tools_server):
    found = ok(tools_server, "search_bpy_api", {"query": "bevel width"})
    assert paths(found)[0] == "bpy.types.BevelModifier.width"
    assert found["matches"][0]["kind"] == "property" and found["matches"][0]["detail"] == "float"
    assert found["blender"] == py(tools_server, "result = bpy.app.version_string")
    cube = ok(tools_server, "search_bpy_api", {"query": "add cube", "limit": 3})
    assert paths(cube)[0] == "bpy.ops.mesh.primitive_cube_add" and len(cube["matches"]) == 3
    assert cube["matches"][0]["kind"] == "operator" and cube["matches"][0]["detail"].startswith(
        "primitive_cube_add(size"
    )
    # Plurals and Blender's abbreviations ("Subsurf") fold onto what a user types.
    subsurf = paths(ok(tools_server, "search_bpy_api", {"query": "subdivision surface modifier"}))
    assert "bpy.types.SubsurfModifier" in subsurf[:3]
    assert "bpy.types.Object.modifiers" in paths(ok(tools_server, "search_bpy_api", {"query": "object modifiers"}))[:3]


def test_search_bad_inputs_say_what_to_send(tools_server):
    assert "query is empty" in fails(tools_server, "search_bpy_api", {"query": "  "})
    assert "no words" in fails(tools_server, "search_bpy_api", {"query": "?!"})
    assert "between 1 and 50" in fails(tools_server, "search_bpy_api", {"query": "cube", "limit": 0})
    assert "between 1 and 50" in fails(tools_server, "search_bpy_api", {"query": "cube", "limit": 51})
    assert ok(tools_server, "search_bpy_api", {"query": "zzqqxxv"})["matches"] == []


def test_the_index_follows_what_add_ons_register(tools_server):
    """The index is cached in Blender; registering an operator (as add-ons do,
    with their settings) makes it stale. The settings' property group is
    found through the property pointing to it, as bpy.types does not list it."""
    ok(tools_server, "search_bpy_api", {"query": "cube"})
    assert py(tools_server, "import sys; result = 'blender_mcp_rs_api_index' in sys.modules")
    py(
        tools_server,
        """
class McpSparkleSettings(bpy.types.PropertyGroup):
    sparkle_amount: bpy.props.FloatProperty(description="How much it sparkles", min=0, max=7)
class MCP_OT_sparkle(bpy.types.Operator):
    \"\"\"Make the scene sparkle\"\"\"
    bl_idname = "mcp_test.sparkle"
    bl_label = "Sparkle"
    def execute(self, context):
        return {"FINISHED"}
bpy.utils.register_class(McpSparkleSettings)
bpy.utils.register_class(MCP_OT_sparkle)
bpy.types.Scene.mcp_sparkle = bpy.props.PointerProperty(type=McpSparkleSettings)
bpy.app.driver_namespace["mcp_test_classes"] = [MCP_OT_sparkle, McpSparkleSettings]
""",
    )
    try:
        found = ok(tools_server, "search_bpy_api", {"query": "sparkle amount"})
        assert paths(found)[0] == "bpy.types.McpSparkleSettings.sparkle_amount"
        assert "bpy.ops.mcp_test.sparkle" in paths(found)
        prop = ok(tools_server, "describe_bpy", {"path": "bpy.types.McpSparkleSettings.sparkle_amount"})["property"]
        assert (prop["min"], prop["max"], prop["description"]) == (0, 7, "How much it sparkles")
        assert (
            ok(tools_server, "describe_bpy", {"path": "bpy.types.Scene.mcp_sparkle"})["property"]["of"]
            == "McpSparkleSettings"
        )
    finally:
        py(
            tools_server,
            """
del bpy.types.Scene.mcp_sparkle
for cls in bpy.app.driver_namespace.pop("mcp_test_classes"):
    bpy.utils.unregister_class(cls)
""",
        )
    assert "sparkle" not in str(ok(tools_server, "search_bpy_api", {"query": "sparkle amount"})).lower()
    assert "no type" in fails(tools_server, "describe_bpy", {"path": "bpy.types.McpSparkleSettings"})


def test_describe_a_type_as_this_blender_has_it(tools_server):
    bevel = ok(tools_server, "describe_bpy", {"path": "bpy.types.BevelModifier"})
    assert bevel["kind"] == "type" and bevel["base"] == "Modifier"
    props = {p["name"]: p for p in bevel["properties"]}
    expected = py(
        tools_server,
        """
rna = bpy.types.BevelModifier.bl_rna
own = [p.identifier for p in rna.properties if p.identifier not in rna.base.properties]
w = rna.properties["width"]
result = {"own": own, "width": [w.default, w.hard_min], "limit": [i.identifier for i in rna.properties["limit_method"].enum_items]}
""",
    )
    assert sorted(props) == sorted(expected["own"])
    assert [props["width"]["default"], props["width"]["min"]] == pytest.approx(expected["width"])
    assert props["width"]["type"] == "FLOAT" and props["width"]["max"] is None  # unbounded
    assert props["limit_method"]["items"] == expected["limit"]
    assert "name" in bevel["inherited"]["Modifier"]
    # Version-exact: Action's properties are this Blender's (5.x dropped Action.fcurves).
    action = ok(tools_server, "describe_bpy", {"path": "bpy.types.Action"})
    names = {p["name"] for p in action["properties"]} | {n for ns in action["inherited"].values() for n in ns}
    real = py(
        tools_server,
        "result = [p.identifier for p in bpy.types.Action.bl_rna.properties if p.identifier != 'rna_type']",
    )
    assert names == set(real)
    assert "BevelModifier" in ok(tools_server, "describe_bpy", {"path": "bpy.types.Modifier"})["subtypes"]


def test_describe_operators_properties_and_functions(tools_server):
    cube = ok(tools_server, "describe_bpy", {"path": "bpy.ops.mesh.primitive_cube_add"})
    assert cube["kind"] == "operator" and cube["signature"].startswith("bpy.ops.mesh.primitive_cube_add(size, ")
    size = next(p for p in cube["parameters"] if p["name"] == "size")
    assert size["type"] == "FLOAT" and size["default"] == 2.0
    # The same operator without the bpy.ops prefix.
    assert ok(tools_server, "describe_bpy", {"path": "mesh.primitive_cube_add"})["path"] == cube["path"]
    modifiers = ok(tools_server, "describe_bpy", {"path": "bpy.types.Object.modifiers"})
    assert modifiers["kind"] == "property" and modifiers["property"]["of"] == "Modifier"
    new = next(f for f in modifiers["functions"] if f["name"] == "new")
    assert [(p["name"], p.get("required")) for p in new["parameters"]] == [("name", True), ("type", True)]
    assert "BEVEL" in new["parameters"][1]["items"]
    limit = ok(tools_server, "describe_bpy", {"path": "bpy.types.BevelModifier.limit_method"})
    assert {c["id"] for c in limit["choices"]} >= {"NONE", "ANGLE", "WEIGHT"}
    assert all(c["description"] for c in limit["choices"])
    func = ok(tools_server, "describe_bpy", {"path": "bpy.types.Object.modifiers.new"})
    assert func["kind"] == "function" and func["owner"] == "ObjectModifiers"
    assert func["returns"][0]["of"] == "Modifier"
    objects = ok(tools_server, "describe_bpy", {"path": "bpy.data.objects"})
    assert objects["owner"] == "BlendData" and any(f["name"] == "remove" for f in objects["functions"])
    assert "primitive_cube_add" in ok(tools_server, "describe_bpy", {"path": "bpy.ops.mesh"})["operators"]


def test_unknown_paths_list_close_matches(tools_server):
    assert "'BevelModifier'" in fails(tools_server, "describe_bpy", {"path": "bpy.types.BevelModifer"})
    assert "'primitive_cube_add'" in fails(tools_server, "describe_bpy", {"path": "bpy.ops.mesh.primitve_cube_add"})
    assert "'mesh'" in fails(tools_server, "describe_bpy", {"path": "bpy.ops.mehs.primitive_cube_add"})
    text = fails(tools_server, "describe_bpy", {"path": "bpy.types.Object.modifers"})
    assert "no member 'modifers'; members: 'modifiers'," in text  # closest first
    assert "has no members" in fails(tools_server, "describe_bpy", {"path": "bpy.types.Object.location.x"})
    assert "path is empty" in fails(tools_server, "describe_bpy", {"path": ""})
    assert "path is empty" in fails(tools_server, "describe_bpy", {"path": "bpy."})
    # The server keeps serving.
    assert ok(tools_server, "describe_bpy", {"path": "Object"})["path"] == "bpy.types.Object"


@pytest.fixture(scope="module")
def gui_server(tmp_path_factory, logs_dir):
    """Debian's Blender (3.4) as a GUI under Xvfb, serving the real addon."""
    with attached_server("gui", tmp_path_factory.mktemp("api-docs-gui"), logs_dir / "api-docs-gui.log") as srv:
        yield srv


def test_api_docs_in_the_gui_host(gui_server):
    assert py(gui_server, "result = bpy.app.background") is False
    assert paths(ok(gui_server, "search_bpy_api", {"query": "bevel width"}))[0] == "bpy.types.BevelModifier.width"
    found = ok(gui_server, "describe_bpy", {"path": "bpy.types.BevelModifier.width"})
    assert found["blender"] == py(gui_server, "result = bpy.app.version_string")
    assert found["property"]["default"] == pytest.approx(0.1)
