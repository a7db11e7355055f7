"""Every shared vector of protocol/vectors.json through the addon's decoder."""

import json
from pathlib import Path

import pytest
from blender_mcp_addon.framing import FrameDecoder, FrameError
from blender_mcp_addon.messages import RequestError, parse_progress, parse_reply, parse_request

VECTORS_PATH = Path(__file__).resolve().parents[2] / "protocol" / "vectors.json"
VECTORS = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))


def _decode_one(data):
    decoder = FrameDecoder(VECTORS["max_frame"])
    decoder.feed(data)
    return decoder.next_message()


def check_vector(vector, data):
    expect = vector["expect"]
    if "frame_error" in expect:
        with pytest.raises(FrameError) as caught:
            _decode_one(data)
        assert caught.value.code == expect["frame_error"]
        return
    message = _decode_one(data)
    if expect.get("incomplete"):
        assert message is None
        return
    assert message is not None
    if "request" in expect:
        assert parse_request(message)._asdict() == expect["request"]
    elif "reply" in expect:
        assert parse_reply(message) == expect["reply"]
    elif "progress" in expect:
        assert parse_progress(message) == expect["progress"]
        with pytest.raises(ValueError):
            parse_reply(message)  # a progress frame is never mistaken for a reply
    elif "request_error" in expect:
        with pytest.raises(RequestError) as caught:
            parse_request(message)
        assert caught.value.code == expect["request_error"]["code"]
        assert caught.value.id == expect["request_error"]["id"]
    else:
        raise AssertionError("unknown expectation %r" % expect)


def test_vectors_file_is_protocol_1_and_not_empty():
    assert VECTORS["protocol"] == 1
    assert len(VECTORS["frames"]) >= 30
    kinds = {next(iter(v["expect"])) for v in VECTORS["frames"]}
    assert kinds == {"request", "reply", "progress", "frame_error", "request_error", "incomplete"}


@pytest.mark.parametrize("vector", VECTORS["frames"], ids=[v["name"] for v in VECTORS["frames"]])
def test_vector_whole(vector):
    check_vector(vector, bytes.fromhex(vector["hex"]))


@pytest.mark.parametrize("vector", VECTORS["frames"], ids=[v["name"] for v in VECTORS["frames"]])
def test_vector_byte_by_byte(vector):
    """Feeding one byte at a time must reach the same outcome."""
    data = bytes.fromhex(vector["hex"])
    expect = vector["expect"]
    decoder = FrameDecoder(VECTORS["max_frame"])
    outcome = None
    try:
        for index in range(len(data)):
            decoder.feed(data[index : index + 1])
            outcome = decoder.next_message()
            if outcome is not None:
                assert index == len(data) - 1, "message completed before its last byte"
    except FrameError as exc:
        assert expect.get("frame_error") == exc.code
        return
    assert "frame_error" not in expect, "the error went unnoticed"
    if expect.get("incomplete"):
        assert outcome is None
    else:
        assert outcome is not None
