# get_animation: a datablock's F-curves (a material's include its node tree's).
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
}
