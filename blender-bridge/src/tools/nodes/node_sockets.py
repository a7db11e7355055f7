# Nodes and sockets by name. Node names may hold dots ("Mix.001"), so
# "Node.Socket" is split at the longest node name of the tree it starts
# with; the socket is a name, an identifier or an index. Sockets that share
# a name (the Mix node's A and B for each data type) resolve to the one
# shown (enabled) first.
import ast


def find_node(tree, name, where):
    node = tree.nodes.get(name) if isinstance(name, str) else None
    if node is None:
        names = [n.name for n in tree.nodes]
        raise LookupError(f"{where}: no node {name!r}; nodes: {choice_list(str(name), names) if names else 'none yet'}")
    return node


def split_socket_ref(tree, ref, where):
    """(node, socket key) from "Node.Socket" or {"node": ..., "socket": ...}."""
    if isinstance(ref, dict):
        return find_node(tree, ref.get("node"), where), ref.get("socket")
    best = None
    for node in tree.nodes:
        if ref.startswith(node.name + ".") and (best is None or len(node.name) > len(best.name)):
            best = node
    if best is None:
        head = ref.rsplit(".", 1)[0]
        nodes = choice_list(head, [n.name for n in tree.nodes])
        raise LookupError(f"{where}: {ref!r} does not start with a node name and a dot; nodes: {nodes}")
    return best, ref[len(best.name) + 1 :]


def find_socket(node, key, side, where):
    sockets = node.inputs if side == "input" else node.outputs
    if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
        if int(key) < len(sockets):
            return sockets[int(key)]
        raise IndexError(f"{where}: node {node.name!r} has {len(sockets)} {side}s, so no {side} {key}")
    matches = [s for s in sockets if key in (s.name, s.identifier)]
    if not matches:
        names = list(dict.fromkeys(s.name for s in sockets if s.enabled))
        raise LookupError(
            f"{where}: node {node.name!r} has no {side} {key!r}; its {side}s: {choice_list(str(key), names)}"
        )
    return next((s for s in matches if s.enabled), matches[0])


def socket_key(socket, sockets):
    """How a socket is written back: its name when that resolves to it, else its index."""
    named = [s for s in sockets if socket.name in (s.name, s.identifier)]
    if next((s for s in named if s.enabled), named[0]) == socket:
        return socket.name
    return str(list(sockets).index(socket))


def socket_path(socket):
    node = socket.node
    return f"{node.name}.{socket_key(socket, node.outputs if socket.is_output else node.inputs)}"


def menu_items(socket):
    """The choices of a menu socket (5.x moved many node enums to inputs), or
    None. Their RNA enum is filled per node at run time, so the static list
    is empty; Blender names the valid items when given an invalid one."""
    prop = socket.bl_rna.properties.get("default_value")
    if prop is None or prop.type != "ENUM" or len(prop.enum_items):
        return None
    current = socket.default_value
    try:
        socket.default_value = "\x00"
    except TypeError as e:
        text = str(e)
        try:
            return list(ast.literal_eval(text[text.index(" in (") + 4 :]))
        except (ValueError, SyntaxError):
            return None
    finally:
        socket.default_value = current
    return None


def set_socket_value(socket, value, where):
    prop = socket.bl_rna.properties.get("default_value")
    if prop is None:
        raise ValueError(f"{where} is a {socket.type.lower()} socket and holds no value; link something to it")
    items = menu_items(socket)
    if items is not None and value not in items:
        raise ValueError(f"{where} must be one of {choice_list(str(value), items)}; got {value!r}")
    if socket.type == "RGBA" and isinstance(value, list) and len(value) == 3:
        value = value + [1.0]
    socket.default_value = coerce(prop, value, where)


def set_inputs(node, inputs, where):
    if not isinstance(inputs, dict):
        raise TypeError(f"{where}: inputs must be an object of socket: value")
    for key, value in inputs.items():
        socket = find_socket(node, key, "input", where)
        set_socket_value(socket, value, f"{where}: {node.name}.{key}")


def set_color_ramp(node, spec, where):
    """{"interpolation": ..., "elements": [[position, [r, g, b, a]], ...]}."""
    ramp = getattr(node, "color_ramp", None)
    if ramp is None or not isinstance(spec, dict):
        raise ValueError(
            f"{where}: color_ramp takes {{'elements': [[position, [r, g, b, a]], ...]}} on nodes with a ramp"
        )
    spec = dict(spec)
    elements = spec.pop("elements", None)
    set_properties(ramp, spec, f"{where}: color_ramp")
    if elements is None:
        return
    if not elements or not all(isinstance(e, list) and len(e) == 2 and isinstance(e[1], list) for e in elements):
        raise TypeError(f"{where}: color_ramp elements are [[position, [r, g, b, a]], ...], got {elements!r}")
    elements = sorted(elements, key=lambda e: e[0])
    while len(ramp.elements) > 1:
        ramp.elements.remove(ramp.elements[-1])
    ramp.elements[0].position = elements[0][0]
    targets = [ramp.elements[0]] + [ramp.elements.new(position) for position, _ in elements[1:]]
    for element, (_, color) in zip(targets, elements):
        element.color = color + [1.0] if len(color) == 3 else color


def similar_names(key, socket_name):
    """Whether a property name an agent tried could mean this input (5.x
    turned many node properties into inputs: Blur's filter_type is "Type")."""
    key, name = key.lower(), socket_name.lower().replace(" ", "_")
    return len(name) >= 3 and (name in key or key in name)


def set_node_properties(node, properties, where):
    if not isinstance(properties, dict):
        raise TypeError(f"{where}: properties must be an object of property: value")
    properties = dict(properties)
    settings = node_settings(node)
    for key in properties:
        if key.split(".")[0] not in settings and key not in NODE_UI:
            valid = choice_list(key, settings) if settings else "it has none"
            inputs = [s.name for s in node.inputs if s.enabled and similar_names(key, s.name)]
            hint = f"; {inputs[0]!r} is an input: set it under inputs" if inputs else ""
            raise LookupError(
                f"{where}: node {node.name!r} ({node.bl_idname}) has no property {key!r}; valid: {valid}{hint}"
            )
    if "color_ramp" in properties:
        set_color_ramp(node, properties.pop("color_ramp"), where)
    set_properties(node, properties, f"{where}: node {node.name!r}")
