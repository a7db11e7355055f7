# resource_fingerprint: one short digest per watched resource, so a poll
# costs a few bytes on the wire whatever the scene's size. A digest covers
# what a read of the resource shows (blender://scene: the summary, its first
# 100 objects and the counts by type; blender://object/{name}: transform,
# bounds, relations, visibility, materials, modifier settings, mesh sizes),
# so a change a re-read would not show is not announced. `args`:
# {"scene": bool, "objects": [names]}; a missing object digests to None.
import hashlib

import bpy

FIRST_OBJECTS = 100


def digest(parts):
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


def scene_parts():
    scene = bpy.context.scene
    objects = scene.objects
    counts = {}
    for o in objects:
        counts[o.type] = counts.get(o.type, 0) + 1
    first = [(o.name, o.type, tuple(o.location), o.parent.name if o.parent else None) for o in objects[:FIRST_OBJECTS]]
    return (
        scene.name,
        scene.frame_current,
        scene.frame_start,
        scene.frame_end,
        scene.render.engine,
        scene.render.resolution_x,
        scene.render.resolution_y,
        scene.camera.name if scene.camera else None,
        scene.unit_settings.system,
        sorted(counts.items()),
        first,
        # An object moved between collections changes two of these counts.
        [(c.name, len(c.objects)) for c in bpy.data.collections],
        len(bpy.data.materials),
    )


def settings(struct):
    """The plain (non-pointer) RNA values of a modifier: what
    get_object_info reports as its settings."""
    values = []
    for prop in struct.bl_rna.properties:
        if prop.type in {"POINTER", "COLLECTION"}:
            continue
        value = getattr(struct, prop.identifier, None)
        values.append(
            (prop.identifier, tuple(value) if hasattr(value, "__len__") and not isinstance(value, str) else value)
        )
    return values


def object_parts(obj):
    mesh = None
    if obj.type == "MESH":
        data = obj.data
        mesh = (len(data.vertices), len(data.edges), len(data.polygons), [uv.name for uv in data.uv_layers])
    return (
        obj.name,
        obj.type,
        obj.data.name if obj.data else None,
        # Not matrix_world: it lags until the depsgraph is evaluated, which
        # a background Blender does not do after a script's edit.
        tuple(obj.location),
        tuple(obj.rotation_euler),
        tuple(obj.rotation_quaternion),
        tuple(obj.scale),
        obj.rotation_mode,
        tuple(obj.dimensions),
        obj.parent.name if obj.parent else None,
        [c.name for c in obj.children],
        [c.name for c in obj.users_collection],
        obj.hide_viewport,
        obj.hide_render,
        [s.material.name if s.material else None for s in obj.material_slots],
        [settings(m) for m in obj.modifiers],
        mesh,
    )


result = {
    "scene": digest(scene_parts()) if args["scene"] else None,
    "objects": {
        name: (digest(object_parts(obj)) if (obj := bpy.data.objects.get(name)) else None) for name in args["objects"]
    },
}
