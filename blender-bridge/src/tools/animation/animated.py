# Shared by the animation tools (after common.py and rna.py): which
# datablock a data path belongs to, how a path resolves, and an ID's
# F-curves whatever the Blender version.
import re

DATABLOCKS = "'object' (default), 'data' (the object's data), 'world' or 'material:NAME'"


def animated_datablock(object_name, datablock):
    """The ID an animation call is about."""
    if datablock in (None, "", "object", "data"):
        if object_name is None:
            raise ValueError("object is required unless datablock is 'world' or 'material:NAME'")
        obj = lookup_object(object_name)
        if datablock != "data":
            return obj
        if obj.data is None:
            raise ValueError(f"{obj.name!r} is an {obj.type} and has no data")
        return obj.data
    if datablock == "world":
        if bpy.context.scene.world is None:
            raise LookupError("the scene has no world")
        return bpy.context.scene.world
    if datablock.startswith("material:"):
        return lookup(bpy.data.materials, datablock[len("material:") :], "material")
    raise ValueError(f"datablock must be {DATABLOCKS}; got {datablock!r}")


def with_node_tree(idblock, path):
    """Node values are animated on the node tree (its own ID): `nodes[...]`
    and `node_tree.` paths of a material or world go there."""
    tree = getattr(idblock, "node_tree", None)
    if tree is not None and path.startswith("node_tree."):
        return tree, path[len("node_tree.") :]
    if tree is not None and path.startswith("nodes["):
        return tree, path
    return idblock, path


def fcurves_of(idblock):
    """The ID's F-curves. Blender 4.4 added layered actions, whose F-curves
    live per slot; 5.0 removed Action.fcurves, so read them through the slot."""
    anim = idblock.animation_data
    if anim is None or anim.action is None:
        return []
    if hasattr(anim, "action_slot"):
        from bpy_extras import anim_utils

        bag = anim_utils.action_get_channelbag_for_slot(anim.action, anim.action_slot)
        return list(bag.fcurves) if bag else []
    return list(anim.action.fcurves)


def describe_fcurve(fcurve):
    keys = fcurve.keyframe_points
    modes = {k.interpolation for k in keys}
    described = {
        "data_path": fcurve.data_path,
        "index": fcurve.array_index,
        "keyframes": [{"frame": round(k.co[0], 4), "value": round(k.co[1], 6)} for k in keys],
        "interpolation": next(iter(modes)) if len(modes) == 1 else ("MIXED" if modes else None),
    }
    if len(modes) > 1:
        for entry, key in zip(described["keyframes"], keys):
            entry["interpolation"] = key.interpolation
    return described


def split_path(path):
    """`path` cut at the dots outside brackets and quotes (node names hold dots)."""
    parts, depth, quote, start = [], 0, None, 0
    for i, ch in enumerate(path):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[]":
            depth += 1 if ch == "[" else -1
        elif ch == "." and depth == 0:
            parts.append(path[start:i])
            start = i + 1
    parts.append(path[start:])
    return parts


def animatable(struct):
    """The names of the struct's properties that can take keyframes."""
    return [
        p.identifier
        for p in struct.bl_rna.properties
        if p.is_animatable and not p.is_readonly and p.type in {"BOOLEAN", "INT", "FLOAT", "ENUM"}
    ]


def _missing_step(owner, part, where):
    """The error for a path step that does not resolve on `owner`."""
    name, _, key = part.partition("[")
    props = owner.bl_rna.properties
    if name not in props:
        steps = [p.identifier for p in props if p.type in {"POINTER", "COLLECTION"} and p.identifier != "rna_type"]
        return LookupError(f"{where} has no {name!r}; closest: {choice_list(name, animatable(owner) + steps, 12)}")
    items = getattr(owner, name)
    keys = list(items.keys()) if props[name].type == "COLLECTION" else []
    wanted = key.rstrip("]").strip("\"'")
    return LookupError(f"{where}.{name} has no item [{key}; it has: {choice_list(wanted, keys, 20) or 'none'}")


def resolve_animatable(idblock, path):
    """(owner struct, RNA property, property name, index from a trailing
    `[n]` or None, the path as Blender stores it: `inputs["Roughness"]`
    becomes `inputs[2]`) for `path` on `idblock`; a bad path names the
    closest animatable properties."""
    parts = split_path(path)
    owner, where = idblock, f"{idblock.bl_rna.identifier} {idblock.name!r}"
    for depth, part in enumerate(parts[:-1]):
        try:
            owner = idblock.path_resolve(".".join(parts[: depth + 1]))
        except ValueError:
            raise _missing_step(owner, part, where) from None
        where = f"{where} {'.'.join(parts[: depth + 1])}"
    name, index = parts[-1], None
    trailing = re.fullmatch(r"(\w+)\[(\d+)\]", name)
    if trailing:
        name, index = trailing.group(1), int(trailing.group(2))
    prop = owner.bl_rna.properties.get(name)
    if prop is None or name not in animatable(owner):
        what = "is not animatable" if prop is not None else "is not a property"
        raise LookupError(f"{name!r} {what} of {where}; closest animatable: {choice_list(name, animatable(owner), 12)}")
    return owner, prop, name, index, owner.path_from_id(name)
