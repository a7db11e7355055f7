"""Long operations through MCP: time limits, progress notifications, and
cancellation reaching Blender."""

import json
import time

from conftest import free_port
from harness import RawStdioServer, blender_python, text_of

LOOP_AFTER_EDIT = """
o = bpy.data.objects.new("half_done", None)
bpy.context.scene.collection.objects.link(o)
while True:
    pass
"""


def test_runaway_code_hits_its_time_limit_and_is_rolled_back(server):
    started = time.monotonic()
    res = server.call("execute_blender_code", {"code": LOOP_AFTER_EDIT, "timeout_seconds": 1})
    assert res.is_error
    text = text_of(res)
    assert "time limit" in text and "rolled back" in text, text
    assert time.monotonic() - started < 30
    # Blender keeps serving, and the half-done edit is gone.
    names = server.call("execute_blender_code", {"code": "[o.name for o in bpy.data.objects]"}).structured_content[
        "result"
    ]
    assert "half_done" not in names


CHECKPOINT_COPIES = (
    "import glob, os, tempfile\n"
    "result = sorted(glob.glob(os.path.join(tempfile.gettempdir(), 'blender-mcp-checkpoint-*')))"
)


def test_runaway_code_without_undo_is_rolled_back_from_the_copy(server):
    """With undo off the checkpoint is a temporary .blend whose path only
    the addon's reply names: the timeout reply must carry it back."""

    def py(code, args=None):
        res = server.call(
            "execute_blender_code", {"code": code, "args": args or {}, "rollback_on_error": False, "confirm": True}
        )
        assert not res.is_error, text_of(res)
        return res.structured_content["result"]

    steps = py("result = bpy.context.preferences.edit.undo_steps")
    copies = py(CHECKPOINT_COPIES)
    py("bpy.context.preferences.edit.undo_steps = 0")
    try:
        res = server.call("execute_blender_code", {"code": LOOP_AFTER_EDIT, "timeout_seconds": 1})
        text = text_of(res)
        assert res.is_error and "time limit" in text and "saved copy" in text, text
    finally:
        py("bpy.context.preferences.edit.undo_steps = args['n']", {"n": steps})
    assert "half_done" not in py("[o.name for o in bpy.data.objects]")
    assert py(CHECKPOINT_COPIES) == copies, "the checkpoint copy was left behind"


def test_bad_time_limits_are_refused(server):
    for bad in (0, -1, 10**9):
        res = server.call("execute_blender_code", {"code": "1", "timeout_seconds": bad})
        assert res.is_error and "timeout_seconds" in text_of(res)


def test_code_reports_progress_as_mcp_notifications(server):
    seen = []
    code = "for i in range(5):\n    progress(i + 1, 5, f'step {i + 1}')\n    __import__('time').sleep(0.06)\n'ok'"
    res = server.call("execute_blender_code", {"code": code}, progress=seen)
    assert res.structured_content["result"] == "ok"
    assert seen, "no progress notification arrived"
    assert seen[-1] == (5.0, 5.0, "step 5")
    assert [p for p, _, _ in seen] == sorted(p for p, _, _ in seen)


def test_render_animation_reports_progress_per_frame(tools_server):
    seen = []
    res = tools_server.call(
        "render_animation",
        {
            "engine": "WORKBENCH",
            "width": 16,
            "height": 16,
            "frame_start": 1,
            "frame_end": 3,
            "directory": "progress_anim",
        },
        progress=seen,
    )
    assert not res.is_error, text_of(res)
    assert len(res.structured_content["files"]) == 3
    assert seen and seen[-1][0] == 3.0 and seen[-1][1] == 3.0


