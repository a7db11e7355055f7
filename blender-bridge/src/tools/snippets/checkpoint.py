# checkpoint: remembers the current state of the .blend data so a failed
# call can be rolled back (see rollback.py).
#
# Preferred method: Blender's own global undo. bpy.ops.ed.undo_push works in
# every host -- GUI, `blender -b` and pip's bpy module (measured on 4.5 and
# 3.4) -- and is cheap, because unchanged data is shared between steps. In
# the GUI it also leaves a step the user can Ctrl+Z to. Where undo is off
# (Preferences > Undo Steps = 0) or unavailable, the fallback writes a copy of
# the file to a temporary .blend and reloads it on rollback.
#
# Its cost is Blender's: the memfile step writes every datablock (about 0.8 us
# per object; 78 ms on 100,000 objects, docs/BENCHMARKS.md). The Python
# wrapper of bpy.ops would add a depsgraph evaluation of everything changed
# since the last one (view_layer.update() before and after each operator:
# two thirds of the step on a headless 10,000-object scene after one object
# moved), which an undo step does not need: it stores the original data. So the operator is
# called through _bpy.ops.call where Blender has it (3.x, 4.x); Blender 5
# calls operators from C, evaluation included.
import os
import sys
import tempfile

import _bpy


def push_undo_step(message):
    """An undo step of the current data, or an error: a step not pushed
    would make a rollback step back past the call into older work."""
    call = getattr(_bpy.ops, "call", None)
    if call is None:
        done = bpy.ops.ed.undo_push(message=message)
    elif bpy.app.version >= (4, 0, 0):
        done = call("ed.undo_push", {"message": message})
    else:  # 3.x takes a context dict first
        done = call("ed.undo_push", None, {"message": message})
    if "FINISHED" not in done:
        raise RuntimeError(f"Blender did not push an undo step ({sorted(done)})")


label = args.get("label") or "blender-mcp checkpoint"
prefs = bpy.context.preferences.edit
if prefs.undo_steps > 0 and bpy.ops.ed.undo_push.poll():
    push_undo_step(f"Before {label}")
    result = {"method": "undo"}
else:
    # A fresh directory, not a pre-created file: saving over an existing
    # file would leave a .blend1 backup behind.
    path = os.path.join(tempfile.mkdtemp(prefix="blender-mcp-checkpoint-"), "checkpoint.blend")
    # A .blend file drops datablocks nobody uses: pin them for the copy so
    # the rollback brings them back too, then unpin.
    orphans = []
    for attr in dir(bpy.data):
        store = getattr(bpy.data, attr)
        if isinstance(store, bpy.types.bpy_prop_collection) and attr not in (
            "window_managers",
            "screens",
            "workspaces",
        ):
            for block in store:
                if isinstance(block, bpy.types.ID) and block.users == 0 and not block.use_fake_user:
                    orphans.append((attr, block.name))
                    block.use_fake_user = True
    try:
        bpy.ops.wm.save_as_mainfile(filepath=path, copy=True, compress=False)
    finally:
        for attr, name in orphans:
            getattr(bpy.data, attr)[name].use_fake_user = False
    result = {"method": "file", "path": path, "filepath": bpy.data.filepath, "orphans": orphans}

# Remembered in Blender as well, under the id the server chose: a call the
# client cancels is rolled back by that id at once, without waiting for the
# reply that carries this answer (rollback.py). One entry is enough, as a
# server takes one checkpoint at a time on a Blender. Kept in a module of
# its own, not in bpy.app.driver_namespace: anything stored there makes pip's
# bpy 4.5 hang in its exit handlers.
import types

result["id"] = args.get("id")
state = sys.modules.setdefault("blender_mcp_checkpoint_state", types.ModuleType("blender_mcp_checkpoint_state"))
state.latest = result
