"""Node-graph tools end to end against a real Blender: the headless one of
the session (pip's bpy: 4.5 pinned, 5.3 with BLENDER_MCP_PYTHON) and, for
the GUI path, a Blender executable under Xvfb (Debian's 3.4). What the tools
did is checked by reading bpy state independently (execute_blender_code)."""

import json

import pytest
from test_tools_hosts import attached_server
from tools_helpers import fails, ok, py, remove_objects

# Everything about a node tree bpy can tell, to prove a failed edit changed
# nothing: every node with every input value and property, every link in
# order, and how many datablocks exist (a dry run's scratch copies must go).
FULL_DUMP = """
def tree_of(spec):
    kind, _, name = spec.partition(':')
    if kind == 'material':
        return bpy.data.materials[name].node_tree
    if kind == 'world':
        return bpy.context.scene.world.node_tree
    return bpy.data.node_groups[name]

def value(v):
    try:
        return [round(x, 6) for x in v]
    except TypeError:
        return round(v, 6) if isinstance(v, float) else repr(v)

tree = tree_of(args['tree'])
result = {
    'nodes': [[n.name, n.bl_idname, value(n.location), n.label, repr(n.parent), n.mute,
               [[s.identifier, s.enabled, value(getattr(s, 'default_value', None))] for s in n.inputs],
               [s.identifier for s in n.outputs],
               [[p.identifier, value(getattr(n, p.identifier))] for p in n.bl_rna.properties
                if p.type not in {'POINTER', 'COLLECTION'} and p.identifier not in {'dimensions', 'select'}]]
              for n in tree.nodes],
    'links': [[l.from_node.name, l.from_socket.identifier, l.to_node.name, l.to_socket.identifier] for l in tree.links],
    'datablocks': [len(bpy.data.materials), len(bpy.data.node_groups), len(bpy.data.scenes), len(bpy.data.worlds),
                   len(bpy.data.objects), len(bpy.data.meshes)],
}
"""

# The instances a geometry-nodes object makes, counted on the evaluated depsgraph.
INSTANCES = """
deps = bpy.context.evaluated_depsgraph_get()
result = sum(1 for i in deps.object_instances if i.is_instance and i.parent and i.parent.original.name == args['n'])
"""

# The chain that drives a material's base colour, read back from bpy.
BASE_COLOR_CHAIN = """
tree = bpy.data.materials[args['m']].node_tree
bsdf = [n for n in tree.nodes if n.bl_idname == 'ShaderNodeBsdfPrincipled'][0]
ramp = bsdf.inputs['Base Color'].links[0].from_node
noise = ramp.inputs[0].links[0].from_node
result = {'ramp': ramp.bl_idname, 'noise': noise.bl_idname, 'scale': round(noise.inputs['Scale'].default_value, 4),
          'noise_output': ramp.inputs[0].links[0].from_socket.identifier,
          'stops': [[round(e.position, 4), [round(c, 4) for c in e.color]] for e in ramp.color_ramp.elements],
          'roughness': round(bsdf.inputs['Roughness'].default_value, 4)}
"""

NOISE_MATERIAL_OPS = [
    {"op": "add", "type": "ShaderNodeTexNoise", "name": "Noise", "location": [-700, 0], "inputs": {"Scale": 7.5}},
    {
        "op": "add",
        "type": "ShaderNodeValToRGB",
        "name": "Ramp",
        "location": [-400, 0],
        "properties": {"color_ramp": {"elements": [[0.3, [0, 0, 0, 1]], [0.8, [1, 0.5, 0.1, 1]]]}},
    },
    {"op": "link", "from": "Noise.Fac", "to": "Ramp.Fac"},
    {"op": "link", "from": "Ramp.Color", "to": "Principled BSDF.Base Color"},
    {"op": "set", "node": "Principled BSDF", "inputs": {"Roughness": 0.25}},
]


def full_dump(server, tree):
    return py(server, FULL_DUMP, {"tree": tree})


def make_material(server, name):
    ok(server, "set_material", {"name": name, "base_color": [0.8, 0.8, 0.8]})
    return f"material:{name}"


