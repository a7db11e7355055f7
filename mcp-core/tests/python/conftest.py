"""Harness for mcp-core's end-to-end tests: builds the `echo_server` example
with cargo and runs it as a real process that real MCP clients talk to."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
LISTENING = re.compile(r"listening on http://(\S+)")


@pytest.fixture(scope="session")
def anyio_backend():
    return "asyncio"


def _build_example(profile_args: list[str]) -> Path:
    out = subprocess.run(
        ["cargo", "build", "-p", "mcp-core", "--example", "echo_server", "--message-format=json", *profile_args],
        cwd=REPO_ROOT,
        check=True,
        stdout=subprocess.PIPE,
    ).stdout.decode()
    for line in out.splitlines():
        msg = json.loads(line)
        if (
            msg.get("reason") == "compiler-artifact"
            and msg["target"]["name"] == "echo_server"
            and msg.get("executable")
        ):
            return Path(msg["executable"])
    raise RuntimeError("cargo did not report the echo_server executable")


@pytest.fixture(scope="session")
def echo_bin() -> Path:
    return _build_example([])


class ServerProcess:
    """A running echo_server; stderr is collected on a thread so the pipe
    never fills up, and exposed for assertions on what was logged."""

    def __init__(self, binary: Path, args: list[str]):
        self.proc = subprocess.Popen(
            [str(binary), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, "RUST_LOG": "info"},
        )
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()
        self.addr: str | None = None

    def _pump(self):
        for raw in self.proc.stderr:
            with self._lock:
                self.lines.append(raw.decode(errors="replace"))

    @property
    def stderr(self) -> str:
        with self._lock:
            return "".join(self.lines)

    def wait_for_log(self, pattern: str, timeout: float = 10.0) -> re.Match:
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while time.monotonic() < deadline:
            match = regex.search(self.stderr)
            if match:
                return match
            if self.proc.poll() is not None:
                self._reader.join(timeout=2)
                match = regex.search(self.stderr)
                if match:
                    return match
                raise AssertionError(
                    f"server exited ({self.proc.returncode}) before logging {pattern!r}:\n{self.stderr}"
                )
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {pattern!r} in server log:\n{self.stderr}")

    def wait_listening(self) -> str:
        self.addr = self.wait_for_log(LISTENING.pattern).group(1)
        return self.addr

    @property
    def host(self) -> str:
        return self.addr.rsplit(":", 1)[0]

    @property
    def port(self) -> int:
        return int(self.addr.rsplit(":", 1)[1])

    def url(self, path: str) -> str:
        return f"http://{self.addr}{path}"

    def stop(self, timeout: float = 15.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self._reader.join(timeout=2)


@pytest.fixture
def start_server(echo_bin):
    """Factory: start_server(*args) -> ServerProcess (stopped at teardown)."""
    started: list[ServerProcess] = []

    def start(*args: str, wait: bool = True) -> ServerProcess:
        server = ServerProcess(echo_bin, list(args))
        started.append(server)
        if wait:
            server.wait_listening()
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def token_file(tmp_path) -> tuple[Path, str]:
    token = "test-token-" + os.urandom(8).hex()
    path = tmp_path / "token"
    path.write_text(token + "\n")
    path.chmod(0o600)
    return path, token
