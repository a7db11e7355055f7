"""scripts/venv.sh builds venvs keyed on their pinned files and rebuilds one
that no longer matches them, so a venv changed by hand is never the one the
tests run in. Real pip, real PyPI (a tiny package), a temporary cache."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_SH = ROOT / "scripts" / "venv.sh"


def build(cache, *requirements):
    env = {**os.environ, "BLENDER_MCP_CACHE": str(cache)}
    out = subprocess.run(
        [str(VENV_SH), "tiny", *map(str, requirements)], capture_output=True, text=True, env=env, timeout=300
    )
    assert out.returncode == 0, out.stderr
    return Path(out.stdout.strip().splitlines()[-1]), out.stderr


def installed(venv, name):
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-c", f"import importlib.metadata as m; print(m.version({name!r}))"],
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def test_a_venv_is_keyed_on_its_pins_and_rebuilt_when_changed_by_hand(tmp_path):
    req = tmp_path / "tiny.txt"
    req.write_text("# import: six\nsix==1.16.0\n")
    venv, log = build(tmp_path / "cache", req)
    assert "building" in log and installed(venv, "six") == "1.16.0"

    again, log = build(tmp_path / "cache", req)
    assert again == venv and "building" not in log, log

    # Changed by hand: another version of a pinned package...
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "six==1.15.0"], check=True)
    again, log = build(tmp_path / "cache", req)
    assert again == venv and "building it again" in log and "1.15.0 is installed" in log
    assert installed(venv, "six") == "1.16.0"

    # ...or a package nobody pinned.
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "uninstall", "-q", "-y", "six"], check=True)
    again, log = build(tmp_path / "cache", req)
    assert "building it again" in log and installed(venv, "six") == "1.16.0"

    # Another pin is another venv; the first is left as it was.
    req.write_text("# import: six\nsix==1.15.0\n")
    other, _ = build(tmp_path / "cache", req)
    assert other != venv and installed(other, "six") == "1.15.0" and installed(venv, "six") == "1.16.0"


def test_an_unpinned_file_builds_nothing(tmp_path):
    req = tmp_path / "loose.txt"
    req.write_text("six>=1\n")
    env = {**os.environ, "BLENDER_MCP_CACHE": str(tmp_path / "cache")}
    out = subprocess.run([str(VENV_SH), "loose", str(req)], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 2 and "does not pin one version" in out.stderr
    assert not (tmp_path / "cache").exists()