def test_cancelled_call_stops_blender_work(tmp_path):
    srv = RawStdioServer(
        ["--port", str(free_port())], {"BLENDER_MCP_BLENDER": str(blender_python())}, tmp_path / "server.log"
    )
    try:
        warm = srv.call_tool("execute_blender_code", {"code": "1"})
        assert not warm["result"].get("isError"), warm
        busy = srv.start(
            "tools/call",
            {"name": "execute_blender_code", "arguments": {"code": LOOP_AFTER_EDIT, "timeout_seconds": 600}},
        )
        time.sleep(0.5)
        srv.notify("notifications/cancelled", {"requestId": busy, "reason": "test"})
        started = time.monotonic()
        # Without the cancel reaching Blender this would wait 600 s behind the loop.
        after = srv.call_tool("execute_blender_code", {"code": "[o.name for o in bpy.data.objects]"})
        assert time.monotonic() - started < 20
        assert not after["result"].get("isError"), after
        assert "half_done" not in after["result"]["structuredContent"]["result"], (
            "the cancelled edit was not rolled back"
        )

        # Again with undo off: the rollback needs the copy's path, which
        # comes back in Blender's reply to the cancelled request.
        def py(code):
            reply = srv.call_tool("execute_blender_code", {"code": code, "rollback_on_error": False, "confirm": True})
            assert not reply["result"].get("isError"), reply
            return reply["result"]["structuredContent"]["result"]

        copies = py(CHECKPOINT_COPIES)
        py("bpy.context.preferences.edit.undo_steps = 0")
        busy = srv.start(
            "tools/call",
            {"name": "execute_blender_code", "arguments": {"code": LOOP_AFTER_EDIT, "timeout_seconds": 600}},
        )
        time.sleep(0.5)
        srv.notify("notifications/cancelled", {"requestId": busy, "reason": "test"})
        # A guarded call (as above), so it queues behind the rollback: a call
        # without a checkpoint may reach Blender first (so it did before too).
        after = srv.call_tool("execute_blender_code", {"code": "[o.name for o in bpy.data.objects]"})
        assert not after["result"].get("isError"), after
        assert "half_done" not in after["result"]["structuredContent"]["result"], (
            "the cancelled edit was not rolled back"
        )
        assert py(CHECKPOINT_COPIES) == copies, "the checkpoint copy was left behind"
    finally:
        srv.close()


def test_a_read_racing_a_cancelled_call_sees_the_scene_rolled_back(tmp_path):
    """A read-only call sent while a guarded call runs, answered after that
    call is cancelled: it must see the scene rolled back, not the cancelled
    code's half-done edit (it used to reach Blender before the rollback)."""
    srv = RawStdioServer(
        ["--port", str(free_port())], {"BLENDER_MCP_BLENDER": str(blender_python())}, tmp_path / "server.log"
    )
    try:
        warm = srv.call_tool("execute_blender_code", {"code": "1"})
        assert not warm["result"].get("isError"), warm
        busy = srv.start(
            "tools/call",
            {"name": "execute_blender_code", "arguments": {"code": LOOP_AFTER_EDIT, "timeout_seconds": 600}},
        )
        time.sleep(0.5)
        read = srv.start("tools/call", {"name": "get_scene_info", "arguments": {"name_contains": "half_done"}})
        time.sleep(0.5)
        srv.notify("notifications/cancelled", {"requestId": busy, "reason": "test"})
        seen = srv.wait(read)
        assert not seen["result"].get("isError"), seen
        assert "half_done" not in json.dumps(seen["result"]["structuredContent"]), "the read saw the cancelled edit"
    finally:
        srv.close()


def test_dropped_http_request_stops_blender_work(tmp_path):
    """A 2026-07-28 client that closes its HTTP response mid-call: the handler
    is cancelled, so the bridge cancels the work in Blender and rolls it back."""
    import http.client
    import json

    from harness import server_binary
    from http_process import HttpProcess

    srv = HttpProcess(
        [str(server_binary()), "--transport", "http", "--bind", "127.0.0.1:0", "--port", str(free_port())],
        env={"BLENDER_MCP_BLENDER": str(blender_python())},
    )
    host, port = srv.addr.rsplit(":", 1)
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"},
        "io.modelcontextprotocol/clientCapabilities": {},
    }

    def post(request_id, code, timeout_seconds):
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        body = json.dumps(
            {
                "jsonrpc": "2.0",
                "id": request_id,
                "method": "tools/call",
                "params": {
                    "name": "execute_blender_code",
                    "arguments": {"code": code, "timeout_seconds": timeout_seconds},
                    "_meta": meta,
                },
            }
        ).encode()
        conn.request(
            "POST",
            "/mcp",
            body=body,
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json, text/event-stream",
                "MCP-Protocol-Version": "2026-07-28",
                "Mcp-Method": "tools/call",
                "Mcp-Name": "execute_blender_code",
            },
        )
        return conn

    try:
        warm = post(1, "1", 60)
        assert warm.getresponse().status == 200
        warm.close()
        marker = tmp_path / "started"
        busy = post(2, f"open({str(marker)!r}, 'w').close()\n" + LOOP_AFTER_EDIT, 600)
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the long call never started in Blender"
        busy.close()  # the client goes away without a cancel notification
        started = time.monotonic()
        check = post(3, "[o.name for o in bpy.data.objects]", 60)
        response = check.getresponse()
        text = response.read().decode()
        assert time.monotonic() - started < 30, "the dropped call kept Blender busy"
        # The body is JSON or an SSE stream whose data lines carry JSON-RPC messages.
        messages = [json.loads(line[5:]) for line in text.splitlines() if line.startswith("data:") and line[5:].strip()]
        reply = next(m for m in (messages or [json.loads(text)]) if m.get("id") == 3)
        names = reply["result"]["structuredContent"]["result"]
        assert "Cube" in names and "half_done" not in names, names
    finally:
        assert srv.stop() == 0, srv.log
