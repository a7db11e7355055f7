#!/usr/bin/env python3
"""Docker HEALTHCHECK: exit 0 only if the Blender bridge answers hello + ping.

Speaks the bridge protocol (docs/PROTOCOL.md): 4-byte big-endian length, JSON payload. The
token comes from $BLENDER_MCP_TOKEN, else the per-user token file the addon created. Standard
library only, so it runs with whatever python3 the image has. Never prints the token.
"""

import json
import os
import socket
import struct
import sys

PORT = int(os.environ.get("BLENDER_MCP_PORT") or 9876)
TIMEOUT = 4.0


def token():
    from_env = os.environ.get("BLENDER_MCP_TOKEN")
    if from_env:
        return from_env
    home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    with open(os.path.join(home, "blender-mcp-rs", "token"), encoding="utf-8") as handle:
        return handle.read().strip()


def send(sock, message):
    payload = json.dumps(message).encode("utf-8")
    sock.sendall(struct.pack(">I", len(payload)) + payload)


def receive(sock):
    def exactly(n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("connection closed by the bridge")
            data += chunk
        return data

    (length,) = struct.unpack(">I", exactly(4))
    if not 0 < length <= 1 << 20:
        raise ValueError("bad frame length %d" % length)
    return json.loads(exactly(length))


def main():
    try:
        with socket.create_connection(("127.0.0.1", PORT), timeout=TIMEOUT) as sock:
            send(sock, {"id": 1, "op": "hello", "params": {"protocol": 1, "token": token(), "client": "healthcheck"}})
            hello = receive(sock)
            if not hello.get("ok"):
                print("hello refused: %s" % hello.get("error", {}).get("code"))
                return 1
            send(sock, {"id": 2, "op": "ping"})
            ping = receive(sock)
            if not ping.get("ok"):
                print("ping failed: %s" % ping.get("error", {}).get("code"))
                return 1
            print("bridge ok: Blender %s (%s)" % (hello["result"].get("blender_version"), hello["result"].get("mode")))
            return 0
    except Exception as exc:  # any failure is "unhealthy"; say why in the health log
        print("bridge not answering: %s: %s" % (type(exc).__name__, exc))
        return 1


if __name__ == "__main__":
    sys.exit(main())
