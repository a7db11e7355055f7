# The operations of edit_node_tree, applied in order to one tree. A failing
# operation raises naming its index; edit_node_tree runs the list on a
# scratch copy first, so the real tree is only touched when all succeed.


def op_add(tree, op, where):
    kind = op.get("type")
    name = op.get("name")
    if name is not None and tree.nodes.get(name) is not None:
        raise ValueError(f"{where}: a node named {name!r} exists already; pick another name or use op set")
    try:
        node = tree.nodes.new(kind)
    except RuntimeError:
        raise unknown_type(kind) from None
    if name is not None:
        node.name = name
    op_set(tree, dict(op, node=node.name), where)
    return node.name


def op_set(tree, op, where):
    node = find_node(tree, op.get("node"), where)
    if op.get("location") is not None:
        node.location = op["location"]
    if op.get("label") is not None:
        node.label = op["label"]
    if op.get("parent") is not None:
        node.parent = find_node(tree, op["parent"], where)
    set_node_properties(node, op.get("properties") or {}, where)
    set_inputs(node, op.get("inputs") or {}, where)


def op_link(tree, op, where):
    out_node, out_key = split_socket_ref(tree, op.get("from"), f"{where}: from")
    in_node, in_key = split_socket_ref(tree, op.get("to"), f"{where}: to")
    source = find_socket(out_node, out_key, "output", f"{where}: from")
    sink = find_socket(in_node, in_key, "input", f"{where}: to")
    if feeds(tree, sink.node, source.node):
        raise ValueError(f"{where}: {socket_path(sink)} feeds {out_node.name!r} already: the link would close a loop")
    link = tree.links.new(source, sink)
    if not link.is_valid:
        raise ValueError(
            f"{where}: {socket_path(source)} ({source.bl_idname}) cannot feed {socket_path(sink)} ({sink.bl_idname})"
        )


def feeds(tree, start, target):
    """Whether `start` is `target` or reaches it through links."""
    downstream = {}
    for link in tree.links:
        downstream.setdefault(link.from_node.name, []).append(link.to_node.name)
    seen, todo = set(), [start.name]
    while todo:
        name = todo.pop()
        if name == target.name:
            return True
        if name not in seen:
            seen.add(name)
            todo.extend(downstream.get(name, ()))
    return False


def op_unlink(tree, op, where):
    ends = {}
    for side, end in (("output", "from"), ("input", "to")):
        if op.get(end) is not None:
            node, key = split_socket_ref(tree, op[end], f"{where}: {end}")
            ends[end] = find_socket(node, key, side, f"{where}: {end}")
    if not ends:
        raise ValueError(f"{where}: unlink needs to (an input) or from (an output)")
    doomed = [
        link
        for link in tree.links
        if ends.get("from", link.from_socket) == link.from_socket and ends.get("to", link.to_socket) == link.to_socket
    ]
    if not doomed:
        raise ValueError(f"{where}: no link between {op.get('from', 'anything')} and {op.get('to', 'anything')}")
    for link in doomed:
        tree.links.remove(link)


def op_remove(tree, op, where):
    tree.nodes.remove(find_node(tree, op.get("node"), where))


def op_add_socket(tree, op, where):
    """A new input or output of a node group (what a modifier exposes)."""
    if tree.is_embedded_data:
        raise ValueError(f"{where}: only node groups (geometry:, group:) have inputs and outputs to add")
    in_out, name, kind = op.get("in_out", "INPUT"), op.get("name"), op.get("socket_type")
    if in_out not in ("INPUT", "OUTPUT"):
        raise ValueError(f"{where}: in_out is INPUT or OUTPUT, got {in_out!r}")
    try:
        if hasattr(tree, "interface"):
            item = tree.interface.new_socket(name=name, in_out=in_out, socket_type=kind)
        else:
            item = (tree.inputs if in_out == "INPUT" else tree.outputs).new(kind, name)
    except (TypeError, RuntimeError) as e:
        kinds = [n for n in dir(bpy.types) if n.startswith("NodeSocket") and "Interface" not in n]
        raise ValueError(
            f"{where}: cannot add socket type {kind!r} ({e}); socket types: {choice_list(str(kind), kinds)}"
        ) from None
    values = {k: op[k] for k in ("default_value", "min_value", "max_value", "description") if op.get(k) is not None}
    set_properties(item, values, f"{where}: {name}")
    if in_out == "INPUT" and hasattr(item, "default_value"):
        start_modifiers_at_default(tree, item)


def start_modifiers_at_default(tree, item):
    """Modifiers using the group made their copy of a new input when it was
    created, before its default was set: give them the default."""
    value = item.default_value
    value = list(value) if hasattr(value, "__len__") and not isinstance(value, str) else value
    for obj in bpy.data.objects:
        for mod in obj.modifiers:
            if getattr(mod, "node_group", None) == tree:
                set_input(mod, item, value)


# What a bad operation raises (bpy raises the last two for bad values).
OP_ERRORS = (LookupError, ValueError, TypeError, RuntimeError, AttributeError)
OPS = {
    "add": op_add,
    "set": op_set,
    "link": op_link,
    "unlink": op_unlink,
    "remove": op_remove,
    "add_socket": op_add_socket,
}


def apply_ops(tree, ops):
    """Applies `ops` in order; the names of the nodes added."""
    added = []
    for index, op in enumerate(ops):
        kind = op.get("op")
        where = f"op {index} ({kind})"
        if kind not in OPS:
            raise ValueError(f"{where}: unknown op; ops: {choice_list(str(kind), OPS)}")
        try:
            name = OPS[kind](tree, op, where)
        except OP_ERRORS as e:
            text = str(e) if str(e).startswith("op ") else f"{where}: {e}"
            raise type(e)(text) from None
        if kind == "add":
            added.append(name)
    return added