@pytest.fixture
def material(tools_server):
    tree = make_material(tools_server, "nodes_mat")
    yield tree
    py(tools_server, "m = bpy.data.materials.get('nodes_mat'); m and bpy.data.materials.remove(m)")


def test_noise_driven_material(tools_server, material):
    out = ok(tools_server, "edit_node_tree", {"tree": material, "ops": NOISE_MATERIAL_OPS})
    assert out["applied"] == 5 and out["added"] == ["Noise", "Ramp"]
    chain = py(tools_server, BASE_COLOR_CHAIN, {"m": "nodes_mat"})
    assert chain == {
        "ramp": "ShaderNodeValToRGB",
        "noise": "ShaderNodeTexNoise",
        "scale": 7.5,
        "noise_output": "Fac",
        "stops": [[0.3, [0, 0, 0, 1]], [0.8, [1, 0.5, 0.1, 1]]],
        "roughness": 0.25,
    }
    tree = ok(tools_server, "get_node_tree", {"tree": material})
    nodes = {n["name"]: n for n in tree["nodes"]}
    assert nodes["Noise"]["inputs"] == {"Scale": 7.5} and nodes["Noise"]["location"] == [-700, 0]
    assert "properties" not in nodes["Noise"]
    assert nodes["Ramp"]["properties"]["color_ramp"]["elements"] == chain["stops"]
    assert nodes["Principled BSDF"]["inputs"]["Roughness"] == 0.25
    # 5.x renamed the noise output "Factor" (its identifier is still "Fac"): the dump uses this version's name.
    noise_out = "Noise.Fac" if py(tools_server, "result = bpy.app.version < (5, 0, 0)") else "Noise.Factor"
    assert [noise_out, "Ramp.Fac"] in tree["links"] or [noise_out, "Ramp.Factor"] in tree["links"]
    assert ["Ramp.Color", "Principled BSDF.Base Color"] in tree["links"]

    ok(
        tools_server,
        "edit_node_tree",
        {"tree": material, "ops": [{"op": "unlink", "to": "Principled BSDF.Base Color"}]},
    )
    assert (
        py(
            tools_server,
            "result = bpy.data.materials['nodes_mat'].node_tree.nodes['Principled BSDF'].inputs['Base Color'].is_linked",
        )
        is False
    )
    ok(tools_server, "edit_node_tree", {"tree": material, "ops": [{"op": "remove", "node": "Noise"}]})
    assert py(tools_server, "result = sorted(n.name for n in bpy.data.materials['nodes_mat'].node_tree.nodes)") == [
        "Material Output",
        "Principled BSDF",
        "Ramp",
    ]


@pytest.mark.parametrize(
    "bad_op,message",
    [
        ({"op": "link", "from": "Noise.Fax", "to": "Ramp.Fac"}, "node 'Noise' has no output 'Fax'"),
        ({"op": "link", "from": "Nois.Fac", "to": "Ramp.Fac"}, "does not start with a node name"),
        ({"op": "set", "node": "Noise", "inputs": {"Scale": "big"}}, "takes float values, got 'big'"),
        ({"op": "set", "node": "Principled BSDF", "inputs": {"Roughness": 3}}, "must be between 0.0 and 1.0, got 3"),
        (
            {"op": "set", "node": "Noise", "properties": {"noise_dimension": "4D"}},
            "no property 'noise_dimension'; valid: 'noise_dimensions'",
        ),
        ({"op": "set", "node": "Noise", "properties": {"noise_dimensions": "5D"}}, "must be one of"),
        ({"op": "add", "type": "ShaderNodeTexNoize"}, "closest: 'ShaderNodeTexNoise'"),
        ({"op": "remove", "node": "Noize"}, "no node 'Noize'"),
        ({"op": "unlink", "to": "Principled BSDF.Metallic"}, "no link between"),
        ({"op": "add", "type": "ShaderNodeMath", "name": "Noise"}, "a node named 'Noise' exists already"),
        ({"op": "add_socket", "name": "X", "socket_type": "NodeSocketFloat"}, "only node groups"),
        ({"op": "link", "from": "Principled BSDF.BSDF", "to": "Noise.Scale"}, "cannot feed Noise.Scale"),
    ],
)
def test_a_failing_op_leaves_the_tree_exactly_as_it_was(tools_server, material, bad_op, message):
    ok(tools_server, "edit_node_tree", {"tree": material, "ops": NOISE_MATERIAL_OPS})
    before = full_dump(tools_server, "material:nodes_mat")
    ops = [
        {"op": "add", "type": "ShaderNodeMath", "name": "Math", "inputs": {"1": 3.0}},
        {"op": "link", "from": "Noise.Fac", "to": "Math.0"},
        {"op": "set", "node": "Noise", "inputs": {"Scale": 1.0}, "location": [0, 0]},
        {"op": "unlink", "to": "Ramp.Fac"},
        bad_op,
        {"op": "remove", "node": "Ramp"},
    ]
    text = fails(tools_server, "edit_node_tree", {"tree": material, "ops": ops})
    assert f": op 4 ({bad_op['op']})" in text.split("\n")[0] and message in text, text
    assert "Nothing was changed" in text
    assert full_dump(tools_server, "material:nodes_mat") == before


