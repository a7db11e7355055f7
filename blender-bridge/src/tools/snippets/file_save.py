import os
import sys

# save_blend: saves to args["path"] (confined by the server) or, without
# one, to the file's current path.
path = args.get("path")
alias = getattr(sys.modules.get("blender_mcp_checkpoint_state"), "file_alias", None)
if path is None and alias and alias[0] == bpy.data.filepath:
    # The session was restored from a rollback copy (rollback.py): save to
    # the file the user had open, or ask for a path if it had none.
    path = alias[1] or None
    if path is None:
        raise ValueError("this scene has never been saved, so it has no path: pass path")
if path is None:
    if not bpy.data.filepath:
        raise ValueError("this scene has never been saved, so it has no path: pass path")
    path = bpy.data.filepath
bpy.ops.wm.save_as_mainfile(filepath=path, copy=bool(args.get("copy")), compress=bool(args.get("compress")))
result = {"path": path, "bytes": os.path.getsize(path), "current_file": bpy.data.filepath}
