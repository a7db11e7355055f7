# changes, part 1: a snapshot of what "changes" reports on, cheap enough to
# take around every writer call. Shared by take.py (before the work) and
# diff.py (after it).
#
# Cost is what shapes it: on 10,000 objects a Python loop that reads one
# pointer per object (o.parent, o.data) costs milliseconds, while
# foreach_get reads a property of every item in one C call. So every
# datablock kind gets its names and session ids (renames keep the id),
# every object its transform and hide flags through foreach_get, kept as
# bytes that compare in C; the per-object loop over parent, data, modifiers
# and materials runs only on scenes of up to DETAIL_LIMIT objects, and
# larger scenes say it was skipped. No numpy: Debian's Blender has none.
import sys
import types
from array import array

import bpy

KINDS = (
    "objects",
    "meshes",
    "materials",
    "node_groups",
    "collections",
    "cameras",
    "lights",
    "images",
    "actions",
    "worlds",
)
DETAIL_LIMIT = 2000
HIDE_FLAGS = ("hide_viewport", "hide_render", "hide_select")


def changes_state():
    """Snapshots by call id, kept between requests in a module of their own
    (anything kept in bpy.app.driver_namespace makes pip's bpy hang at exit)."""
    state = sys.modules.get("blender_mcp_changes_state")
    if state is None:
        state = sys.modules.setdefault("blender_mcp_changes_state", types.ModuleType("blender_mcp_changes_state"))
        state.snapshots = {}
    return state


def bulk(store, prop, typecode, width=1):
    """`prop` of every item of `store`, as bytes (`width` values per item)."""
    values = array(typecode, bytes(len(store) * width * array(typecode).itemsize))
    store.foreach_get(prop, values)
    return values.tobytes()


def identities(store):
    """What stays the same when a datablock is renamed: its session id
    (Blender 2.91+... as RNA in 4.x), else its address (Blender 3.4)."""
    if "session_uid" in bpy.types.ID.bl_rna.properties:
        return array("i", bulk(store, "session_uid", "i"))
    return [block.as_pointer() for block in store]


def rna_values(struct):
    """A modifier's settings as comparable values (pointers by name)."""
    out = []
    for prop in struct.bl_rna.properties:
        if prop.identifier == "rna_type" or prop.type == "COLLECTION":
            continue
        value = getattr(struct, prop.identifier, None)
        if prop.type == "POINTER":
            value = getattr(value, "name", None)
        elif getattr(prop, "is_array", False) or hasattr(value, "__len__") and not isinstance(value, str):
            value = tuple(value)
        out.append(value)
    try:  # geometry-nodes inputs are ID properties; most modifiers have none
        out.extend((key, repr(struct[key])) for key in struct.keys())  # noqa: SIM118 - a bpy_struct, not a dict
    except TypeError:
        pass
    return tuple(out)


def hidden_in_layer(obj):
    try:
        return obj.hide_get()
    except RuntimeError:  # not in the view layer
        return None


def object_details(obj):
    """parent, data, modifiers, materials and view-layer hiding of one object."""
    data = obj.data
    geometry = (len(data.vertices), len(data.edges), len(data.polygons)) if obj.type == "MESH" else None
    return (
        obj.parent.name if obj.parent else None,
        (data.name if data else None, geometry),
        tuple((m.name, m.type, rna_values(m)) for m in obj.modifiers),
        tuple((s.link, s.material.name if s.material else None) for s in obj.material_slots),
        hidden_in_layer(obj),
    )


def take_snapshot():
    snap = {kind: (getattr(bpy.data, kind).keys(), identities(getattr(bpy.data, kind))) for kind in KINDS}
    objects = bpy.data.objects
    snap["transform"] = bulk(objects, "matrix_basis", "f", 16)
    snap["visibility"] = [bulk(objects, flag, "B") for flag in HIDE_FLAGS]
    snap["details"] = [object_details(o) for o in objects] if len(objects) <= DETAIL_LIMIT else None
    return snap
