"""The original Blender MCP addon's protocol, I/O side (PROTOCOL.md section 10).

So that the original Python MCP server (``uvx blender-mcp``) can drive this
addon unchanged: bare JSON objects ``{"type": ..., "params": {...}}`` with no
length prefix, one answer ``{"status": "success", "result": ...}`` or
``{"status": "error", "message": ...}`` per command, in order. Objects are
cut out of the byte stream with a streaming JSON decoder, so an object split
across packets or several objects in one packet both work (the original
addon's ``json.loads`` of the whole buffer did neither reliably).

That protocol has no authentication, so it is served only when enabled and
only to loopback peers. The commands themselves run on the main thread, in
``legacy_commands``. Nothing here touches ``bpy``.
"""

import codecs
import ipaddress
import json
import logging

from .messages import Request

log = logging.getLogger("blender_mcp")

#: A framed connection starts with the high byte of a length (0x00 below
#: 16 MiB); an original-protocol connection starts with its JSON object.
FIRST_BYTE = b"{"

_WHITESPACE = " \t\r\n"


def is_loopback(sock):
    try:
        host = sock.getpeername()[0]
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except (OSError, ValueError):
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def request(job_id, command):
    """The main-thread request of one command (op ``legacy``)."""
    return Request(job_id, "legacy", command)


class _StreamDecoder:
    """Cuts complete top-level JSON objects out of a byte stream.

    A small scanner finds where each object ends (braces outside strings,
    escapes inside them), so a command is parsed once, when it is whole:
    deciding "incomplete or invalid?" from a JSON error message instead
    fails on an object cut inside a ``\\uXXXX`` escape.
    """

    def __init__(self, limit):
        self._bytes = codecs.getincrementaldecoder("utf-8")()
        self._text = ""
        self._limit = limit
        self._scanned = 0  # how much of _text the scanner has seen
        self._depth = 0
        self._in_string = False
        self._escaped = False

    def feed(self, data):
        """Returns the objects completed by ``data``; raises ValueError on bad input."""
        self._text += self._bytes.decode(data)  # UnicodeDecodeError is a ValueError
        values = []
        while True:
            if self._depth == 0 and not self._in_string:
                self._text = self._text[self._scanned :].lstrip(_WHITESPACE)
                self._scanned = 0
                if not self._text:
                    return values
                if self._text[0] != "{":
                    raise ValueError("invalid JSON: a command must be a JSON object")
            end = self._scan()
            if end is None:
                if len(self._text) > self._limit:
                    raise ValueError("a command longer than %d characters" % self._limit)
                return values
            try:
                values.append(json.loads(self._text[:end]))
            except json.JSONDecodeError as exc:
                raise ValueError("invalid JSON: %s" % exc) from None
            self._text, self._scanned = self._text[end:], 0

    def _scan(self):
        """The end of the object that starts ``_text``, or None if not there yet."""
        text = self._text
        for index in range(self._scanned, len(text)):
            char = text[index]
            if self._in_string:
                if self._escaped:
                    self._escaped = False
                elif char == "\\":
                    self._escaped = True
                elif char == '"':
                    self._in_string = False
            elif char == '"':
                self._in_string = True
            elif char in "{[":
                self._depth += 1
            elif char in "}]":
                self._depth -= 1
                if self._depth == 0:
                    self._scanned = 0
                    return index + 1
        self._scanned = len(text)
        return None


def serve(connection, first_data, limit):
    """Read commands until the peer closes; runs on the connection's reader.

    Malformed commands are answered through the main-thread queue like the
    others, so every answer leaves in the order its command arrived.
    """
    log.info("%s speaks the original Blender MCP protocol", connection.peer)
    decoder = _StreamDecoder(limit)
    next_id = 0
    data = first_data
    while data:
        try:
            values = decoder.feed(data)
            fatal = None
        except ValueError as exc:
            values, fatal = [], str(exc)
        for value in values:
            next_id += 1
            if not connection.submit_legacy(next_id, _command(value)):
                return
        if fatal is not None:
            # After bad JSON there is no telling where the next object starts.
            connection.submit_legacy(next_id + 1, {"error": fatal})
            return
        try:
            data = connection.recv()
        except OSError:
            return


def _command(value):
    """The params of the main-thread request for one decoded value."""
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        return {"error": 'a command is a JSON object {"type": <string>, "params": {...}}'}
    params = value.get("params")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        return {"error": "params must be an object"}
    return {"type": value["type"], "params": params}
