"""A deliberately independent protocol client for the tests.

It frames with ``struct`` and ``json`` directly instead of the addon's own
framing module, so an encoder bug cannot hide behind the same bug in the
decoder.
"""

import json
import socket
import struct
import threading


class RawClient:
    def __init__(self, port, host="127.0.0.1", timeout=60.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self._buffer = b""
        self._next_id = 1000
        self._id_lock = threading.Lock()

    def next_id(self):
        with self._id_lock:
            self._next_id += 1
            return self._next_id

    def send(self, message):
        payload = json.dumps(message).encode("utf-8")
        self.sock.sendall(struct.pack(">I", len(payload)) + payload)

    def send_raw(self, data):
        self.sock.sendall(data)

    def recv(self):
        """The next reply as a dict, or None when the addon closed the connection."""
        while True:
            if len(self._buffer) >= 4:
                (length,) = struct.unpack(">I", self._buffer[:4])
                if len(self._buffer) >= 4 + length:
                    payload = self._buffer[4 : 4 + length]
                    self._buffer = self._buffer[4 + length :]
                    return json.loads(payload)
            try:
                data = self.sock.recv(1 << 20)
            except ConnectionResetError:
                data = b""
            if not data:
                assert not self._buffer, "connection closed inside a frame"
                return None
            self._buffer += data

    def request(self, op, params=None, request_id=None):
        request_id = self.next_id() if request_id is None else request_id
        message = {"id": request_id, "op": op}
        if params is not None:
            message["params"] = params
        self.send(message)
        reply = self.recv()
        assert reply is not None, "connection closed instead of replying to %s" % op
        assert reply["id"] == request_id, reply
        return reply

    def hello(self, token, protocol=1):
        params = {"protocol": protocol, "client": "pytest"}
        if token is not None:
            params["token"] = token
        return self.request("hello", params)

    def exec(self, code=None, snippet=None, args=None):
        params = {}
        if code is not None:
            params["code"] = code
        if snippet is not None:
            params["snippet"] = snippet
        if args is not None:
            params["args"] = args
        return self.request("exec", params)

    def exec_params(self, params):
        """An exec with any params (timeout, progress, ...)."""
        return self.request("exec", params)

    def value(self, code, args=None):
        """Run code and return its value; fails the test on any error reply."""
        reply = self.exec(code, args=args)
        assert reply["ok"], reply
        return reply["result"]["value"]

    def is_closed(self):
        """True when the addon has closed the connection (after any replies)."""
        return self.recv() is None

    def close(self):
        self.sock.close()
