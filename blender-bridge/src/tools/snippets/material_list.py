# list_materials: every material with its main Principled BSDF values and
# the objects that use it.
users = {}
for obj in bpy.data.objects:
    for slot in obj.material_slots:
        if slot.material is not None:
            users.setdefault(slot.material.name, []).append(obj.name)
result = {
    "materials": [dict(describe_material(m), objects=sorted(set(users.get(m.name, [])))) for m in bpy.data.materials]
}
