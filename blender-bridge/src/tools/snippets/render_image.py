# render_image: renders the current frame to a PNG at args["path"] (chosen
# and confined by the server) and returns it base64-encoded when inline.
import base64
import tempfile

if args.get("path") is None:
    fd, args["path"] = tempfile.mkstemp(prefix="blender-mcp-render-", suffix=".png")
    os.close(fd)
    args["temporary"] = True
scene = bpy.context.scene
restore = configure_render(scene, args)
try:
    if args.get("frame") is not None:
        scene.frame_set(args["frame"])
    render_still(scene, args["path"])
    summary = render_summary(scene)
except BaseException:
    if args.get("temporary") and os.path.exists(args["path"]):
        os.unlink(args["path"])
    raise
finally:
    if not args.get("keep_settings"):
        restore()
summary["path"] = args["path"]
summary["png_base64"] = None
if args.get("inline"):
    with open(args["path"], "rb") as f:
        summary["png_base64"] = base64.b64encode(f.read()).decode("ascii")
if args.get("temporary"):
    os.unlink(args["path"])
    summary["path"] = None
result = summary
