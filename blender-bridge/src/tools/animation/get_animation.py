# get_animation: a datablock's F-curves (a material's include its node
# tree's); for an object, which of its data and materials are animated too.
def animated(idblock):
    return bool(fcurves_of(idblock)) or bool(getattr(idblock, "node_tree", None) and fcurves_of(idblock.node_tree))


def also_animated(obj):
    """The datablock arguments that reach the object's other animation."""
    found = ["data"] if obj.data is not None and animated(obj.data) else []
    materials = {slot.material for slot in obj.material_slots if slot.material is not None}
    return found + sorted(f"material:{m.name}" for m in materials if animated(m))


idblock = animated_datablock(args.get("object"), args.get("datablock"))
sources = [idblock] + ([idblock.node_tree] if getattr(idblock, "node_tree", None) is not None else [])
scene = bpy.context.scene
result = {
    "datablock": idblock.name,
    "datablock_type": idblock.bl_rna.identifier,
    "actions": [s.animation_data.action.name for s in sources if s.animation_data and s.animation_data.action],
    "frame_start": scene.frame_start,
    "frame_end": scene.frame_end,
    "fps": round(scene.render.fps / scene.render.fps_base, 5),
    "fcurves": [describe_fcurve(f) for s in sources for f in fcurves_of(s)],
    "also_animated": also_animated(idblock) if isinstance(idblock, bpy.types.Object) else [],
}
