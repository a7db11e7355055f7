# render_animation: renders frame_start..frame_end (every frame_step) into
# args["directory"] (chosen and confined by the server) as frame_####.png.
scene = bpy.context.scene
start, end, step = args["frame_start"], args["frame_end"], args.get("frame_step") or 1
os.makedirs(args["directory"], exist_ok=True)
restore = configure_render(scene, args)
files = []
frames = range(start, end + 1, step)
try:
    for done, frame in enumerate(frames):
        # One render call per frame, so a cancel stops between frames.
        progress(done, len(frames), f"rendering frame {frame}")
        scene.frame_set(frame)
        path = os.path.join(args["directory"], f"frame_{frame:04d}.png")
        render_still(scene, path)
        files.append(path)
    progress(len(frames), len(frames), "done")
    summary = render_summary(scene)
finally:
    if not args.get("keep_settings"):
        restore()
summary.update(directory=args["directory"], files=files)
result = summary
