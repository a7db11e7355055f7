"""User code that raises, exits or quits Blender: an error (or a defined
value) comes back, and Blender keeps serving — or, when the code really
ended the process, the error says so and the next call relaunches it."""

import os
import shutil

import pytest
from support import StdioServer, children, free_port, state_of, text_of


def pid_of(server) -> int:
    return server.exec_value("import os; result = os.getpid()")


@pytest.mark.parametrize(
    "code, exc_type",
    [
        ("raise ValueError('bad value from the model')", "ValueError"),
        ("import sys; sys.exit(3)", "SystemExit"),
        ("raise SystemExit('bye')", "SystemExit"),
        ("raise KeyboardInterrupt", "KeyboardInterrupt"),
        ("def f(): f()\nf()", "RecursionError"),
        ("exit()", "SystemExit"),
    ],
)
def test_code_that_raises_or_exits_is_an_error_and_blender_keeps_serving(shared, code, exc_type):
    before = pid_of(shared)
    result = shared.call("execute_blender_code", {"code": code})
    assert result["isError"], result
    text = text_of(result)
    assert f"Python error in Blender: {exc_type}" in text, text
    assert "Traceback" in text, text
    assert pid_of(shared) == before, "the same Blender still serves"


def test_quit_blender_operator_does_not_take_the_server_down(shared):
    before = pid_of(shared)
    # In pip's bpy (module mode) there is no window manager loop to act on the
    # quit request: the operator reports FINISHED and nothing stops.
    result = shared.call("execute_blender_code", {"code": "bpy.ops.wm.quit_blender()"})
    assert not result.get("isError"), text_of(result)
    assert result["structuredContent"]["result"] == "{'FINISHED'}"
    assert pid_of(shared) == before
    assert shared.exec_value("len(bpy.data.objects)") >= 0


@pytest.mark.parametrize("code", ["import os; os._exit(0)", "import os, signal; os.kill(os.getpid(), signal.SIGABRT)"])
def test_code_that_ends_the_process_is_reported_and_the_next_call_relaunches(shared, code):
    before = pid_of(shared)
    result = shared.call("execute_blender_code", {"code": code}, timeout=30)
    assert result["isError"], result
    text = text_of(result)
    assert "lost the connection to Blender" in text and "crashed or been closed" in text, text
    after = pid_of(shared)
    assert after != before, "a new Blender was launched"
    assert state_of(before) is None and children(shared.pid) == [after]


@pytest.mark.skipif(
    os.environ.get("BLENDER_MCP_GUI_TESTS") != "1",
    reason="set BLENDER_MCP_GUI_TESTS=1 to run Blender-binary tests (Debian's blender)",
)
def test_quit_blender_operator_in_blender_background_mode(logs):
    """`blender -b` (Debian's Blender): the quit request waits for a window
    manager loop the blocking host never returns to, so Blender keeps serving."""
    server = StdioServer(
        [
            "--port",
            str(free_port()),
            "--blender-program",
            shutil.which("blender") or "blender",
            "--request-timeout",
            "20",
        ],
        logs / "quit_background.log",
    )
    try:
        server.initialize()
        before = server.exec_value("import os; result = [os.getpid(), bpy.app.background]")
        assert before[1] is True
        result = server.call("execute_blender_code", {"code": "bpy.ops.wm.quit_blender()"}, timeout=60)
        assert not result.get("isError"), text_of(result)
        assert server.exec_value("import os; result = [os.getpid(), bpy.app.background]") == before
        assert children(server.pid) == [before[0]]
    finally:
        server.close()
