"""Undo safety in every host Blender runs in. The module host (pip's bpy)
is covered by test_tools_rollback.py; here a Blender executable runs the
real addon (addon/keep_alive.py) in background mode (`blender -b`) and as a
GUI (under Xvfb when there is no display), and the server attaches to it.

Needs a `blender` executable ($BLENDER_MCP_EXE, else `blender` on PATH;
Debian's package is 3.4) and, without a display, `xvfb-run`."""

from contextlib import contextmanager
from pathlib import Path

import pytest
from exe_blender import ExeBlender
from harness import McpServer, text_of
from test_tools_rollback import BREAK_THINGS, cleanup, fingerprint, setup_scene
from tools_helpers import fails, ok, py


@contextmanager
def attached_server(mode: str, workdir: Path, log: Path, args: tuple[str, ...] = ()):
    """A Blender executable in `mode` ("background" or "gui") and a server
    attached to it (`--no-launch`); both stop afterwards, the Blender even
    when the server fails to start."""
    blender = ExeBlender(mode, workdir)
    try:
        srv = McpServer(
            args=["--port", str(blender.port), "--no-launch", "--token-file", str(blender.token_file), *args],
            stderr_path=log,
        )
        try:
            yield srv
        finally:
            srv.close()
    finally:
        blender.stop()


@pytest.fixture(scope="module", params=["background", "gui"])
def host_server(request, tmp_path_factory, logs_dir):
    workdir = tmp_path_factory.mktemp(f"host-{request.param}")
    with attached_server(request.param, workdir, logs_dir / f"host-{request.param}.log") as srv:
        srv.mode = request.param
        yield srv


def test_host_is_the_one_asked_for(host_server):
    assert py(host_server, "result = bpy.app.background") is (host_server.mode == "background")


@pytest.mark.parametrize("undo_steps,method", [(32, "Blender's undo"), (0, "saved copy")])
def test_failing_code_is_rolled_back_in_this_host(host_server, undo_steps, method):
    setup_scene(host_server)
    steps = py(host_server, "result = bpy.context.preferences.edit.undo_steps")
    py(host_server, "bpy.context.preferences.edit.undo_steps = args['n']", {"n": undo_steps})
    try:
        before = fingerprint(host_server)
        res = host_server.call("execute_blender_code", {"code": BREAK_THINGS})
        assert res.is_error and "boom after changes" in text_of(res)
        assert method in text_of(res)
        assert fingerprint(host_server) == before
    finally:
        py(host_server, "bpy.context.preferences.edit.undo_steps = args['n']", {"n": steps})
        cleanup(host_server)


def test_atomic_batch_is_rolled_back_in_this_host(host_server):
    before = fingerprint(host_server)
    text = fails(
        host_server,
        "batch",
        {
            "atomic": True,
            "operations": [
                {"tool": "create_object", "arguments": {"kind": "monkey", "name": "host_monkey"}},
                {"tool": "set_material", "arguments": {"name": "host_mat", "base_color": [1, 0, 0], "object": "Cube"}},
                {"tool": "set_transform", "arguments": {"name": "Cube", "location": [3, 3, 3]}},
                {"tool": "rename_object", "arguments": {"name": "no_such_object", "new_name": "x"}},
            ],
        },
    )
    assert "rolled back" in text
    assert fingerprint(host_server) == before
    assert ok(host_server, "scene_statistics")["objects"] == len(before["objects"])
