"""The addon as Blender 4.5 sees it: a valid extension and a legacy addon."""

import json
import subprocess
from pathlib import Path

from blender_host import ADDON_DIR, clean_env


def _blender_ext_cli(python):
    """Blender's own extension tool, shipped inside pip's bpy."""
    found = subprocess.run(
        [
            python,
            "-c",
            "import bpy, os; print(os.path.join(bpy.utils.system_resource('SCRIPTS'), 'addons_core', 'bl_pkg', 'cli', 'blender_ext.py'))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(),
    )
    path = Path(found.stdout.strip())
    assert path.is_file(), "blender_ext.py not found in bpy: %s" % found.stderr
    return path


def test_extension_builds_installs_enables_and_unregisters(bpy_python, tmp_path):
    cli = _blender_ext_cli(bpy_python)
    package = ADDON_DIR / "blender_mcp_addon"
    validate = subprocess.run(
        [bpy_python, str(cli), "validate", str(package)], capture_output=True, text=True, timeout=60
    )
    assert validate.returncode == 0, validate.stdout + validate.stderr
    build = subprocess.run(
        [bpy_python, str(cli), "build", "--source-dir", str(package), "--output-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    archive = tmp_path / "blender_mcp_rs-0.2.0.zip"
    assert archive.is_file()

    scripts = tmp_path / "scripts" / "addons"
    scripts.mkdir(parents=True)
    (scripts / "blender_mcp_addon").symlink_to(package)
    env = clean_env(
        BLENDER_USER_CONFIG=str(tmp_path / "config"),
        BLENDER_USER_SCRIPTS=str(tmp_path / "scripts"),
        BLENDER_USER_EXTENSIONS=str(tmp_path / "extensions"),
    )
    del env["PYTHONPATH"]  # the legacy addon must come from the scripts folder
    probe = subprocess.run(
        [bpy_python, str(Path(__file__).with_name("extension_probe.py")), str(archive)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert probe.returncode == 0, probe.stdout + probe.stderr
    line = [text for text in probe.stdout.splitlines() if text.startswith("PROBE ")]
    assert line, probe.stdout + probe.stderr
    result = json.loads(line[0][len("PROBE ") :])
    assert result["install"] == ["FINISHED"]
    assert result.pop("legacy_file").startswith(str(scripts))
    for kind in ("extension", "legacy"):
        assert result[kind] == {
            "enabled": True,
            "prefs": ["127.0.0.1", 9876, False, False],
            "operators": [True, True],
            "running": True,
            "running_after_disable": False,
            "port_closed": True,
        }, (kind, result)
