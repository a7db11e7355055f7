from pathlib import Path

import pytest
from support import StdioServer, launching_args


@pytest.fixture(scope="session")
def logs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("logs")


@pytest.fixture
def launched(logs, request):
    """A stdio server that launched its own headless Blender (short request timeout)."""
    server = StdioServer(launching_args("--request-timeout", "20"), logs / f"{request.node.name}.log")
    server.initialize()
    yield server
    server.close()


@pytest.fixture(scope="module")
def shared(logs, request):
    """One launching stdio server for a whole test module (for tests that leave Blender running)."""
    server = StdioServer(launching_args("--request-timeout", "20"), logs / f"{request.module.__name__}.log")
    server.initialize()
    yield server
    server.close()
