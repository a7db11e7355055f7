"""The original protocol's stream decoder alone (pure Python, no Blender)."""

import json

import pytest
from blender_mcp_addon.legacy import _StreamDecoder

COMMANDS = [
    {"type": "execute_code", "params": {"code": 'print("{not a brace} \\"quoted\\" \\\\ ✓")'}},
    {"type": "get_object_info", "params": {"name": "Cube ✓ [1]"}},
    {"type": "get_scene_info"},
]


@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_every_split_point_gives_the_same_objects(ensure_ascii):
    stream = b" \n".join(json.dumps(c, ensure_ascii=ensure_ascii).encode() for c in COMMANDS)
    for cut in range(len(stream) + 1):
        decoder = _StreamDecoder(1 << 20)
        values = decoder.feed(stream[:cut]) + decoder.feed(stream[cut:])
        assert values == COMMANDS, cut


def test_byte_by_byte():
    stream = b"".join(json.dumps(c).encode() for c in COMMANDS)
    decoder = _StreamDecoder(1 << 20)
    values = []
    for index in range(len(stream)):
        values += decoder.feed(stream[index : index + 1])
    assert values == COMMANDS


@pytest.mark.parametrize("bad", [b'{"type": nope}', b"[1, 2]", b"5", b'{"a": 1]', b"\xff{}"])
def test_invalid_input_raises(bad):
    with pytest.raises(ValueError):
        _StreamDecoder(1 << 20).feed(bad)


def test_an_object_beyond_the_limit_raises_instead_of_buffering_forever():
    decoder = _StreamDecoder(100)
    with pytest.raises(ValueError):
        decoder.feed(b'{"type": "' + b"x" * 200)
