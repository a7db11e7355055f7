"""`blender-mcp-rs addon zip|install|status`: the addon goes into a person's
own Blender through that Blender, and the server then attaches to it.

Every test works in a fresh user configuration (HOME and XDG_CONFIG_HOME in a
temporary folder), so a person's real Blender set-up is never touched and no
test sees another's install. Debian's Blender 3.4 takes the legacy add-on;
pip's bpy 4.5 and 5.3 take the extension.
"""

import os
import signal
import socket
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from exe_blender import blender_exe
from harness import McpServer, server_binary
from testkit import free_port
from tools_helpers import py

NEWEST = os.environ.get("BLENDER_MCP_PYTHON_NEWEST")


def addon_cli(home: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    """Runs `blender-mcp-rs addon ARGS` with `home` as the user's home."""
    return subprocess.run(
        [str(server_binary()), "addon", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=user_env(home),
    )


def user_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BLENDER_USER_", "PYTHONPATH"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_CACHE_HOME=str(home / ".cache"))
    return env


def test_zip_writes_a_legacy_addon_and_an_extension(tmp_path):
    done = addon_cli(tmp_path, "zip", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    legacy, extension = sorted((tmp_path / "out").glob("*.zip"))
    assert legacy.name.startswith("blender_mcp_addon-") and extension.name.startswith("blender_mcp_rs-")
    assert "Install from Disk" in done.stdout and "Add-ons > Install" in done.stdout
    legacy_names = zipfile.ZipFile(legacy).namelist()
    assert "blender_mcp_addon/__init__.py" in legacy_names
    assert all(name.startswith("blender_mcp_addon/") for name in legacy_names)
    extension_names = zipfile.ZipFile(extension).namelist()
    assert {"blender_manifest.toml", "__init__.py", "server.py"} <= set(extension_names)
    assert not [n for n in extension_names + legacy_names if "__pycache__" in n or "keep_alive" in n]

    only = addon_cli(tmp_path, "zip", str(tmp_path / "one"), "--kind", "extension")
    assert only.returncode == 0, only.stderr
    assert [p.name for p in (tmp_path / "one").iterdir()] == [extension.name]
    bad = addon_cli(tmp_path, "zip", "--kind", "egg")
    assert bad.returncode != 0 and "legacy" in bad.stderr and "extension" in bad.stderr


@pytest.mark.parametrize("which", ["blender -b (3.4)", "bpy 4.5", "bpy 5.3"])
def test_install_enables_the_addon_and_status_reports_it(tmp_path, which):
    program = {
        "blender -b (3.4)": blender_exe(),
        "bpy 4.5": os.environ.get("BLENDER_MCP_PYTHON"),
        "bpy 5.3": NEWEST,
    }[which]
    assert program, f"no {which}: run scripts/setup.sh --tests (BLENDER_MCP_PYTHON / _NEWEST)"
    before = addon_cli(tmp_path, "status", "--blender", program)
    assert before.returncode == 1, before.stdout + before.stderr
    assert "not installed" in before.stdout and "addon install --blender" in before.stdout

    done = addon_cli(tmp_path, "install", "--blender", program)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Installed and enabled" in done.stdout and "up to date" in done.stdout

    after = addon_cli(tmp_path, "status", "--blender", program)
    assert after.returncode == 0, after.stdout + after.stderr
    kind = "legacy add-on" if "3.4" in which else "extension"
    assert f"({kind}, enabled)" in after.stdout, after.stdout
    assert str(tmp_path) in after.stdout, "installed outside the user's configuration"


def test_status_names_the_fix_for_an_outdated_addon(tmp_path):
    assert addon_cli(tmp_path, "install").returncode == 0
    (installed,) = (tmp_path / ".config" / "blender").glob("*/scripts/addons/blender_mcp_addon/__init__.py")
    source = installed.read_text()
    assert '"version": (' in source
    installed.write_text(source.replace('"version": (', '"version": (0, 0, 1), "was": (', 1))
    status = addon_cli(tmp_path, "status")
    assert status.returncode == 1, status.stdout
    assert "0.0.1" in status.stdout and "Update it: blender-mcp-rs addon install" in status.stdout


def test_install_with_auto_start_serves_from_the_gui_blender(tmp_path, logs_dir):
    """The whole story a person follows: install, open Blender (3.4 GUI under
    Xvfb), and the agent's server attaches to the addon Blender loaded from
    its own user configuration."""
    done = addon_cli(tmp_path, "install", "--auto-start")
    assert done.returncode == 0, done.stdout + done.stderr
    port = free_port()
    # The port is the one thing set by hand: the saved default (9876) may be
    # taken on a test machine. Auto-start runs after this, from a timer.
    pick_port = "import bpy; bpy.context.preferences.addons['blender_mcp_addon'].preferences.port = %d" % port
    log = logs_dir / "addon-install-gui.log"
    cmd = ["xvfb-run", "-a", blender_exe(), "--python-expr", pick_port]
    gui = subprocess.Popen(
        cmd, env=user_env(tmp_path), stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        wait_for_port(port, gui, log)
        srv = McpServer(args=["--no-launch", "--port", str(port)], env=user_env(tmp_path))
        try:
            version, background, module = py(
                srv,
                "import addon_utils\nresult = [bpy.app.version_string, bpy.app.background, "
                "addon_utils.check('blender_mcp_addon')[1]]",
            )
        finally:
            srv.close()
        assert version.startswith("3.4") and background is False and module is True
    finally:
        os.killpg(gui.pid, signal.SIGTERM)
        gui.wait(30)


def wait_for_port(port: int, proc: subprocess.Popen, log: Path, timeout: float = 180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError("Blender exited: " + log.read_text()[-2000:])
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"the auto-started addon never listened on {port}: " + log.read_text()[-2000:])


def test_the_server_warns_when_blender_runs_another_addon_version(tmp_path, logs_dir):
    """A real mismatch: the server launches Blender with a copy of the addon
    whose bl_info says another version (BLENDER_MCP_ADDON_DIR)."""
    assert addon_cli(tmp_path, "zip", str(tmp_path / "zips"), "--kind", "legacy").returncode == 0
    (archive,) = (tmp_path / "zips").glob("*.zip")
    copy = tmp_path / "old-addon"
    zipfile.ZipFile(archive).extractall(copy)
    init = copy / "blender_mcp_addon" / "__init__.py"
    init.write_text(init.read_text().replace('"version": (', '"version": (0, 0, 1), "was": (', 1))
    keep_alive = Path(__file__).parents[2] / "addon" / "keep_alive.py"
    (copy / "keep_alive.py").write_text(keep_alive.read_text())
    log = logs_dir / "addon-version-warning.log"
    srv = McpServer(env={"BLENDER_MCP_ADDON_DIR": str(copy)}, stderr_path=log)
    try:
        assert py(srv, "result = 1") == 1
    finally:
        srv.close()
    text = log.read_text()
    assert "runs addon 0.0.1 but this server ships" in text, text[-2000:]
    assert "addon install" in text
