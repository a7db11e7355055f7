# list_collections: the scene's collection tree with each collection's own
# objects (capped per collection so huge scenes stay readable).
limit = args.get("objects_per_collection", 50)
view_layer = bpy.context.view_layer


def layer_of(layer, coll):
    if layer.collection == coll:
        return layer
    for child in layer.children:
        found = layer_of(child, coll)
        if found is not None:
            return found
    return None


def node(coll):
    layer = layer_of(view_layer.layer_collection, coll)
    names = [o.name for o in coll.objects]
    return {
        "name": coll.name,
        "object_count": len(names),
        "objects": names[:limit],
        "hide_viewport": bool(getattr(coll, "hide_viewport", False)),
        "hide_render": bool(getattr(coll, "hide_render", False)),
        "excluded": bool(layer.exclude) if layer is not None else False,
        "children": [node(c) for c in coll.children],
    }


result = {"root": node(bpy.context.scene.collection), "orphans": [c.name for c in bpy.data.collections if c.users == 0]}
