# One material, for the blender://material/{name} resource.
mat = lookup(bpy.data.materials, args["name"], "material")
users = sorted({o.name for o in bpy.data.objects for s in o.material_slots if s.material == mat})
result = dict(describe_material(mat), objects=users)
