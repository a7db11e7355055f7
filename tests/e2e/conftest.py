import socket
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from harness import McpServer, blender_python  # noqa: E402


def free_port() -> int:
    """A loopback port nothing listens on (so the server must launch Blender)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def logs_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="session")
def server(logs_dir):
    """One server for the session, which launches its own headless Blender
    because nothing answers at the port it is pointed at."""
    srv = McpServer(
        args=["--port", str(free_port())],
        env={"BLENDER_MCP_BLENDER": str(blender_python())},
        stderr_path=logs_dir / "server.log",
    )
    yield srv
    srv.close()
