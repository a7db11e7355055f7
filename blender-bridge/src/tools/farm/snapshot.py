# submit_render_job: saves a copy of the live scene for the farm workers,
# with external images, fonts and sounds packed into it so the workers need
# no other file. The user's open file is left as it was: the copy is saved
# with copy=True (the session keeps its own path), and what was packed for
# the copy is unpacked again, keeping the original file paths.
import os

scene = bpy.context.scene
if scene.camera is None:
    raise ValueError("the scene has no active camera; add one (add_camera) before submitting a render job")


def packable(block):
    if getattr(block, "packed_file", None) is not None or not getattr(block, "filepath", ""):
        return False
    if getattr(block, "source", "FILE") != "FILE":
        return False
    return os.path.isfile(bpy.path.abspath(block.filepath))


packed = [b for coll in (bpy.data.images, bpy.data.fonts, bpy.data.sounds) for b in coll if packable(b)]
try:
    for block in packed:
        block.pack()
    bpy.ops.wm.save_as_mainfile(filepath=args["path"], copy=True, relative_remap=True, compress=False)
finally:
    for block in packed:
        block.unpack(method="REMOVE")
result = {
    "scene": scene.name,
    "camera": scene.camera.name,
    "packed": [b.name for b in packed],
    "fps": scene.render.fps / scene.render.fps_base,
}
