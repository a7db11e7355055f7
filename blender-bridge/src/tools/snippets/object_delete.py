# delete_objects: removes every named object, all or nothing: every name is
# checked before anything is deleted. Object data left without users (a
# mesh only this object used) is removed too unless keep_data is set.
objects = {o.name: o for o in (lookup_object(n) for n in args["names"])}
orphans = []
for obj in objects.values():
    data = obj.data
    bpy.data.objects.remove(obj, do_unlink=True)
    if data is not None and data.users == 0 and not args.get("keep_data"):
        orphans.append(data)
removed_data = []
for data in orphans:
    for store in (bpy.data.meshes, bpy.data.curves, bpy.data.lights, bpy.data.cameras, bpy.data.metaballs):
        if store.get(data.name) == data:
            removed_data.append(data.name)
            store.remove(data)
            break
result = {"deleted": list(objects), "removed_data": removed_data}
