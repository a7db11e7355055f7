# get_scene_info: a summary of the current scene and one page of its objects.
# Runs inside Blender (see docs/PROTOCOL.md, op `exec`); `args` holds the
# tool's arguments. Counting by type walks every object, so it is opt-in:
# a 100,000-object scene must answer its first page fast.
import bpy

scene = bpy.context.scene
limit = args["limit"]
offset = args["offset"]
needle = (args.get("name_contains") or "").lower()
objects = scene.objects


def first_collections(objs):
    """Each object's first collection, in the order `users_collection` reports
    them (bpy.data.collections, then the scenes' master collections). One
    pass over the collections: `users_collection` scans every collection per
    call, 6 ms an object on a 100,000-object scene."""
    first = {o.name: None for o in objs}
    left = set(first)
    for coll in list(bpy.data.collections) + [s.collection for s in bpy.data.scenes]:
        if not left:
            break
        names = set(coll.objects.keys())
        for name in [n for n in left if n in names]:
            first[name] = coll.name
            left.discard(name)
    return first


def describe(obj, collection):
    return {
        "name": obj.name,
        "type": obj.type,
        "location": [round(v, 5) for v in obj.location],
        "parent": obj.parent.name if obj.parent else None,
        "collection": collection,
    }


if needle:
    matching = [o for o in objects if needle in o.name.lower()]
    total_matching = len(matching)
    page = matching[offset : offset + limit]
else:
    total_matching = len(objects)
    page = objects[offset : offset + limit]

summary = {
    "name": scene.name,
    "frame_current": scene.frame_current,
    "frame_start": scene.frame_start,
    "frame_end": scene.frame_end,
    "render_engine": scene.render.engine,
    "resolution": [scene.render.resolution_x, scene.render.resolution_y],
    "active_camera": scene.camera.name if scene.camera else None,
    "unit_system": scene.unit_settings.system,
    "object_count": len(objects),
    "collection_count": len(bpy.data.collections),
    "material_count": len(bpy.data.materials),
    "total_matching": total_matching,
    "offset": offset,
    "objects": [describe(o, collection) for o, collection in zip(page, first_collections(page).values())],
}
end = offset + len(page)
summary["next_offset"] = end if end < total_matching else None
if args.get("count_types"):
    counts = {}
    for o in objects:
        counts[o.type] = counts.get(o.type, 0) + 1
    summary["counts_by_type"] = counts
result = summary
