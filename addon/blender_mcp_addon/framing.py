"""Length-prefixed frames of strict JSON objects (PROTOCOL.md section 2).

Pure Python, no ``bpy``: the same code is exercised by the unit tests, the
fuzz test and the running addon, so what the vectors prove is what ships.
"""

import json
import struct

#: The default maximum payload size on both sides: 64 MiB.
DEFAULT_MAX_FRAME = 64 * 1024 * 1024

#: A length prefix is a u32, so no frame can ever be larger than this.
ABSOLUTE_MAX_FRAME = 0xFFFFFFFF

_PREFIX = struct.Struct(">I")
PREFIX_SIZE = _PREFIX.size


class FrameError(Exception):
    """A fatal framing error: the connection cannot be trusted any more.

    ``code`` is ``bad_frame`` or ``frame_too_large``; ``details`` goes into the
    error reply unchanged.
    """

    def __init__(self, code, message, details=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


def _reject_constant(name):
    # Python's json accepts NaN/Infinity by default; the protocol does not.
    raise ValueError("%s is not valid JSON" % name)


_STRICT_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
#: What ``json.dumps(..., ensure_ascii=False, allow_nan=False, separators=...)``
#: would build anew for every frame; built once, it encodes the same bytes.
_STRICT_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def decode_payload(payload):
    """Turn one payload into a dict, or raise ``FrameError(bad_frame)``."""
    try:
        text = bytes(payload).decode("utf-8")
    except UnicodeDecodeError:
        raise FrameError("bad_frame", "frame payload is not valid UTF-8") from None
    try:
        value = _STRICT_DECODER.decode(text)
    except (ValueError, RecursionError) as exc:
        # RecursionError: deeply nested arrays must not escape as a crash.
        raise FrameError("bad_frame", "frame payload is not JSON: %s" % _short(exc)) from None
    if not isinstance(value, dict):
        raise FrameError(
            "bad_frame",
            "frame payload is JSON %s, not an object" % type(value).__name__,
        )
    return value


def check_json(value):
    """Raise ``TypeError``/``ValueError`` unless ``value`` is strict JSON.

    None and ``{}``, what the steps of every writer call answer, pass without
    an encoder run (which builds a C encoder object each time).
    """
    if value is None or (type(value) is dict and not value):
        return
    _STRICT_ENCODER.encode(value)


def encode_frame(message):
    """Serialise ``message`` strictly (no NaN, no Infinity) into one frame.

    Raises ``TypeError``/``ValueError`` when ``message`` is not JSON; the
    executor relies on that to report ``result_not_json``.
    """
    payload = _STRICT_ENCODER.encode(message).encode("utf-8")
    if len(payload) > ABSOLUTE_MAX_FRAME:
        raise ValueError("payload of %d bytes does not fit a u32 length prefix" % len(payload))
    return _PREFIX.pack(len(payload)) + payload


class FrameDecoder:
    """Incremental decoder: feed it bytes as they arrive, take messages out.

    The length prefix is checked against ``max_frame`` as soon as its four
    bytes are in, so a hostile prefix never makes us buffer (or allocate)
    the announced payload. After a ``FrameError`` the decoder is poisoned:
    the stream has lost synchronisation and must be closed.
    """

    def __init__(self, max_frame=DEFAULT_MAX_FRAME):
        if not 1 <= max_frame <= ABSOLUTE_MAX_FRAME:
            raise ValueError("max_frame must be between 1 and 2^32-1, got %r" % (max_frame,))
        self.max_frame = max_frame
        self._buffer = bytearray()
        self._error = None

    def feed(self, data):
        if self._error is not None:
            raise self._error
        self._buffer += data

    def next_message(self):
        """Return the next decoded object, or ``None`` if more bytes are needed."""
        if self._error is not None:
            raise self._error
        buffer = self._buffer
        if len(buffer) < PREFIX_SIZE:
            return None
        (length,) = _PREFIX.unpack_from(buffer)
        try:
            if length == 0:
                raise FrameError("bad_frame", "frame of length 0")
            if length > self.max_frame:
                raise FrameError(
                    "frame_too_large",
                    "frame of %d bytes exceeds the maximum of %d" % (length, self.max_frame),
                    {"max_frame": self.max_frame, "length": length},
                )
            end = PREFIX_SIZE + length
            if len(buffer) < end:
                return None
            payload = bytes(buffer[PREFIX_SIZE:end])
            del buffer[:end]
            return decode_payload(payload)
        except FrameError as exc:
            self._error = exc
            self._buffer = bytearray()
            raise

    def messages(self, data=b""):
        """Feed ``data`` and yield every complete message now available."""
        if data:
            self.feed(data)
        while True:
            message = self.next_message()
            if message is None:
                return
            yield message

    @property
    def buffered(self):
        """Bytes received but not yet consumed (a partial frame)."""
        return len(self._buffer)


def _short(exc, limit=200):
    text = str(exc)
    return text if len(text) <= limit else text[:limit] + "..."
