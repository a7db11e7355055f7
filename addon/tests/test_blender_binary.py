"""The addon inside a Blender executable: ``blender -b`` and the GUI timer.

These need a ``blender`` binary (Debian 12: ``apt-get install -y
--no-install-recommends blender xvfb xauth``, about 170 MiB) and run only
with ``BLENDER_MCP_GUI_TESTS=1``; when enabled, a missing binary FAILS.
"""

import os
import shutil
import signal
import statistics
import time
from pathlib import Path

import pytest
from blender_host import ADDON_DIR, AddonProcess, clean_env, gui_tests_enabled

pytestmark = pytest.mark.skipif(
    not gui_tests_enabled(), reason="set BLENDER_MCP_GUI_TESTS=1 to run Blender-binary tests"
)

TOKEN = "binary-host-token-0123456789abcdef"


def _tool(name, env_var=None):
    path = shutil.which(os.environ.get(env_var, name) if env_var else name)
    if path is None:
        pytest.fail("%s not found: apt-get install -y --no-install-recommends blender xvfb xauth" % name)
    return path


def test_background_host_serves_and_exits_zero(tmp_path):
    blender = _tool("blender", "BLENDER_MCP_BLENDER")
    argv = [
        blender,
        "-b",
        "--factory-startup",
        "--python",
        str(ADDON_DIR / "keep_alive.py"),
        "--",
        "--port",
        "0",
        "--allow-shutdown",
    ]
    addon = AddonProcess.start(argv, tmp_path, env=clean_env(BLENDER_MCP_TOKEN=TOKEN))
    try:
        connection = addon.connect()
        hello = connection.hello(TOKEN)["result"]
        assert hello["mode"] == "background" and hello["pid"] == addon.proc.pid
        assert connection.value("bpy.app.version_string") == hello["blender_version"]
        assert connection.value("bpy.app.background") is True
        assert (
            connection.value(
                "bpy.ops.mesh.primitive_cube_add(location=(0, 0, 2))\nbpy.context.active_object.location.z"
            )
            == 2.0
        )
        # The time limit interrupts runaway code in Blender's own Python too.
        reply = connection.exec_params({"code": "while True:\n    pass", "timeout": 0.5})
        assert reply["error"]["code"] == "timeout"
        assert connection.value("'still serving'") == "still serving"
        reply = connection.request("shutdown")
        assert reply["ok"] and reply["result"] == {}
        assert connection.is_closed()
        assert addon.wait(timeout=30) == 0
    finally:
        addon.kill()


def test_gui_timer_host(tmp_path):
    xvfb_run = _tool("xvfb-run")
    blender = _tool("blender", "BLENDER_MCP_BLENDER")
    scripts = tmp_path / "scripts" / "addons"
    scripts.mkdir(parents=True)
    (scripts / "blender_mcp_addon").symlink_to(ADDON_DIR / "blender_mcp_addon")
    argv = [
        xvfb_run,
        "-a",
        "-s",
        "-screen 0 1280x800x24",
        blender,
        "--factory-startup",
        "--python",
        str(Path(__file__).with_name("gui_start.py")),
        "--",
    ]
    env = clean_env(
        BLENDER_MCP_TOKEN=TOKEN, BLENDER_USER_SCRIPTS=str(tmp_path / "scripts"), BLENDER_MCP_LEGACY_PROTOCOL="1"
    )
    # Own session, so the xvfb-run/Xvfb/blender trio can be ended as one group.
    addon = AddonProcess.start(argv, tmp_path, env=env, new_session=True)
    blender_pid = addon.ready["pid"]
    try:
        connection = addon.connect()
        hello = connection.hello(TOKEN)["result"]
        assert hello["mode"] == "gui" and hello["pid"] == blender_pid
        assert connection.value("len(bpy.context.window_manager.windows)") >= 1
        assert connection.value("import threading\nthreading.current_thread() is threading.main_thread()") is True
        for _ in range(20):  # let the first redraws pass before timing
            assert connection.request("ping")["ok"]
        samples = []
        for _ in range(200):
            started = time.perf_counter()
            assert connection.request("ping")["ok"]
            samples.append(time.perf_counter() - started)
        print(
            "\nGUI ping round trip: p50 %.2f ms, max %.2f ms" % (statistics.median(samples) * 1e3, max(samples) * 1e3)
        )
        # Interrupting code that runs inside the GUI timer callback.
        reply = connection.exec_params({"code": "while True:\n    pass", "timeout": 0.5})
        assert reply["error"]["code"] == "timeout"
        assert connection.request("ping")["ok"]
        _legacy_screenshot_of_the_real_viewport(addon.port, tmp_path / "viewport.png")
        assert connection.request("shutdown")["ok"]
        assert connection.is_closed()
        time.sleep(0.5)
        assert addon.proc.poll() is None, "in gui mode shutdown stops the server, not Blender"
        os.kill(blender_pid, 0)
        with pytest.raises(OSError):
            addon.connect()
    finally:
        if addon.proc.poll() is None:
            os.killpg(addon.proc.pid, signal.SIGTERM)
        addon.wait(timeout=30)


def _legacy_screenshot_of_the_real_viewport(port, path):
    """The original protocol's screenshot captures the GUI's 3D View."""
    import json
    import socket
    import struct

    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(
            json.dumps({"type": "get_viewport_screenshot", "params": {"max_size": 200, "filepath": str(path)}}).encode()
        )
        data = b""
        while True:
            data += sock.recv(65536)
            try:
                answer = json.loads(data)
                break
            except ValueError:
                continue
    assert answer["status"] == "success", answer
    assert answer["result"]["success"] is True, answer
    png = path.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (answer["result"]["width"], answer["result"]["height"])
    assert max(width, height) == 200
