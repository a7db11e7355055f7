# apply_modifier: bakes one modifier into the object's data (Blender's own
# operator, run with the object as context), then reports the stack left.
obj = lookup_object(args["object"])
mod = lookup_modifier(obj, args["modifier"])
name = mod.name
if obj.data is not None and obj.data.users > 1:
    raise ValueError(f"{obj.name!r} shares its data with other objects; modifiers cannot be applied to multi-user data")
if obj.name not in bpy.context.view_layer.objects:
    raise ValueError(f"{obj.name!r} is not in the current view layer, so its modifiers cannot be applied")
try:
    with bpy.context.temp_override(object=obj, active_object=obj, selected_objects=[obj]):
        bpy.ops.object.modifier_apply(modifier=name)
except RuntimeError as e:
    raise ValueError(f"cannot apply {name!r} on {obj.name!r}: {str(e).strip()}") from None
if obj.modifiers.get(name) is not None:
    raise ValueError(f"Blender did not apply {name!r} on {obj.name!r} (disabled, or it does nothing here)")
result = {"object": obj.name, "applied": name, "stack": [m.name for m in obj.modifiers], "mesh": mesh_stats(obj)}
