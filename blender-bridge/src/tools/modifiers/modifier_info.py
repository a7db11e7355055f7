# Modifiers by name and as JSON, shared by the modifier tools and
# get_object_info. A geometry-nodes modifier's inputs are addressed by the
# names its node group gives them; where Blender keeps their values differs:
# ID properties keyed by identifier up to 4.5, `properties.inputs.<id>.value`
# from 5.0 on, and 3.x lists a group's sockets in `inputs` (no `interface`).

# Modifier fields that are UI state, never settings worth showing.
MODIFIER_UI = {"name", "show_viewport", "show_render", "show_expanded", "is_active", "use_pin_to_last"}
# bpy.data collections that geometry-nodes pointer inputs take names from.
INPUT_DATABLOCKS = {
    "NodeSocketObject": "objects",
    "NodeSocketCollection": "collections",
    "NodeSocketMaterial": "materials",
    "NodeSocketImage": "images",
    "NodeSocketTexture": "textures",
}


def modifier_types():
    return [item.identifier for item in bpy.types.Modifier.bl_rna.properties["type"].enum_items]


def lookup_modifier(obj, name):
    mod = obj.modifiers.get(name)
    if mod is None:
        names = [m.name for m in obj.modifiers]
        valid = choice_list(name, names) if names else "it has none"
        raise LookupError(f"{obj.name!r} has no modifier {name!r}; its modifiers: {valid}")
    return mod


def group_input_sockets(group):
    """The node group's input sockets that hold a value (not geometry)."""
    if group is None:
        return []
    if hasattr(group, "interface"):
        items = [i for i in group.interface.items_tree if i.item_type == "SOCKET" and i.in_out == "INPUT"]
    else:
        items = list(group.inputs)
    return [i for i in items if i.bl_socket_idname != "NodeSocketGeometry"]


def _input_value_holder(mod, item):
    """(container, key) such that container[key] / getattr is the value."""
    values = getattr(getattr(mod, "properties", None), "inputs", None)
    if values is not None:
        return getattr(values, item.identifier), "value"
    return mod, item.identifier


def get_input(mod, item):
    holder, key = _input_value_holder(mod, item)
    return to_json(getattr(holder, key) if key == "value" else holder.get(key))


def read_inputs(mod):
    """{input name: value} of a geometry-nodes modifier."""
    return {item.name: get_input(mod, item) for item in group_input_sockets(mod.node_group)}


def input_value(item, value, where):
    """`value` checked against the group input `item`; datablocks by name."""
    kind = item.bl_socket_idname
    if kind in INPUT_DATABLOCKS:
        if value is None:
            return None
        if not isinstance(value, str):
            raise TypeError(f"{where} takes a name from bpy.data.{INPUT_DATABLOCKS[kind]}, got {value!r}")
        return lookup(getattr(bpy.data, INPUT_DATABLOCKS[kind]), value, INPUT_DATABLOCKS[kind].rstrip("s"))
    default = getattr(item, "default_value", None)
    if hasattr(default, "__len__") and not isinstance(default, str):
        size = len(default)
        if isinstance(value, list) and size == 4 and len(value) == 3:
            value = value + [1.0]
        if not isinstance(value, list) or len(value) != size or not all(isinstance(v, (int, float)) for v in value):
            raise TypeError(f"{where} takes a list of {size} numbers, got {value!r}")
        return value
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise TypeError(f"{where} takes true or false, got {value!r}")
        return value
    if isinstance(default, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{where} takes a number, got {value!r}")
        if isinstance(default, int) and not float(value).is_integer():
            raise TypeError(f"{where} takes an integer, got {value!r}")
        low, high = getattr(item, "min_value", None), getattr(item, "max_value", None)
        if low is not None and not (low <= value <= high):
            raise ValueError(f"{where} must be between {to_json(low)} and {to_json(high)}, got {value!r}")
        return int(value) if isinstance(default, int) else float(value)
    if isinstance(default, str) and not isinstance(value, str):
        raise TypeError(f"{where} takes a string, got {value!r}")
    return value


def set_input(mod, item, value):
    holder, key = _input_value_holder(mod, item)
    if key == "value":
        setattr(holder, key, value)
    else:
        holder[key] = value


def mesh_stats(obj):
    if obj.type != "MESH":
        return None
    mesh = obj.data
    return {
        "vertices": len(mesh.vertices),
        "edges": len(mesh.edges),
        "faces": len(mesh.polygons),
        "triangles": sum(len(p.vertices) - 2 for p in mesh.polygons),
        "uv_layers": [uv.name for uv in mesh.uv_layers],
    }


def is_setting(name):
    return name not in MODIFIER_UI and name != "properties" and not name.startswith(("show_", "open_"))


class ModifierDefaults:
    """Fresh modifiers on a scratch mesh object (never in a scene): what a
    modifier of each type starts with, which its RNA defaults do not always
    say. Removed on close. Types a mesh does not take, and particle systems
    (whose settings are a datablock of their own), fall back to the RNA
    defaults."""

    def __init__(self):
        self.obj, self.made = None, {}

    def of(self, kind):
        if kind not in self.made:
            self.made[kind] = None
            if kind != "PARTICLE_SYSTEM":
                if self.obj is None:
                    self.obj = bpy.data.objects.new("scratch", bpy.data.meshes.new("scratch"))
                try:
                    fresh = self.obj.modifiers.new(kind, kind)
                except (TypeError, RuntimeError):
                    fresh = None
                self.made[kind] = fresh and read_properties(fresh)
        return self.made[kind]

    def close(self):
        if self.obj is not None:
            mesh = self.obj.data
            bpy.data.objects.remove(self.obj)
            bpy.data.meshes.remove(mesh)


def describe_modifier(mod, defaults):
    """A modifier as get_object_info and the modifier tools show it: the
    settings that differ from a fresh one's, and a geometry-nodes modifier's
    inputs by name."""
    start = defaults.of(mod.type)
    if start is None:
        settings = read_properties(mod, changed_only=True)
    else:
        settings = {k: v for k, v in read_properties(mod).items() if start.get(k) != v}
    info = {
        "name": mod.name,
        "type": mod.type,
        "show_viewport": mod.show_viewport,
        "show_render": mod.show_render,
        "settings": {k: v for k, v in settings.items() if is_setting(k)},
    }
    if mod.type == "NODES":
        info["inputs"] = read_inputs(mod)
    return info


def describe_modifiers(mods):
    defaults = ModifierDefaults()
    try:
        return [describe_modifier(m, defaults) for m in mods]
    finally:
        defaults.close()
