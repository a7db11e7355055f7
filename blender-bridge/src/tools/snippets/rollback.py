# rollback: puts the data back to the checkpoint that args describe (the
# answer of checkpoint.py), or, with discard set, just forgets it.
import os
import shutil
import sys

# A cancelled call names its checkpoint by id alone (the server did not wait
# for checkpoint.py's answer; Blender kept it). Another id there means that
# checkpoint was never taken, so none of the call's code ran.
state = sys.modules.get("blender_mcp_checkpoint_state")
latest = getattr(state, "latest", None)
if "method" not in args:
    if latest is None or latest.get("id") != args.get("id"):
        args = {"method": "none"}
    else:
        args = dict(latest, discard=args.get("discard"))
if latest is not None and latest.get("id") == args.get("id"):
    state.latest = None

method = args["method"]
if method == "none":
    result = {"method": method, "rolled_back": False}
elif method == "undo":
    if not args.get("discard"):
        # Record the failed state as a step, then step back over it to the
        # checkpoint; the failed state stays as a redo step until the next push.
        bpy.ops.ed.undo_push(message="blender-mcp rollback")
        if not bpy.ops.ed.undo.poll():
            raise RuntimeError("Blender's undo stack cannot step back; the scene was NOT rolled back")
        bpy.ops.ed.undo()
    result = {"method": method, "rolled_back": not args.get("discard")}
elif method == "file":
    path = args["path"]
    try:
        if not args.get("discard"):
            bpy.ops.wm.open_mainfile(filepath=path, load_ui=False)
            for attr, name in args.get("orphans", []):
                block = getattr(bpy.data, attr).get(name)
                if block is not None:
                    block.use_fake_user = False
            # The session now believes it is the temporary file: remember the
            # real path so save_blend without a path still saves to the right
            # place (bpy.data.filepath itself is read-only). In the module
            # state, like the checkpoint: anything in bpy.app.driver_namespace
            # makes pip's bpy hang at exit.
            import types

            state = sys.modules.setdefault(
                "blender_mcp_checkpoint_state", types.ModuleType("blender_mcp_checkpoint_state")
            )
            state.file_alias = (bpy.data.filepath, args.get("filepath") or "")
    finally:
        shutil.rmtree(os.path.dirname(path), ignore_errors=True)
    result = {"method": method, "rolled_back": not args.get("discard")}
else:
    raise ValueError(f"unknown checkpoint method {method!r}")