def test_malformed_ops_and_trees_are_refused_up_front(tools_server, material):
    before = full_dump(tools_server, "material:nodes_mat")
    text = fails(
        tools_server, "edit_node_tree", {"tree": material, "ops": [{"op": "remove", "node": "Noise"}, {"op": "frob"}]}
    )
    assert text.startswith("op 1: unknown variant `frob`") and "`add_socket`" in text
    assert full_dump(tools_server, "material:nodes_mat") == before
    text = fails(tools_server, "get_node_tree", {"tree": "materials:nodes_mat"})
    assert "material:NAME, world, geometry:OBJECT/MODIFIER, group:NAME, compositor" in text
    text = fails(tools_server, "get_node_tree", {"tree": "material:nodes_mt"})
    assert "no material named 'nodes_mt'" in text and "'nodes_mat'" in text
    assert "no object named 'nodes_nothing'" in fails(
        tools_server, "get_node_tree", {"tree": "geometry:nodes_nothing/GN"}
    )


def test_node_names_with_dots_and_sockets_by_index(tools_server, material):
    ok(
        tools_server,
        "edit_node_tree",
        {
            "tree": material,
            "ops": [
                {"op": "add", "type": "ShaderNodeMix", "name": "Mix"},
                {"op": "add", "type": "ShaderNodeMix", "name": "Mix.001"},
                {"op": "add", "type": "ShaderNodeMath", "name": "Mix.001.Math"},
                {"op": "link", "from": "Mix.001.Result", "to": "Mix.A"},
                {"op": "add", "type": "ShaderNodeValue", "name": "Source"},
                {"op": "link", "from": {"node": "Source", "socket": 0}, "to": {"node": "Mix.001", "socket": "B"}},
                {"op": "link", "from": "Mix.Result", "to": "Mix.001.Math.1"},
            ],
        },
    )
    links = py(
        tools_server,
        "result = sorted([l.from_node.name, l.from_socket.identifier, l.to_node.name, l.to_socket.identifier] "
        "for l in bpy.data.materials['nodes_mat'].node_tree.links if 'Mix' in l.to_node.name)",
    )
    assert links == [
        ["Mix", "Result_Float", "Mix.001.Math", "Value_001"],
        ["Mix.001", "Result_Float", "Mix", "A_Float"],
        ["Source", "Value", "Mix.001", "B_Float"],
    ]
    tree = ok(tools_server, "get_node_tree", {"tree": material})
    assert ["Mix.001.Result", "Mix.A"] in tree["links"] and ["Mix.Result", "Mix.001.Math.1"] in tree["links"]
    # A link that would close a loop is refused.
    assert "the link would close a loop" in fails(
        tools_server,
        "edit_node_tree",
        {"tree": material, "ops": [{"op": "link", "from": "Mix.001.Math.0", "to": "Mix.001.A"}]},
    )
    # With colour data the enabled A is the colour one: name resolution follows what the node shows.
    ok(
        tools_server,
        "edit_node_tree",
        {
            "tree": material,
            "ops": [
                {"op": "set", "node": "Mix", "properties": {"data_type": "RGBA"}},
                {"op": "set", "node": "Mix", "inputs": {"A": [1, 0, 0]}},
            ],
        },
    )
    assert py(
        tools_server,
        "mix = bpy.data.materials['nodes_mat'].node_tree.nodes['Mix']; "
        "result = [list(s.default_value) for s in mix.inputs if s.identifier == 'A_Color']",
    ) == [[1, 0, 0, 1]]
    assert "has 1 outputs, so no output 7" in fails(
        tools_server,
        "edit_node_tree",
        {"tree": material, "ops": [{"op": "link", "from": "Mix.001.Math.7", "to": "Mix.B"}]},
    )


