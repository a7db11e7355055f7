"""Starting real Blender hosts of the addon for integration tests."""

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from raw_client import RawClient
from testkit import blender_python  # noqa: F401  (re-exported to conftest)

ADDON_DIR = Path(__file__).resolve().parents[1]
START_TIMEOUT = 120.0


def gui_tests_enabled():
    """Blender-binary tests (Debian's blender, Xvfb) run only when asked."""
    return os.environ.get("BLENDER_MCP_GUI_TESTS") == "1"


def clean_env(**extra):
    """The test's environment without any BLENDER_MCP_* setting of the user."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLENDER_MCP_")}
    env["PYTHONPATH"] = str(ADDON_DIR)
    env.update(extra)
    return env


class AddonProcess:
    """A Blender process serving the bridge, started and awaited for real."""

    def __init__(self, proc, workdir, ready_file, stdout_path, stderr_path):
        self.proc = proc
        self.workdir = Path(workdir)
        self.stdout_path = stdout_path
        self.stderr_path = stderr_path
        self.ready = self._wait_ready(ready_file)
        self.port = self.ready["port"]
        self.token = None

    @classmethod
    def start(cls, argv, workdir, env=None, new_session=False):
        workdir = Path(workdir)
        ready_file = workdir / "ready.json"
        stdout_path, stderr_path = workdir / "stdout.txt", workdir / "stderr.txt"
        with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
            proc = subprocess.Popen(
                argv + ["--ready-file", str(ready_file)],
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                env=clean_env() if env is None else env,
                cwd=str(workdir),
                start_new_session=new_session,
            )
        return cls(proc, workdir, ready_file, stdout_path, stderr_path)

    @classmethod
    def start_module(cls, python, workdir, args, env=None):
        return cls.start([python, "-m", "blender_mcp_addon", "--port", "0"] + args, workdir, env)

    def _wait_ready(self, ready_file):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if ready_file.exists():
                return json.loads(ready_file.read_text())
            if self.proc.poll() is not None:
                pytest.fail("addon exited with %s before it was ready:\n%s" % (self.proc.returncode, self.output()))
            time.sleep(0.02)
        self.kill()
        pytest.fail("addon not ready after %d s:\n%s" % (START_TIMEOUT, self.output()))

    def output(self):
        return Path(self.stdout_path).read_text(errors="replace") + Path(self.stderr_path).read_text(errors="replace")

    def connect(self):
        return RawClient(self.port)

    def wait(self, timeout):
        return self.proc.wait(timeout)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)
