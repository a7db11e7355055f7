# changes, part 1 of the library (load.py says how it is loaded once per
# Blender process): a snapshot of what "changes" reports on, cheap enough to
# take around every writer call. Shared by take.py (before the work) and
# diff.py (after it). In a host without a GUI the snapshot a diff took after
# one call stands in for the next call's, when the addon's job count shows
# that no other request ran in between (PROTOCOL 4.3, `job`): one snapshot
# per call instead of two.
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
from functools import partial

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
DETAIL_LIMIT = 1000
#: Below this many items a Python loop reads a property faster than foreach_get's fixed cost.
SMALL = 16
HIDE_FLAGS = ("hide_viewport", "hide_render")


#: Whether IDs have a session id in RNA (Blender 3.4 has none).
HAS_SESSION_UID = "session_uid" in bpy.types.ID.bl_rna.properties


def changes_state():
    """Snapshots by call id, and the last diff's (job, snapshot after), kept
    between requests in a module of their own, which outlives a library
    replaced by a newer server's (anything kept in bpy.app.driver_namespace
    makes pip's bpy hang at exit)."""
    state = sys.modules.get("blender_mcp_changes_state")
    if state is None:
        state = sys.modules.setdefault("blender_mcp_changes_state", types.ModuleType("blender_mcp_changes_state"))
        state.snapshots = {}
        state.last = None
    return state


def reusable_job(job):
    """This request's job number if a snapshot taken now may stand in for
    the next request's: a host without a GUI (nothing but the addon's jobs
    changes the scene there) and an addon that counts its jobs."""
    return job if job is not None and bpy.app.background else None


def bulk(store, count, prop, typecode, width=1):
    """`prop` of the `count` items of `store`, as bytes (`width` values per
    item). The count comes from the caller: len() walks the whole list."""
    values = array(typecode, bytes(count * width * array(typecode).itemsize))
    store.foreach_get(prop, values)
    return values.tobytes()


def flags(store, count, prop):
    """A boolean `prop` of every item, one byte each. foreach_get fills a
    memoryview cast to "?" in C; a byte array takes its slow path (twice the
    time on 10,000 objects). Blender 3.4 refuses the cast: it gets the array."""
    if count <= SMALL:
        return bytes([getattr(item, prop) for item in store])
    state = changes_state()
    if getattr(state, "bool_cast", True):
        values = bytearray(count)
        try:
            store.foreach_get(prop, memoryview(values).cast("?"))
            return bytes(values)
        except (BufferError, TypeError):
            state.bool_cast = False
    return bulk(store, count, prop, "B")


def identities(store, count):
    """What stays the same when a datablock is renamed: its session id, else
    (Blender 3.4) its address."""
    if not HAS_SESSION_UID:
        return [block.as_pointer() for block in store]
    if count <= SMALL:
        return [block.session_uid for block in store]
    return array("i", bulk(store, count, "session_uid", "i"))


def names_and_ids(store, eager):
    """A kind's names, and its ids (or, unless `eager`, a function that reads
    them). Most kinds are empty in most scenes, and even a foreach_get on
    nothing costs microseconds, which adds up over ten kinds on every call."""
    names = store.keys()
    if not names:
        return names, ()
    if eager:
        return names, identities(store, len(names))
    return names, partial(identities, store, len(names))


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
    """parent, data, modifiers, materials and view-layer hiding of one
    object. About 5 us per object: each RNA pointer read makes a Python object."""
    parent, data, modifiers, slots = obj.parent, obj.data, obj.modifiers, obj.material_slots
    geometry = (len(data.vertices), len(data.edges), len(data.polygons)) if obj.type == "MESH" else None
    return (
        parent.name if parent else None,
        (data.name, geometry) if data else None,
        tuple((m.name, m.type, rna_values(m)) for m in modifiers) if len(modifiers) else (),
        tuple((s.link, s.material.name if s.material else None) for s in slots) if len(slots) else (),
        hidden_in_layer(obj),
    )


def take_snapshot(ids_when_asked=False):
    """With `ids_when_asked` (the snapshot after the call), each kind's ids
    are a function that reads them: only a kind whose names changed needs them."""
    data = bpy.data
    snap = {kind: names_and_ids(getattr(data, kind), not ids_when_asked) for kind in KINDS}
    objects, count = data.objects, len(snap["objects"][0])
    snap["transform"] = bulk(objects, count, "matrix_basis", "f", 16)
    snap["visibility"] = [flags(objects, count, flag) for flag in HIDE_FLAGS]
    snap["details"] = [object_details(o) for o in objects] if count <= DETAIL_LIMIT else None
    return snap
