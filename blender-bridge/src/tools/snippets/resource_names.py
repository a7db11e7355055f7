# Names behind the resource list: the first `limit` objects and materials.
result = {
    "objects": [o.name for o in bpy.data.objects[: args["limit"]]],
    "materials": [m.name for m in bpy.data.materials[: args["limit"]]],
}
