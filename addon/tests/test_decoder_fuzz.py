"""Property tests of the incremental decoder (hypothesis)."""

import struct

from blender_mcp_addon.framing import FrameDecoder, FrameError, encode_frame
from blender_mcp_addon.messages import RequestError, parse_request
from hypothesis import given, settings
from hypothesis import strategies as st

MAX_FRAME = 4096

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20,
)
messages = st.dictionaries(st.text(max_size=10), json_values, max_size=6)


def split(data, cuts):
    points = sorted({c % (len(data) + 1) for c in cuts})
    chunks, start = [], 0
    for point in points + [len(data)]:
        chunks.append(data[start:point])
        start = point
    return chunks


def run_decoder(chunks):
    """Decode chunk by chunk; returns (messages, error code or None)."""
    decoder = FrameDecoder(MAX_FRAME)
    decoded = []
    try:
        for chunk in chunks:
            decoded.extend(decoder.messages(chunk))
    except FrameError as exc:
        assert exc.code in ("bad_frame", "frame_too_large")
        return decoded, exc.code
    return decoded, None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600), st.lists(st.integers(0, 10_000), max_size=8))
def test_random_bytes_only_raise_defined_errors(data, cuts):
    decoded, _ = run_decoder(split(data, cuts))
    for message in decoded:
        assert isinstance(message, dict)
        try:
            parse_request(message)
        except RequestError as exc:
            assert exc.code == "bad_request"


@settings(max_examples=200, deadline=None)
@given(st.lists(messages, min_size=1, max_size=5), st.lists(st.integers(0, 100_000), max_size=12))
def test_valid_frames_decode_identically_under_any_chunking(batch, cuts):
    data = b"".join(encode_frame(m) for m in batch)
    whole, error = run_decoder([data])
    assert error is None and whole == batch
    chunked, error = run_decoder(split(data, cuts))
    assert error is None and chunked == batch


@settings(max_examples=150, deadline=None)
@given(
    st.lists(messages, min_size=1, max_size=3),
    st.binary(min_size=1, max_size=64),
    st.lists(st.integers(0, 10_000), max_size=6),
)
def test_garbage_after_valid_frames_never_loses_them(batch, garbage, cuts):
    data = b"".join(encode_frame(m) for m in batch)
    decoded, _ = run_decoder(split(data + garbage, cuts))
    assert decoded[: len(batch)] == batch


@settings(deadline=None)
@given(st.integers(MAX_FRAME + 1, 2**32 - 1))
def test_any_oversized_prefix_is_rejected_before_its_payload(length):
    decoded, error = run_decoder([struct.pack(">I", length)])
    assert decoded == [] and error == "frame_too_large"
