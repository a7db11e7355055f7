import os

# open_blend: replaces the whole session with the file (load_ui off: a
# window layout from another machine should not replace the user's).
path = args["path"]
if not os.path.isfile(path):
    raise FileNotFoundError(f"no file at {path}")
bpy.ops.wm.open_mainfile(filepath=path, load_ui=False)
scene = bpy.context.scene
result = {"path": bpy.data.filepath, "scene": scene.name, "objects": len(scene.objects)}
