# set_frame_range: the scene's first and last frame, and optionally its rate
# (a fractional rate such as 29.97 becomes fps 30 over fps_base 1.001).
scene = bpy.context.scene
start_prop = scene.bl_rna.properties["frame_start"]
end_prop = scene.bl_rna.properties["frame_end"]
_check_scalar(start_prop, args["start"], "start")
_check_scalar(end_prop, args["end"], "end")
if args["start"] > args["end"]:
    raise ValueError(f"start ({args['start']}) must not be after end ({args['end']})")
# Set in an order that never puts start after end on the way.
if args["start"] > scene.frame_end:
    scene.frame_end, scene.frame_start = args["end"], args["start"]
else:
    scene.frame_start, scene.frame_end = args["start"], args["end"]
if args.get("fps") is not None:
    fps = args["fps"]
    scene.render.fps = max(1, round(fps))
    scene.render.fps_base = scene.render.fps / fps
result = {
    "frame_start": scene.frame_start,
    "frame_end": scene.frame_end,
    "frame_current": scene.frame_current,
    "fps": round(scene.render.fps / scene.render.fps_base, 5),
}
