# A node tree as compact JSON: each node's name, type and location, the
# inputs that are neither linked nor at the type's default, the properties
# off their default; links as ["Node.Socket", "Node.Socket"] pairs that
# edit_node_tree takes back as they are. A type's defaults are read once per
# Blender session from a fresh node and kept (they cannot change while it
# runs), in a module of its own like the checkpoint state.
import sys
import types

FRESH = sys.modules.setdefault("blender_mcp_node_defaults", types.ModuleType("blender_mcp_node_defaults")).__dict__
FRESH.setdefault("by_type", {})


def compact(value):
    """JSON with whole floats written as integers (2 rather than 2.0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [compact(v) for v in value]
    if isinstance(value, dict):
        return {k: compact(v) for k, v in value.items()}
    return value


def ramp_json(ramp):
    return {
        "interpolation": ramp.interpolation,
        "color_mode": ramp.color_mode,
        "elements": [[round(e.position, 4), [round(c, 4) for c in e.color]] for e in ramp.elements],
    }


def settings_json(node):
    return {
        name: ramp_json(node.color_ramp) if name == "color_ramp" else to_json(getattr(node, name))
        for name in node_settings(node)
    }


def fresh_defaults(kind, tree_type, scratch):
    """{"inputs": {identifier: value}, "properties": {name: value}} of a new
    node of this type, or None where one cannot be made."""
    cache = FRESH["by_type"]
    if (kind, tree_type) not in cache:
        node = scratch.node(kind, tree_type)
        cache[(kind, tree_type)] = node and {
            "inputs": {s.identifier: to_json(s.default_value) for s in node.inputs if hasattr(s, "default_value")},
            "properties": settings_json(node),
        }
    return cache[(kind, tree_type)]


def changed_inputs(node, fresh):
    values = {}
    for socket in node.inputs:
        if not socket.enabled or socket.is_linked or not hasattr(socket, "default_value"):
            continue
        value = to_json(socket.default_value)
        if fresh is None or fresh["inputs"].get(socket.identifier) != value:
            values[socket_key(socket, node.inputs)] = value
    return values


def changed_properties(node, fresh):
    values = {}
    for name, value in settings_json(node).items():
        if fresh is None:
            base = default_of(node.bl_rna.properties[name]) if name != "color_ramp" else None
        else:
            base = fresh["properties"].get(name)
        if isinstance(value, dict) and isinstance(base, dict):
            value = {k: v for k, v in value.items() if base.get(k) != v}
        if value != base and value != {}:
            values[name] = value
    return values


def interface_json(tree):
    """A node group's inputs and outputs: [name, socket type] pairs."""
    if hasattr(tree, "interface"):
        side = {"INPUT": [], "OUTPUT": []}
        for item in tree.interface.items_tree:
            if item.item_type == "SOCKET":
                side[item.in_out].append([item.name, item.bl_socket_idname])
        return {"inputs": side["INPUT"], "outputs": side["OUTPUT"]}
    return {
        "inputs": [[s.name, s.bl_socket_idname] for s in tree.inputs],
        "outputs": [[s.name, s.bl_socket_idname] for s in tree.outputs],
    }


def node_json(node, fresh):
    info = {"name": node.name, "type": node.bl_idname, "location": [round(node.location.x), round(node.location.y)]}
    if node.label:
        info["label"] = node.label
    if node.parent is not None:
        info["parent"] = node.parent.name
    if node.mute:
        info["mute"] = True
    inputs = changed_inputs(node, fresh)
    if inputs:
        info["inputs"] = compact(inputs)
    properties = changed_properties(node, fresh)
    if properties:
        info["properties"] = compact(properties)
    return info


def dump_tree(tree, spec):
    scratch = Scratch()
    try:
        nodes = [node_json(n, fresh_defaults(n.bl_idname, tree.bl_idname, scratch)) for n in tree.nodes]
    finally:
        scratch.close()
    links = sorted([socket_path(link.from_socket), socket_path(link.to_socket)] for link in tree.links)
    answer = {"tree": spec, "type": tree.bl_idname, "nodes": nodes, "links": links}
    if not tree.is_embedded_data:
        answer["interface"] = interface_json(tree)
    return answer
