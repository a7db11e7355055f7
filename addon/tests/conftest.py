"""Shared fixtures: real Blender hosts of the addon (pytest.ini puts the
addon package and this folder on the import path).

Tests that need Blender FAIL (never skip) when it is missing: a green run
must mean the addon was exercised against real Blender.
"""

import pytest
from blender_host import AddonProcess, blender_python

TOKEN = "test-token-0123456789abcdef-0123456789"


@pytest.fixture(scope="session")
def bpy_python():
    return str(blender_python())


@pytest.fixture(scope="session")
def addon(bpy_python, tmp_path_factory):
    """One module-mode addon for the whole session (starting bpy costs ~1 s).

    Started without shutdown and with a 1 MiB maximum frame, so that the
    frame limit and ``forbidden`` are testable without big payloads.
    """
    workdir = tmp_path_factory.mktemp("addon")
    token_file = workdir / "token"
    token_file.write_text(TOKEN + "\n")
    process = AddonProcess.start_module(
        bpy_python, workdir, ["--token-file", str(token_file), "--max-frame", str(1024 * 1024)]
    )
    process.token = TOKEN
    yield process
    process.kill()


@pytest.fixture
def client(addon):
    """An authenticated connection to the session addon."""
    connection = addon.connect()
    reply = connection.hello(addon.token)
    assert reply["ok"], reply
    yield connection
    connection.close()
