"""The original Blender MCP protocol against real Blender (PROTOCOL.md 10):
bare JSON commands on a raw socket, as the original MCP server sends them."""

import json
import socket
import struct
import time

import pytest
from blender_host import AddonProcess

TOKEN = "legacy-test-token-0123456789abcdef"


@pytest.fixture(scope="module")
def legacy_addon(bpy_python, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("legacy")
    token_file = workdir / "token"
    token_file.write_text(TOKEN + "\n")
    process = AddonProcess.start_module(bpy_python, workdir, ["--token-file", str(token_file), "--legacy-protocol"])
    process.token = TOKEN
    yield process
    process.kill()


class LegacyClient:
    """Reads answers the way the original server does: bare JSON, no prefix."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self._text = ""
        self._decoder = json.JSONDecoder()

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else json.dumps(data).encode())

    def recv(self):
        """The next answer object, or None once the addon closed the connection."""
        while True:
            text = self._text.lstrip()
            if text:
                try:
                    value, end = self._decoder.raw_decode(text)
                    self._text = text[end:]
                    return value
                except json.JSONDecodeError:
                    pass
            data = self.sock.recv(65536)
            if not data:
                return None
            self._text += data.decode("utf-8")

    def command(self, kind, **params):
        self.send({"type": kind, "params": params})
        answer = self.recv()
        assert answer is not None, "connection closed instead of answering %s" % kind
        return answer

    def close(self):
        self.sock.close()


@pytest.fixture
def legacy(legacy_addon):
    client = LegacyClient(legacy_addon.port)
    yield client
    client.close()


def test_the_legacy_addon_logs_a_warning_that_it_has_no_authentication(legacy_addon, legacy):
    legacy.command("get_scene_info")
    assert "no authentication" in legacy_addon.output()


def test_get_scene_info_has_the_original_shape(legacy):
    answer = legacy.command("get_scene_info")
    assert answer["status"] == "success"
    result = answer["result"]
    assert set(result) == {"name", "object_count", "objects", "materials_count"}
    assert result["object_count"] >= 1
    names = [obj["name"] for obj in result["objects"]]
    assert "Cube" in names
    cube = next(obj for obj in result["objects"] if obj["name"] == "Cube")
    assert cube["type"] == "MESH" and cube["location"] == [0.0, 0.0, 0.0]


def test_get_object_info_and_a_missing_object(legacy):
    answer = legacy.command("get_object_info", name="Cube")
    assert answer["status"] == "success"
    cube = answer["result"]
    assert cube["name"] == "Cube" and cube["type"] == "MESH"
    assert cube["mesh"] == {"vertices": 8, "edges": 12, "polygons": 6}
    assert cube["world_bounding_box"] == [[-1.0, -1.0, -1.0], [1.0, 1.0, 1.0]]
    assert cube["scale"] == [1.0, 1.0, 1.0] and cube["visible"] is True
    missing = legacy.command("get_object_info", name="NoSuchThing")
    assert missing == {"status": "error", "message": "Object not found: NoSuchThing"}


def test_execute_code_returns_printed_output_and_errors_as_status_error(legacy):
    answer = legacy.command("execute_code", code="import bpy\nprint(len(bpy.data.objects) > 0)")
    assert answer == {"status": "success", "result": {"executed": True, "result": "True\n"}}
    failed = legacy.command("execute_code", code="1 / 0")
    assert failed["status"] == "error"
    assert failed["message"] == "Code execution error: division by zero"
    exited = legacy.command("execute_code", code="raise SystemExit(3)")
    assert exited["status"] == "error"
    assert legacy.command("execute_code", code="print('alive')")["result"]["result"] == "alive\n"


def test_get_viewport_screenshot_writes_the_file_at_filepath(legacy, tmp_path):
    path = tmp_path / "shot.png"
    answer = legacy.command("get_viewport_screenshot", max_size=64, filepath=str(path), format="png")
    assert answer["status"] == "success", answer
    result = answer["result"]
    assert result["success"] is True and result["filepath"] == str(path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (result["width"], result["height"])
    assert max(width, height) == 64
    no_path = legacy.command("get_viewport_screenshot", max_size=64)
    assert no_path == {"status": "success", "result": {"error": "No filepath provided"}}


def test_an_object_split_across_packets_is_reassembled(legacy):
    data = json.dumps({"type": "execute_code", "params": {"code": "print('split ✓')"}}).encode()
    for start in range(0, len(data), 7):
        legacy.send(data[start : start + 7])
        time.sleep(0.01)
    assert legacy.recv() == {"status": "success", "result": {"executed": True, "result": "split ✓\n"}}


def test_two_commands_in_one_packet_get_two_answers_in_order(legacy):
    first = json.dumps({"type": "execute_code", "params": {"code": "print(1)"}})
    second = json.dumps({"type": "execute_code", "params": {"code": "print(2)"}})
    legacy.send((first + second).encode())
    assert legacy.recv()["result"]["result"] == "1\n"
    assert legacy.recv()["result"]["result"] == "2\n"


def test_unknown_commands_and_bad_params_are_errors_and_the_connection_stays(legacy):
    assert legacy.command("frobnicate") == {"status": "error", "message": "Unknown command type: frobnicate"}
    bad = legacy.command("get_object_info", nonsense=1)
    assert bad["status"] == "error"
    legacy.send({"type": 5})
    assert legacy.recv()["status"] == "error"
    assert legacy.command("get_scene_info")["status"] == "success"


def test_invalid_json_is_answered_then_the_connection_closes(legacy):
    legacy.send(b'{"type": nope}')
    answer = legacy.recv()
    assert answer["status"] == "error" and "invalid JSON" in answer["message"]
    assert legacy.recv() is None


def test_the_framed_protocol_still_works_next_to_it(legacy_addon):
    client = legacy_addon.connect()
    assert client.hello(legacy_addon.token)["ok"]
    assert client.value("2 + 2") == 4
    client.close()


def test_not_enabled_by_default_a_legacy_command_gets_no_legacy_answer(addon):
    client = LegacyClient(addon.port)
    client.send({"type": "execute_code", "params": {"code": "print('should not run')"}})
    # The framed decoder reads "{" as the high byte of a huge length: it sends
    # one framed frame_too_large error and closes; nothing ever runs.
    data = b""
    while True:
        chunk = client.sock.recv(65536)
        if not chunk:
            break
        data += chunk
    (length,) = struct.unpack(">I", data[:4])
    error = json.loads(data[4 : 4 + length])
    assert error["id"] is None and error["error"]["code"] == "frame_too_large"
    assert b'"status"' not in data
    client.close()
    assert "which is not enabled" in addon.output()
