# completion_names: names of one kind of datablock that start with `prefix`
# (case-insensitively), the first `limit` of them and how many match.
import bpy

collection = {"objects": bpy.data.objects, "materials": bpy.data.materials, "node_groups": bpy.data.node_groups}[
    args["kind"]
]
prefix = args["prefix"].casefold()
matching = [name for name in collection.keys() if name.casefold().startswith(prefix)]
result = {"values": matching[: args["limit"]], "total": len(matching)}
