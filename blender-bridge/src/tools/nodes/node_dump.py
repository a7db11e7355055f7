# A node tree as compact JSON: each node's name, type and location, the
# inputs that are neither linked nor at the type's default, the properties
# off their default; links as ["Node.Socket", "Node.Socket"] pairs that
# edit_node_tree takes back as they are.


def ramp_json(ramp):
    return {
        "interpolation": ramp.interpolation,
        "elements": [[round(e.position, 4), [round(c, 4) for c in e.color]] for e in ramp.elements],
    }


def changed_inputs(node, reference):
    ref = {s.identifier: s for s in reference.inputs} if reference is not None else {}
    values = {}
    for socket in node.inputs:
        if not socket.enabled or socket.is_linked or not hasattr(socket, "default_value"):
            continue
        value = to_json(socket.default_value)
        base = ref.get(socket.identifier)
        if base is not None and hasattr(base, "default_value") and to_json(base.default_value) == value:
            continue
        values[socket_key(socket, node.inputs)] = value
    return values


def changed_properties(node, reference):
    values = {}
    for name, prop in node_settings(node).items():
        if name == "color_ramp":
            value = ramp_json(node.color_ramp)
            base = ramp_json(reference.color_ramp) if reference is not None else None
        else:
            value = to_json(getattr(node, name))
            base = to_json(getattr(reference, name)) if reference is not None else default_of(prop)
        if value != base:
            values[name] = value
    return values


def interface_json(tree):
    """A node group's inputs and outputs: [name, socket type] pairs."""
    if hasattr(tree, "interface"):
        items = [i for i in tree.interface.items_tree if i.item_type == "SOCKET"]
        side = {"INPUT": [], "OUTPUT": []}
        for item in items:
            side[item.in_out].append([item.name, item.bl_socket_idname])
        return {"inputs": side["INPUT"], "outputs": side["OUTPUT"]}
    return {
        "inputs": [[s.name, s.bl_socket_idname] for s in tree.inputs],
        "outputs": [[s.name, s.bl_socket_idname] for s in tree.outputs],
    }


def node_json(node, reference):
    info = {"name": node.name, "type": node.bl_idname, "location": [round(node.location.x), round(node.location.y)]}
    if node.label:
        info["label"] = node.label
    if node.parent is not None:
        info["parent"] = node.parent.name
    if node.mute:
        info["mute"] = True
    inputs = changed_inputs(node, reference)
    if inputs:
        info["inputs"] = inputs
    properties = changed_properties(node, reference)
    if properties:
        info["properties"] = properties
    return info


def dump_tree(tree, spec):
    scratch = Scratch()
    try:
        nodes = [node_json(n, scratch.node(n.bl_idname, tree.bl_idname)) for n in tree.nodes]
    finally:
        scratch.close()
    links = sorted([socket_path(link.from_socket), socket_path(link.to_socket)] for link in tree.links)
    answer = {"tree": spec, "type": tree.bl_idname, "nodes": nodes, "links": links}
    if not tree.is_embedded_data:
        answer["interface"] = interface_json(tree)
    return answer
