# add_modifier / set_modifier: one snippet, because adding is "create, then
# set". Settings are the modifier's RNA properties and, on a geometry-nodes
# modifier, its group's inputs by name; all are checked before any is set.
obj = lookup_object(args["object"])
settings = args.get("settings") or {}
if args.get("create"):
    kind = args["type"]
    types = modifier_types()
    if kind not in types:
        raise ValueError(f"no modifier type {kind!r}; valid: {choice_list(kind, types)}")
    try:
        mod = obj.modifiers.new(args.get("name") or kind.title().replace("_", " "), kind)
    except (TypeError, RuntimeError) as e:
        raise ValueError(f"cannot add a {kind} modifier to {obj.name!r} (a {obj.type} object): {e}") from None
    if mod is None:
        raise ValueError(f"a {kind} modifier does not apply to {obj.name!r} (a {obj.type} object)")
else:
    mod = lookup_modifier(obj, args["modifier"])


def new_geometry_group(name):
    """A geometry-nodes group with Group Input -> Group Output linked, as
    Blender's own "New" button makes it."""
    group = bpy.data.node_groups.new(name, "GeometryNodeTree")
    if hasattr(group, "interface"):
        group.interface.new_socket(name="Geometry", in_out="INPUT", socket_type="NodeSocketGeometry")
        group.interface.new_socket(name="Geometry", in_out="OUTPUT", socket_type="NodeSocketGeometry")
        group.is_modifier = True
    else:
        group.inputs.new("NodeSocketGeometry", "Geometry")
        group.outputs.new("NodeSocketGeometry", "Geometry")
    source, sink = group.nodes.new("NodeGroupInput"), group.nodes.new("NodeGroupOutput")
    source.location, sink.location = (-200, 0), (200, 0)
    group.links.new(source.outputs[0], sink.inputs[0])
    return group


def split_settings(mod, settings):
    """(RNA settings, [(group input, value)]), every key checked."""
    sockets = {item.name: item for item in group_input_sockets(getattr(mod, "node_group", None))}
    sockets.update({item.identifier: item for item in list(sockets.values())})
    properties = rna_properties(mod)
    rna, inputs = {}, []
    for key, value in settings.items():
        if key.split(".")[0] in properties:
            rna[key] = value
        elif key in sockets:
            inputs.append((sockets[key], input_value(sockets[key], value, key)))
        else:
            names = [p for p in properties if is_setting(p)] + [
                i.name for i in group_input_sockets(getattr(mod, "node_group", None))
            ]
            valid = choice_list(key, names)
            raise LookupError(f"modifier {mod.name!r} ({mod.type}) has no setting {key!r}; valid: {valid}")
    return rna, inputs


try:
    if args.get("create") and mod.type == "NODES" and "node_group" not in settings:
        mod.node_group = new_geometry_group(mod.name)
    rna, inputs = split_settings(mod, settings)
    set_properties(mod, rna, f"modifier {mod.name!r}")
    for item, value in inputs:
        set_input(mod, item, value)
except Exception:
    if args.get("create"):
        group = getattr(mod, "node_group", None)
        obj.modifiers.remove(mod)
        if group is not None and group.users == 0:
            bpy.data.node_groups.remove(group)
    raise
obj.update_tag()
result = {"object": obj.name, "modifier": describe_modifiers([mod])[0], "stack": [m.name for m in obj.modifiers]}
