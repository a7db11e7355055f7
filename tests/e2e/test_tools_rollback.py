"""Undo safety: a failing execute_blender_code leaves the scene as it was,
through Blender's undo (the default) and through the file-copy fallback
used where undo is off. Real Blender, real MCP client."""

from harness import text_of
from tools_helpers import ok, py, remove_objects

# The properties compared before and after: objects with their full
# transforms, mesh vertex positions, materials with values, collections,
# and render settings. Rounded only to survive float printing.
FINGERPRINT = """
def r(v): return [round(x, 6) for x in v]
result = {
    "objects": sorted([o.name, o.type, r(o.location), r(o.rotation_euler), r(o.scale),
                       o.parent.name if o.parent else None, sorted(c.name for c in o.users_collection),
                       [s.material.name if s.material else None for s in o.material_slots]]
                      for o in bpy.data.objects),
    "meshes": sorted([m.name, [r(v.co) for v in m.vertices]] for m in bpy.data.meshes),
    "materials": sorted([m.name, r(m.diffuse_color), round(m.roughness, 6)] for m in bpy.data.materials),
    "collections": sorted([c.name, sorted(o.name for o in c.objects)] for c in bpy.data.collections),
    "render": [bpy.context.scene.render.engine, bpy.context.scene.render.resolution_x,
               bpy.context.scene.frame_current, bpy.context.scene.camera.name if bpy.context.scene.camera else None],
}
"""

# Changes every kind of property the fingerprint covers, then fails.
BREAK_THINGS = """
import bmesh
scene = bpy.context.scene
cube = bpy.data.objects["rb_cube"]
cube.location = (9, 9, 9)
cube.rotation_euler = (1, 2, 3)
cube.data.vertices[0].co = (5, 5, 5)
bpy.data.materials["rb_mat"].diffuse_color = (0, 1, 0, 1)
bpy.data.objects.remove(bpy.data.objects["rb_empty"])
new = bpy.data.objects.new("rb_new", None)
scene.collection.objects.link(new)
cube.parent = new
bpy.data.collections.new("rb_new_coll")
scene.render.resolution_x = 77
scene.frame_current = 42
print("changed everything")
raise RuntimeError("boom after changes")
"""


def setup_scene(server):
    ok(server, "create_object", {"kind": "cube", "name": "rb_cube", "location": [1, 2, 3]})
    ok(server, "create_object", {"kind": "empty", "name": "rb_empty"})
    ok(server, "set_material", {"name": "rb_mat", "base_color": [1, 0, 0], "object": "rb_cube"})


def cleanup(server):
    remove_objects(server, "rb_cube", "rb_empty", "rb_new")
    py(
        server,
        """
for store, name in ((bpy.data.materials, "rb_mat"), (bpy.data.collections, "rb_new_coll"), (bpy.data.meshes, "rb_cube")):
    if name in store:
        store.remove(store[name])
""",
    )


def fingerprint(server):
    return py(server, FINGERPRINT)


def failing_call_is_rolled_back(server):
    before = fingerprint(server)
    res = server.call("execute_blender_code", {"code": BREAK_THINGS})
    assert res.is_error
    text = text_of(res)
    assert "boom after changes" in text and "changed everything" in text
    assert "rolled back" in text
    after = fingerprint(server)
    assert after == before
    return text


def test_failing_code_is_rolled_back_with_undo(tools_server):
    setup_scene(tools_server)
    try:
        text = failing_call_is_rolled_back(tools_server)
        assert "Blender's undo" in text
        # Succeeding code is kept, and the undo step it left does not
        # disturb a later rollback.
        ok(tools_server, "execute_blender_code", {"code": "bpy.data.objects['rb_cube'].location.z = 7"})
        assert py(tools_server, "result = bpy.data.objects['rb_cube'].location.z") == 7
        failing_call_is_rolled_back(tools_server)
        assert py(tools_server, "result = bpy.data.objects['rb_cube'].location.z") == 7
    finally:
        cleanup(tools_server)


def test_failing_calls_in_a_row_each_roll_back_to_the_same_state(tools_server):
    """The checkpoint pushes its undo step without evaluating the depsgraph:
    back-to-back rollbacks, with changes still waiting for evaluation from
    the kept call before them, land on the state before each call."""
    setup_scene(tools_server)
    try:
        ok(tools_server, "execute_blender_code", {"code": "bpy.data.objects['rb_cube'].scale.x = 3"})
        before = fingerprint(tools_server)
        for _ in range(3):
            failing_call_is_rolled_back(tools_server)
        assert fingerprint(tools_server) == before
        assert py(tools_server, "result = bpy.data.objects['rb_cube'].scale.x") == 3
    finally:
        cleanup(tools_server)


def test_rollback_can_be_turned_off(tools_server):
    setup_scene(tools_server)
    try:
        res = tools_server.call(
            "execute_blender_code",
            {
                "code": "bpy.data.objects['rb_cube'].location.x = 5\nraise ValueError('keep me')",
                "rollback_on_error": False,
                "confirm": True,
            },
        )
        assert res.is_error and "keep me" in text_of(res) and "rolled back" not in text_of(res)
        assert py(tools_server, "result = bpy.data.objects['rb_cube'].location.x") == 5
    finally:
        cleanup(tools_server)


