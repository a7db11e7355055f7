"""Starts the real addon in a real headless Blender (pip's bpy), the way a
user runs it by hand: `python -m blender_mcp_addon`."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from harness import ROOT, blender_python


class AddonBlender:
    def __init__(self, env: dict[str, str] | None = None, port: int = 0):
        self._dir = tempfile.TemporaryDirectory(prefix="addon-")
        ready = Path(self._dir.name) / "ready.json"
        full_env = {**os.environ, "PYTHONPATH": str(ROOT / "addon"), **(env or {})}
        self.log = open(Path(self._dir.name) / "blender.log", "w")
        self.proc = subprocess.Popen(
            [str(blender_python()), "-m", "blender_mcp_addon", "--port", str(port), "--ready-file", str(ready)],
            env=full_env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while not ready.exists():
            if self.proc.poll() is not None:
                raise RuntimeError(f"addon exited with {self.proc.returncode}: {self.read_log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"addon not ready in 90 s: {self.read_log()}")
            time.sleep(0.05)
        info = json.loads(ready.read_text())
        self.port, self.pid = info["port"], info["pid"]

    def read_log(self) -> str:
        self.log.flush()
        return (Path(self._dir.name) / "blender.log").read_text()[-3000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(30)
        self.log.close()
        self._dir.cleanup()
