"""A `blender-mcp-rs` (or example) process serving HTTP, with its stderr
collected so tests can wait for the 'listening' line and read the log."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path


class HttpProcess:
    def __init__(self, argv: list[str], env: dict[str, str] | None = None, ready: str = r"listening on http://(\S+)"):
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "RUST_LOG": "info", **(env or {})},
        )
        self._lines: list[str] = []
        self._lock = threading.Lock()
        for stream in (self.proc.stdout, self.proc.stderr):
            threading.Thread(target=self._pump, args=(stream,), daemon=True).start()
        self.addr = self.wait_for(ready).group(1)

    def _pump(self, stream):
        for raw in stream:
            with self._lock:
                self._lines.append(raw.decode(errors="replace"))

    @property
    def log(self) -> str:
        with self._lock:
            return "".join(self._lines)

    def wait_for(self, pattern: str, timeout: float = 60.0) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.log)
            if match:
                return match
            if self.proc.poll() is not None:
                raise AssertionError(f"exited ({self.proc.returncode}) before printing {pattern!r}:\n{self.log}")
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {pattern!r}:\n{self.log}")

    def url(self, path: str) -> str:
        base = self.addr if "://" in self.addr else f"http://{self.addr}"
        return base.rstrip("/") + path

    def stop(self, timeout: float = 30.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()


def example_binary(name: str) -> Path:
    from harness import server_binary

    path = server_binary().parent / "examples" / name
    if not path.exists():
        raise RuntimeError(f"{path} does not exist: run `cargo build -p blender-bridge --examples` first")
    return path
