# render_animation: renders frame_start..frame_end (every frame_step) into
# args["directory"] (chosen and confined by the server) as frame_####.png.
scene = bpy.context.scene
start, end, step = args["frame_start"], args["frame_end"], args.get("frame_step") or 1
os.makedirs(args["directory"], exist_ok=True)
restore = configure_render(scene, args)
files = []
try:
    for frame in range(start, end + 1, step):
        scene.frame_set(frame)
        path = os.path.join(args["directory"], f"frame_{frame:04d}.png")
        render_still(scene, path)
        files.append(path)
    summary = render_summary(scene)
finally:
    if not args.get("keep_settings"):
        restore()
summary.update(directory=args["directory"], files=files)
result = summary
