# select_objects: sets the selection (and optionally the active object) of
# the current view layer, which is what exporters and many operators act on.
view_layer = bpy.context.view_layer
objects = [lookup_object(n) for n in args["names"]]
if not args.get("extend"):
    for obj in layer_objects():
        obj.select_set(False)
for obj in objects:
    if view_layer.objects.get(obj.name) is None:
        raise ValueError(f"{obj.name!r} is not in the current view layer, so it cannot be selected")
    obj.select_set(True)
active = args.get("active")
if active is not None:
    view_layer.objects.active = lookup_object(active)
result = {
    "selected": [o.name for o in layer_objects() if o.select_get()],
    "active": view_layer.objects.active.name if view_layer.objects.active else None,
}