def test_geometry_nodes_scatter_has_instances(tools_server):
    ok(tools_server, "create_object", {"kind": "plane", "name": "nodes_ground", "size": 4})
    try:
        ok(tools_server, "add_modifier", {"object": "nodes_ground", "type": "NODES", "name": "Scatter"})
        tree = "geometry:nodes_ground/Scatter"
        out = ok(
            tools_server,
            "edit_node_tree",
            {
                "tree": tree,
                "ops": [
                    {
                        "op": "add_socket",
                        "name": "Density",
                        "socket_type": "NodeSocketFloat",
                        "default_value": 2.0,
                        "min_value": 0.0,
                    },
                    {
                        "op": "add",
                        "type": "GeometryNodeDistributePointsOnFaces",
                        "name": "Distribute",
                        "location": [0, 0],
                    },
                    {"op": "add", "type": "GeometryNodeMeshIcoSphere", "name": "Pebble", "inputs": {"Radius": 0.05}},
                    {"op": "add", "type": "GeometryNodeInstanceOnPoints", "name": "Instance", "location": [250, 0]},
                    {"op": "link", "from": "Group Input.Geometry", "to": "Distribute.Mesh"},
                    {"op": "link", "from": "Group Input.Density", "to": "Distribute.Density"},
                    {"op": "link", "from": "Distribute.Points", "to": "Instance.Points"},
                    {"op": "link", "from": "Pebble.Mesh", "to": "Instance.Instance"},
                    {"op": "link", "from": "Instance.Instances", "to": "Group Output.Geometry"},
                ],
            },
        )
        assert out["nodes"] == 5 and out["links"] == 5
        sparse = py(tools_server, INSTANCES, {"n": "nodes_ground"})
        assert sparse > 0
        ok(
            tools_server,
            "set_modifier",
            {"object": "nodes_ground", "modifier": "Scatter", "settings": {"Density": 20.0}},
        )
        dense = py(tools_server, INSTANCES, {"n": "nodes_ground"})
        assert dense > 4 * sparse
        dump = ok(tools_server, "get_node_tree", {"tree": tree})
        assert dump["interface"]["inputs"] == [["Geometry", "NodeSocketGeometry"], ["Density", "NodeSocketFloat"]]
        assert ["Group Input.Density", "Distribute.Density"] in dump["links"]
    finally:
        remove_objects(tools_server, "nodes_ground")


COMPOSITOR_STATE = """
s = bpy.context.scene
t = s.compositing_node_group if hasattr(s, 'compositing_node_group') else (s.node_tree if s.use_nodes else None)
result = [len(bpy.data.scenes), len(bpy.data.node_groups), None if t is None else sorted(n.name for n in t.nodes)]
"""


