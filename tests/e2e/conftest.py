from pathlib import Path

import pytest
from harness import McpServer, blender_python
from testkit import free_port  # also imported from here by the tests


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


@pytest.fixture(scope="session")
def tool_dirs(tmp_path_factory) -> dict:
    """The directories the typed-tools server is confined to: `out` (its
    --output-dir) and `assets` (an --allow-root), plus `outside`, which
    neither covers."""
    base = tmp_path_factory.mktemp("tools")
    dirs = {name: base / name for name in ("out", "assets", "outside")}
    for path in dirs.values():
        path.mkdir()
    return dirs


@pytest.fixture(scope="session")
def tools_server(logs_dir, tool_dirs):
    """A server with file confinement pointed at temporary directories, for
    the typed tools (tests/e2e/test_tools_*.py). Its own headless Blender."""
    srv = McpServer(
        args=[
            "--port",
            str(free_port()),
            "--output-dir",
            str(tool_dirs["out"]),
            "--allow-root",
            str(tool_dirs["assets"]),
        ],
        env={"BLENDER_MCP_BLENDER": str(blender_python())},
        stderr_path=logs_dir / "tools-server.log",
    )
    yield srv
    srv.close()
