"""A minimal raw-HTTP client for the legacy SSE transport, for checks the SDK
client hides (the endpoint event, keep-alive comments, disconnects)."""

from __future__ import annotations

import http.client
import json


class RawSse:
    def __init__(self, host: str, port: int, path: str = "/sse", headers=None, timeout=10.0):
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)
        self.conn.request("GET", path, headers={"Accept": "text/event-stream", **(headers or {})})
        self.response = self.conn.getresponse()
        self.status = self.response.status

    def read_line(self) -> str:
        return self.response.fp.readline().decode()

    def next_event(self) -> tuple[str, str, list[str]]:
        """(event name, data, comment lines seen before it)."""
        name, data, comments = "message", [], []
        while True:
            line = self.read_line()
            if line == "":
                raise EOFError("SSE stream closed")
            line = line.rstrip("\r\n")
            if line == "":
                if data:
                    return name, "\n".join(data), comments
                continue
            if line.startswith(":"):
                comments.append(line)
            elif line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))

    def next_message(self) -> dict:
        while True:
            name, data, _ = self.next_event()
            if name == "message":
                return json.loads(data)

    def close(self):
        self.conn.close()


def post(host: str, port: int, path: str, body: bytes, headers=None):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("POST", path, body=body, headers={"Content-Type": "application/json", **(headers or {})})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response, data