def test_rollback_without_undo_uses_a_file_copy(tools_server):
    """With Preferences > Undo Steps at 0 Blender keeps no undo history, so
    the checkpoint is a temporary .blend copy that the rollback reloads."""
    setup_scene(tools_server)
    steps = py(tools_server, "result = bpy.context.preferences.edit.undo_steps")
    py(tools_server, "bpy.context.preferences.edit.undo_steps = 0")
    try:
        text = failing_call_is_rolled_back(tools_server)
        assert "saved copy" in text
        # No checkpoint copies are left behind.
        leftovers = py(
            tools_server,
            "import glob, tempfile, os; result = glob.glob(os.path.join(tempfile.gettempdir(), 'blender-mcp-checkpoint-*'))",
        )
        assert leftovers == []
    finally:
        py(tools_server, "bpy.context.preferences.edit.undo_steps = args['n']", {"n": steps})
        cleanup(tools_server)


def test_syntax_errors_change_nothing_and_the_server_keeps_serving(tools_server):
    before = fingerprint(tools_server)
    res = tools_server.call("execute_blender_code", {"code": "def broken(:\n  pass"})
    assert res.is_error and "SyntaxError" in text_of(res)
    assert fingerprint(tools_server) == before


def test_a_checkpoint_that_cannot_be_taken_runs_nothing(tools_server):
    """Forced: with undo off the checkpoint must write a copy, and the
    temporary folder it writes to does not exist. The code must not run."""
    steps = py(tools_server, "result = bpy.context.preferences.edit.undo_steps")
    py(
        tools_server,
        "import tempfile\nbpy.context.preferences.edit.undo_steps = 0\n"
        "tempfile.tempdir = '/nonexistent/blender-mcp-test'",
    )
    try:
        res = tools_server.call(
            "execute_blender_code",
            {"code": "o = bpy.data.objects.new('rb_never', None)\nbpy.context.scene.collection.objects.link(o)"},
        )
        assert res.is_error
        text = text_of(res)
        assert "could not take a checkpoint, nothing was run" in text, text
        assert "FileNotFoundError" in text and "Traceback" in text, text
    finally:
        py(
            tools_server,
            "import tempfile\ntempfile.tempdir = None\nbpy.context.preferences.edit.undo_steps = args['n']",
            {"n": steps},
        )
    assert py(tools_server, "result = 'rb_never' in bpy.data.objects") is False


def addon_without_exec_before(tmp_path):
    """This repository's addon, minus the `exec_before` and `exec_after`
    capabilities in its hello: what an addon from before them tells the server."""
    import shutil

    from harness import ROOT

    root = tmp_path / "old-addon"
    shutil.copytree(
        ROOT / "addon" / "blender_mcp_addon", root / "blender_mcp_addon", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "addon" / "keep_alive.py", root / "keep_alive.py")
    server_py = root / "blender_mcp_addon" / "server.py"
    text = server_py.read_text()
    features = ', "exec_before", "exec_after"'
    assert features in text
    server_py.write_text(text.replace(features, ""))
    return root


def test_an_addon_without_exec_before_still_gets_rolled_back(tmp_path, logs_dir):
    """The server sends the checkpoint as its own request then (two turns),
    with the same rollback on failure and on the time limit."""
    from conftest import free_port
    from harness import McpServer, blender_python

    env = {
        "BLENDER_MCP_BLENDER": str(blender_python()),
        "BLENDER_MCP_ADDON_DIR": str(addon_without_exec_before(tmp_path)),
    }
    with McpServer(args=["--port", str(free_port())], env=env, stderr_path=logs_dir / "old-addon-server.log") as srv:
        setup_scene(srv)
        text = failing_call_is_rolled_back(srv)
        assert "Blender's undo" in text
        before = fingerprint(srv)
        res = srv.call(
            "execute_blender_code",
            {"code": "bpy.data.objects['rb_cube'].location.x = 50\nwhile True:\n    pass", "timeout_seconds": 0.5},
        )
        assert res.is_error and "time limit" in text_of(res) and "rolled back" in text_of(res), text_of(res)
        assert fingerprint(srv) == before
        kept = ok(srv, "execute_blender_code", {"code": "bpy.data.objects['rb_cube'].location.z = 7"})
        assert py(srv, "result = bpy.data.objects['rb_cube'].location.z") == 7
        # Without exec_after, what changed comes from a request of its own.
        assert kept["changes"] == {"modified": {"rb_cube": ["transform"]}}, kept


def test_after_a_file_copy_rollback_save_keeps_the_real_path(tmp_path, logs_dir):
    """The reloaded copy makes Blender believe it is the temporary file: a
    save without a path must still go to the real one. The note that
    remembers it must stay out of bpy.app.driver_namespace: while anything of
    ours is in there, pip's bpy hangs in its exit handlers (a launched Blender is
    killed after its grace period instead of exiting)."""
    from conftest import free_port
    from harness import McpServer, blender_python

    real = tmp_path / "real.blend"
    env = {"BLENDER_MCP_BLENDER": str(blender_python())}
    with McpServer(
        args=["--port", str(free_port()), "--allow-root", str(tmp_path)],
        env=env,
        stderr_path=logs_dir / "file-rollback-save.log",
    ) as srv:
        ok(srv, "save_blend", {"path": str(real)})
        py(srv, "bpy.context.preferences.edit.undo_steps = 0")
        res = srv.call("execute_blender_code", {"code": "raise RuntimeError('fail after nothing')"})
        assert res.is_error and "saved copy" in text_of(res), text_of(res)
        assert py(srv, "result = bpy.data.filepath") != str(real), "the session runs on the copy"
        assert ok(srv, "save_blend", {})["path"] == str(real)
        assert py(srv, "result = [k for k in bpy.app.driver_namespace.keys() if 'blender_mcp' in k]") == []
