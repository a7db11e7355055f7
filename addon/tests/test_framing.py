"""Encoding, decoding and the request/reply rules, without Blender."""

import struct

import pytest
from blender_mcp_addon.framing import FrameDecoder, FrameError, encode_frame
from blender_mcp_addon.messages import MAX_ID, error_reply, ok_reply, parse_reply, parse_request

MESSAGES = [
    {"id": 1, "op": "ping", "params": {}},
    {"id": MAX_ID, "op": "exec", "params": {"code": "result = 'žluťoučký 🐍'", "args": {"x": [1, 2.5, None, True]}}},
    ok_reply(3, {"value": {"nested": [[], {}]}, "stdout": "a\nb", "stderr": ""}),
    error_reply(None, "frame_too_large", "too big", {"max_frame": 1, "length": 2}),
]


@pytest.mark.parametrize("message", MESSAGES)
def test_encode_decode_round_trip(message):
    frame = encode_frame(message)
    (length,) = struct.unpack(">I", frame[:4])
    assert length == len(frame) - 4
    decoder = FrameDecoder()
    assert list(decoder.messages(frame)) == [message]
    assert decoder.buffered == 0


def test_many_frames_in_one_chunk_and_a_partial_tail():
    frames = b"".join(encode_frame({"id": i, "op": "ping"}) for i in range(50))
    tail = encode_frame({"id": 99, "op": "ping"})
    decoder = FrameDecoder()
    assert [m["id"] for m in decoder.messages(frames + tail[:7])] == list(range(50))
    assert decoder.buffered == 7
    assert [m["id"] for m in decoder.messages(tail[7:])] == [99]


def test_encode_is_strict_about_nan_and_non_json():
    with pytest.raises(ValueError):
        encode_frame({"value": float("nan")})
    with pytest.raises(ValueError):
        encode_frame({"value": float("-inf")})
    with pytest.raises(TypeError):
        encode_frame({"value": object()})


def test_infinity_literals_are_bad_frames():
    for literal in (b"Infinity", b"-Infinity", b"NaN"):
        payload = b'{"id":1,"op":"ping","x":' + literal + b"}"
        with pytest.raises(FrameError) as caught:
            list(FrameDecoder().messages(struct.pack(">I", len(payload)) + payload))
        assert caught.value.code == "bad_frame"


def test_too_large_is_detected_from_the_prefix_alone():
    decoder = FrameDecoder(max_frame=100)
    decoder.feed(struct.pack(">I", 101))
    with pytest.raises(FrameError) as caught:
        decoder.next_message()
    assert caught.value.code == "frame_too_large"
    assert caught.value.details == {"max_frame": 100, "length": 101}


def test_decoder_is_poisoned_after_a_frame_error():
    decoder = FrameDecoder()
    decoder.feed(b"\x00\x00\x00\x00")
    with pytest.raises(FrameError):
        decoder.next_message()
    with pytest.raises(FrameError):
        decoder.feed(encode_frame({"id": 1, "op": "ping"}))


def test_deep_nesting_is_a_bad_frame_not_a_crash():
    payload = b"[" * 200000 + b"]" * 200000
    with pytest.raises(FrameError) as caught:
        list(FrameDecoder().messages(struct.pack(">I", len(payload)) + payload))
    assert caught.value.code == "bad_frame"


def test_unknown_fields_are_ignored_and_params_defaulted():
    request = parse_request({"id": 0, "op": "x", "trace": 1})
    assert request == (0, "x", {})


def test_reply_validation_rejects_malformed_replies():
    for bad in (
        {"id": 1, "ok": True},
        {"id": 1, "ok": False, "error": {"code": 1, "message": "m"}},
        {"id": -1, "ok": True, "result": 1},
    ):
        with pytest.raises(ValueError):
            parse_reply(bad)


def test_max_frame_must_fit_a_u32():
    with pytest.raises(ValueError):
        FrameDecoder(max_frame=2**32)
    with pytest.raises(ValueError):
        FrameDecoder(max_frame=0)
