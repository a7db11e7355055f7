"""What every Python test suite of the project shares: where things are
(the repository, the server binary, the Python with pip's bpy), free
loopback ports, and a child process whose output is collected for
assertions.

Each suite's pytest.ini puts this folder on `pythonpath`, so no test edits
sys.path. Nothing here imitates a real part: it finds and runs them.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "blender-mcp-rs"


def server_binary() -> Path:
    """The server under test: $BLENDER_MCP_BIN, else the workspace's debug build."""
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    path = Path(os.environ.get("BLENDER_MCP_BIN", target / "debug" / "blender-mcp-rs"))
    if not path.exists():
        raise RuntimeError(f"{path} does not exist: run `cargo build -p blender-bridge` first (or set BLENDER_MCP_BIN)")
    return path


def blender_python() -> Path:
    """A Python with pip's bpy: $BLENDER_MCP_PYTHON, else the venv scripts/setup.sh links.

    Missing is an error, never a skip: a green run must mean real Blender ran.
    """
    path = Path(os.environ.get("BLENDER_MCP_PYTHON", CACHE / "venv" / "bin" / "python"))
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"no Python with bpy at {path}: run scripts/setup.sh --tests (or set BLENDER_MCP_PYTHON)")
    return path


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LoggedProcess:
    """A child process whose stdout and stderr are read on threads (so its
    pipes never fill) and kept, to wait for a line and to assert on."""

    def __init__(self, argv: list[str], env: dict[str, str] | None = None, keep_stdout: bool = True):
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if keep_stdout else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, "RUST_LOG": "info", **(env or {})},
        )
        self._lines: list[str] = []
        self._lock = threading.Lock()
        streams = [self.proc.stdout, self.proc.stderr] if keep_stdout else [self.proc.stderr]
        self._readers = [threading.Thread(target=self._pump, args=(s,), daemon=True) for s in streams]
        for reader in self._readers:
            reader.start()

    def _pump(self, stream):
        for raw in stream:
            with self._lock:
                self._lines.append(raw.decode(errors="replace"))

    @property
    def log(self) -> str:
        """Everything the process printed so far."""
        with self._lock:
            return "".join(self._lines)

    def wait_for(self, pattern: str, timeout: float = 60.0) -> re.Match:
        """The first match of `pattern` in the output; fails if the process
        exits or the time runs out first."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = regex.search(self.log)
            if match:
                return match
            if self.proc.poll() is not None:
                for reader in self._readers:
                    reader.join(timeout=2)
                match = regex.search(self.log)
                if match:
                    return match
                raise AssertionError(f"exited ({self.proc.returncode}) before printing {pattern!r}:\n{self.log}")
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {pattern!r}:\n{self.log}")

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM and its exit code; killed (and the timeout raised) if it
        does not exit within `timeout`."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
