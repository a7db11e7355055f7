# describe_node_type: a node type's sockets and properties as this Blender
# version has them, read from a fresh instance in a scratch group.


def socket_json(socket):
    info = {"name": socket.name, "type": socket.bl_idname}
    if socket.identifier != socket.name:
        info["identifier"] = socket.identifier
    if not socket.enabled:
        info["enabled"] = False
    prop = socket.bl_rna.properties.get("default_value")
    if prop is not None and not socket.is_output:
        info["default"] = to_json(socket.default_value)
        items = menu_items(socket)
        if items is not None:
            info["items"] = items
        if prop.type in {"INT", "FLOAT"} and max(abs(prop.hard_min), abs(prop.hard_max)) < 1e30:
            info["min"], info["max"] = to_json(prop.hard_min), to_json(prop.hard_max)
    return info


def property_json(node, prop):
    """describe_property, with the default a fresh node really has."""
    info = describe_property(prop)
    if "default" in info:
        info["default"] = to_json(getattr(node, prop.identifier))
    return info


kind = args["type"]
if kind not in node_type_names():
    raise unknown_type(kind)
scratch = Scratch()
try:
    node = scratch.node(kind)
    if node is None:
        raise ValueError(f"{kind} is a base or legacy type that no node tree of this Blender takes")
    result = {
        "type": kind,
        "label": node.bl_label,
        "description": node.bl_description,
        "inputs": [socket_json(s) for s in node.inputs],
        "outputs": [socket_json(s) for s in node.outputs],
        "properties": [property_json(node, p) for p in node_settings(node).values()],
    }
finally:
    scratch.close()
