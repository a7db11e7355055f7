"""A 16 MiB reply from a GUI Blender (Debian's 3.4 under Xvfb when there is
no display) reaches an MCP client intact: the path that streams large
replies to stdout in pieces (mcp-core's line writer) and gives back the
bridge's read buffer, driven end to end with the official SDK. Correctness
only; the time it takes is in docs/BENCHMARKS.md (scripts/bench.sh --gui)."""

import hashlib

import pytest
from harness import text_of
from test_tools_hosts import attached_server
from tools_helpers import ok

# Random bytes, base64-encoded in Blender: 16 MiB of text no compression or
# repetition could fake, with its digest taken on the Blender side.
BIG_REPLY = """
import base64, hashlib, os
data = base64.b64encode(os.urandom(args['n'] * 3 // 4)).decode()
result = {'data': data, 'sha256': hashlib.sha256(data.encode()).hexdigest()}
"""


@pytest.fixture(scope="module")
def gui_server(tmp_path_factory, logs_dir):
    with attached_server("gui", tmp_path_factory.mktemp("gui-large-reply"), logs_dir / "gui-large-reply.log") as srv:
        yield srv


@pytest.mark.parametrize("mib", [16, 4])
def test_a_large_gui_reply_arrives_intact(gui_server, mib):
    res = gui_server.call(
        "execute_blender_code",
        {"code": BIG_REPLY, "args": {"n": mib << 20}, "rollback_on_error": False, "confirm": True},
    )
    assert not res.is_error, text_of(res)[:500]
    value = res.structured_content["result"]
    assert len(value["data"]) == mib << 20
    assert hashlib.sha256(value["data"].encode()).hexdigest() == value["sha256"]
    # The text block mirrors the structured content, changes included.
    assert '"sha256":"%s"' % value["sha256"] in text_of(res)
    assert len(text_of(res)) > mib << 20


def test_the_gui_server_keeps_serving_after_large_replies(gui_server):
    assert ok(gui_server, "execute_blender_code", {"code": "result = bpy.app.background"})["result"] is False
    assert ok(gui_server, "get_scene_info", {})["objects"]