def test_world_group_and_compositor_trees(tools_server):
    # A failing edit does not even switch the compositor on (nor leave a scratch scene or group behind).
    before = py(tools_server, COMPOSITOR_STATE)
    text = fails(
        tools_server, "edit_node_tree", {"tree": "compositor", "ops": [{"op": "add", "type": "CompositorNodeBlurr"}]}
    )
    assert "op 0 (add)" in text and "'CompositorNodeBlur'" in text
    assert py(tools_server, COMPOSITOR_STATE) == before
    ok(
        tools_server,
        "edit_node_tree",
        {"tree": "world", "ops": [{"op": "set", "node": "Background", "inputs": {"Strength": 2.5}}]},
    )
    assert (
        py(
            tools_server,
            "result = round(bpy.context.scene.world.node_tree.nodes['Background'].inputs['Strength'].default_value, 3)",
        )
        == 2.5
    )
    ok(
        tools_server,
        "edit_node_tree",
        {
            "tree": "compositor",
            "ops": [{"op": "add", "type": "CompositorNodeBlur", "name": "Soften", "label": "soft"}],
        },
    )
    compositor = py(
        tools_server,
        "s = bpy.context.scene; t = s.compositing_node_group if hasattr(s, 'compositing_node_group') else s.node_tree; "
        "result = [t.nodes['Soften'].bl_idname, t.nodes['Soften'].label]",
    )
    assert compositor == ["CompositorNodeBlur", "soft"]
    # A compositor the tool switched on still passes the render through.
    still = ok(tools_server, "render_image", {"engine": "WORKBENCH", "width": 32, "height": 32})
    assert still, "a render after the compositor edit"
    assert any(n["name"] == "Soften" for n in ok(tools_server, "get_node_tree", {"tree": "compositor"})["nodes"])
    if py(tools_server, "result = bpy.app.version >= (5, 0, 0)"):
        # 5.x made Blur's filter_type an input: the error says where it went.
        text = fails(
            tools_server,
            "edit_node_tree",
            {"tree": "compositor", "ops": [{"op": "set", "node": "Soften", "properties": {"filter_type": "GAUSS"}}]},
        )
        assert "no property 'filter_type'" in text and "'Type' is an input: set it under inputs" in text
        blur_type = next(
            s
            for s in ok(tools_server, "describe_node_type", {"type": "CompositorNodeBlur"})["inputs"]
            if s["name"] == "Type"
        )
        assert blur_type["type"] == "NodeSocketMenu" and "Gaussian" in blur_type["items"]
        text = fails(
            tools_server,
            "edit_node_tree",
            {"tree": "compositor", "ops": [{"op": "set", "node": "Soften", "inputs": {"Type": "Gausian"}}]},
        )
        assert "Soften.Type must be one of 'Gaussian'" in text
        ok(
            tools_server,
            "edit_node_tree",
            {"tree": "compositor", "ops": [{"op": "set", "node": "Soften", "inputs": {"Type": "Flat"}}]},
        )
        assert next(
            n for n in ok(tools_server, "get_node_tree", {"tree": "compositor"})["nodes"] if n["name"] == "Soften"
        )["inputs"] == {"Type": "Flat"}
    py(tools_server, "g = bpy.data.node_groups.new('nodes_shader_group', 'ShaderNodeTree')")
    try:
        ok(
            tools_server,
            "edit_node_tree",
            {
                "tree": "group:nodes_shader_group",
                "ops": [
                    {"op": "add_socket", "name": "Amount", "socket_type": "NodeSocketFloat", "default_value": 0.5},
                    {"op": "add", "type": "NodeGroupInput", "name": "In"},
                    {
                        "op": "add",
                        "type": "ShaderNodeMath",
                        "name": "Double",
                        "properties": {"operation": "MULTIPLY"},
                        "inputs": {"1": 2.0},
                    },
                    {"op": "link", "from": "In.Amount", "to": "Double.0"},
                ],
            },
        )
        dump = ok(tools_server, "get_node_tree", {"tree": "group:nodes_shader_group"})
        double = next(n for n in dump["nodes"] if n["name"] == "Double")
        assert double["properties"] == {"operation": "MULTIPLY"} and double["inputs"] == {"1": 2.0}
        assert dump["links"] == [["In.Amount", "Double.Value"]]  # the first of three inputs named Value
        assert dump["interface"] == {"inputs": [["Amount", "NodeSocketFloat"]], "outputs": []}
        text = fails(
            tools_server,
            "edit_node_tree",
            {
                "tree": "group:nodes_shader_group",
                "ops": [{"op": "add_socket", "name": "Y", "socket_type": "NodeSocketFlot"}],
            },
        )
        assert "op 0 (add_socket)" in text and "NodeSocketFloat" in text
    finally:
        py(tools_server, "bpy.data.node_groups.remove(bpy.data.node_groups['nodes_shader_group'])")


