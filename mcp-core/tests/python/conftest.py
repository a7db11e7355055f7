"""Harness for mcp-core's end-to-end tests: builds the `echo_server` example
with cargo and runs it as a real process that real MCP clients talk to."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from testkit import LoggedProcess

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


class ServerProcess(LoggedProcess):
    """A running echo_server; its stderr is the log tests wait on and assert on."""

    def __init__(self, binary: Path, args: list[str]):
        super().__init__([str(binary), *args], keep_stdout=False)
        self.addr: str | None = None

    def wait_listening(self) -> str:
        self.addr = self.wait_for(LISTENING.pattern, timeout=10.0).group(1)
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
        return super().stop(timeout)


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
