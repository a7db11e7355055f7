"""A Blender executable (Debian's 3.4 by default) serving the real addon
(addon/keep_alive.py) in background mode or as a GUI under Xvfb: shared by
the host tests and scripts/bench_gui.py, which need the same start and stop.

Needs a `blender` executable ($BLENDER_MCP_EXE, else `blender` on PATH) and,
without a display, `xvfb-run`."""

import json
import os
import secrets
import shutil
import signal
import subprocess
import time
from pathlib import Path

from harness import ROOT


def blender_exe() -> str:
    exe = os.environ.get("BLENDER_MCP_EXE") or shutil.which("blender")
    if not exe:
        raise RuntimeError(
            "no Blender executable: install one (Debian: apt-get install blender) or set BLENDER_MCP_EXE"
        )
    return exe


class ExeBlender:
    """A Blender executable serving the addon, in its own process group."""

    def __init__(self, mode: str, workdir: Path, extra: tuple[str, ...] = ()):
        token = workdir / "token"
        token.write_text(secrets.token_hex(24))
        ready = workdir / "ready.json"
        cmd = [
            blender_exe(),
            "--factory-startup",
            *extra,
            "--python",
            str(ROOT / "addon" / "keep_alive.py"),
            "--",
            "--port",
            "0",
            "--token-file",
            str(token),
            "--ready-file",
            str(ready),
        ]
        if mode == "background":
            cmd.insert(1, "-b")
        elif not os.environ.get("DISPLAY"):
            xvfb = shutil.which("xvfb-run")
            if not xvfb:
                raise RuntimeError("no display and no xvfb-run: install xvfb (Debian: apt-get install xvfb)")
            cmd = [xvfb, "-a"] + cmd
        self.log_path = workdir / "blender.log"
        self.proc = subprocess.Popen(
            cmd, stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 120
        while not ready.exists() or not ready.read_text().strip():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Blender ({mode}) did not start: {self.log_path.read_text()[-2000:]}")
            time.sleep(0.1)
        self.port = json.loads(ready.read_text())["port"]
        self.token_file = token

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(20)