def test_describe_node_type(tools_server):
    noise = ok(tools_server, "describe_node_type", {"type": "ShaderNodeTexNoise"})
    inputs = {s["name"]: s for s in noise["inputs"]}
    assert inputs["Scale"]["default"] == 5.0 and inputs["Roughness"]["max"] == 1.0
    props = {p["name"]: p for p in noise["properties"]}
    assert "3D" in props["noise_dimensions"]["items"] and props["noise_dimensions"]["default"] == "3D"
    distribute = ok(tools_server, "describe_node_type", {"type": "GeometryNodeDistributePointsOnFaces"})
    assert {"RANDOM", "POISSON"} <= set({p["name"]: p for p in distribute["properties"]}["distribute_method"]["items"])
    assert [s["name"] for s in distribute["outputs"]][:1] == ["Points"]
    # Render Layers only lives in a scene's own compositor up to 4.x, in any compositor tree from 5.0 on.
    layers = ok(tools_server, "describe_node_type", {"type": "CompositorNodeRLayers"})
    assert layers["outputs"][0]["name"] == "Image"
    assert "base or legacy type" in fails(tools_server, "describe_node_type", {"type": "NodeCustomGroup"})
    text = fails(tools_server, "describe_node_type", {"type": "ShaderNodeTexNoize"})
    assert "no node type 'ShaderNodeTexNoize'" in text and "closest: 'ShaderNodeTexNoise'" in text


def test_a_50_node_tree_answers_compactly(tools_server, material):
    ops = [
        {"op": "add", "type": "ShaderNodeMath", "name": f"M{i}", "location": [i * 180, 0], "inputs": {"1": float(i)}}
        for i in range(48)
    ]
    ops += [{"op": "link", "from": f"M{i}.Value", "to": f"M{i + 1}.0"} for i in range(47)]
    ops += [{"op": "link", "from": "M47.Value", "to": "Principled BSDF.Roughness"}]
    ok(tools_server, "edit_node_tree", {"tree": material, "ops": ops})
    dump = ok(tools_server, "get_node_tree", {"tree": material})
    assert len(dump["nodes"]) == 50 and len(dump["links"]) == 49
    size = len(json.dumps(dump, separators=(",", ":")))
    assert size < 6000, size


@pytest.fixture(scope="module")
def gui_server(tmp_path_factory, logs_dir):
    """Debian's Blender (3.4) as a GUI under Xvfb, serving the real addon."""
    with attached_server("gui", tmp_path_factory.mktemp("nodes-gui"), logs_dir / "nodes-gui.log") as srv:
        yield srv


def test_nodes_in_the_gui(gui_server):
    assert py(gui_server, "result = bpy.app.background") is False
    tree = make_material(gui_server, "gui_mat")
    ok(gui_server, "edit_node_tree", {"tree": tree, "ops": NOISE_MATERIAL_OPS})
    assert py(gui_server, BASE_COLOR_CHAIN, {"m": "gui_mat"})["scale"] == 7.5
    before = full_dump(gui_server, tree)
    text = fails(
        gui_server,
        "edit_node_tree",
        {
            "tree": tree,
            "ops": [{"op": "remove", "node": "Ramp"}, {"op": "link", "from": "Noise.Fac", "to": "Ramp.Fac"}],
        },
    )
    assert "op 1 (link): to: 'Ramp.Fac' does not start with a node name" in text
    assert full_dump(gui_server, tree) == before
    assert ok(gui_server, "describe_node_type", {"type": "ShaderNodeTexNoise"})["label"] == "Noise Texture"
    assert len(ok(gui_server, "get_node_tree", {"tree": tree})["nodes"]) == 4
