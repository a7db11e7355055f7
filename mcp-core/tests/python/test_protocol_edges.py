"""Protocol edges over raw HTTP and stdio: refusals as JSON-RPC errors, the
2026-07-28 removed `initialize`, list cursors, bounded sessions, and event ids
on the standalone GET stream."""

from __future__ import annotations

import http.client
import json
import subprocess
import time

import pytest

MCP_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
}
STATELESS_META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"},
    "io.modelcontextprotocol/clientCapabilities": {},
}


def exchange(conn, method, path, body=None, headers=None):
    """(status, headers, body) of one request on a kept-alive connection."""
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    conn.request(method, path, body=body, headers={**MCP_HEADERS, **(headers or {})})
    response = conn.getresponse()
    return response.status, dict(response.getheaders()), response.read()


def connect(server):
    return http.client.HTTPConnection(server.host, server.port, timeout=10)


def one_request(server, method, path, body=None, headers=None):
    conn = connect(server)
    try:
        return exchange(conn, method, path, body, headers)
    finally:
        conn.close()


def jsonrpc(headers, data):
    """The JSON-RPC message of a JSON or SSE response body."""
    if headers.get("Content-Type", headers.get("content-type", "")).startswith("text/event-stream"):
        payloads = [line[5:].strip() for line in data.decode().splitlines() if line.startswith("data:")]
        return json.loads([p for p in payloads if p][-1])
    return json.loads(data)


def open_session(conn) -> str:
    status, headers, data = exchange(conn, "POST", "/mcp", INIT)
    assert status == 200, data
    session = {k.lower(): v for k, v in headers.items()}["mcp-session-id"]
    status, _, _ = exchange(
        conn,
        "POST",
        "/mcp",
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25"},
    )
    assert status == 202
    return session


def session_request(conn, session, method, params=None, request_id=2):
    body = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params or {}}
    headers = {"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25"}
    return exchange(conn, "POST", "/mcp", body, headers)


def assert_jsonrpc_error(status, headers, data, expected_status):
    assert status == expected_status, (status, data)
    content_type = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
    assert content_type.startswith("application/json"), (content_type, data)
    message = json.loads(data)
    assert message["jsonrpc"] == "2.0", message
    assert isinstance(message["error"]["code"], int), message
    assert message["error"]["message"], message
    return message["error"]


REFUSALS = {
    "bad Host": (lambda s: one_request(s, "POST", "/mcp", INIT, {"Host": "evil.example"}), 403),
    "bad Origin": (lambda s: one_request(s, "POST", "/mcp", INIT, {"Origin": "https://evil.example"}), 403),
    "wrong content type": (lambda s: one_request(s, "POST", "/mcp", INIT, {"Content-Type": "text/plain"}), 415),
    "no event-stream in Accept": (lambda s: one_request(s, "POST", "/mcp", INIT, {"Accept": "application/json"}), 406),
    "body too large": (lambda s: one_request(s, "POST", "/mcp", b"{" + b" " * 5000 + b"}"), 413),
    "unknown session": (
        lambda s: one_request(
            s,
            "POST",
            "/mcp",
            {"jsonrpc": "2.0", "id": 3, "method": "tools/list"},
            {"Mcp-Session-Id": "no-such-session", "MCP-Protocol-Version": "2025-11-25"},
        ),
        404,
    ),
    "GET without session": (lambda s: one_request(s, "GET", "/mcp", headers={"Accept": "text/event-stream"}), 400),
    "bad JSON": (lambda s: one_request(s, "POST", "/mcp", b"{not json"), 400),
    "unknown legacy session": (lambda s: one_request(s, "POST", "/messages?sessionId=nope", INIT), 404),
    "unknown path": (lambda s: one_request(s, "GET", "/nowhere"), 404),
    "method not allowed": (lambda s: one_request(s, "PUT", "/mcp", INIT), 405),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_every_refusal_is_a_jsonrpc_error_with_its_status(start_server, case):
    server = start_server("--transport", "all", "--bind", "127.0.0.1:0", "--max-body-bytes", "4096")
    send, status = REFUSALS[case]
    error = assert_jsonrpc_error(*send(server), status)
    if case == "unknown session":
        assert error["code"] == -32001
    if case == "bad JSON":
        assert error["code"] == -32700
    # The server keeps serving.
    status, _, data = one_request(server, "POST", "/mcp", INIT)
    assert status == 200, data


def test_bad_token_is_a_jsonrpc_error(start_server, token_file):
    path, token = token_file
    server = start_server("--transport", "http", "--bind", "127.0.0.1:0", "--token-file", str(path))
    status, headers, data = one_request(server, "POST", "/mcp", INIT, {"Authorization": "Bearer wrong"})
    assert_jsonrpc_error(status, headers, data, 401)
    assert {k.lower(): v for k, v in headers.items()}["www-authenticate"].startswith("Bearer")
    status, _, _ = one_request(server, "POST", "/mcp", INIT, {"Authorization": f"Bearer {token}"})
    assert status == 200


def test_stateless_initialize_is_a_removed_method(start_server):
    server = start_server("--transport", "http", "--bind", "127.0.0.1:0")
    body = {"jsonrpc": "2.0", "id": 500, "method": "initialize", "params": {"_meta": STATELESS_META}}
    status, headers, data = one_request(server, "POST", "/mcp", body, {"MCP-Protocol-Version": "2026-07-28"})
    error = assert_jsonrpc_error(status, headers, data, 404)
    assert error["code"] == -32601
    assert "initialize" in error["message"]
    assert json.loads(data)["id"] == 500
    # A 2025-11-25 client still opens its session with initialize.
    status, _, data = one_request(server, "POST", "/mcp", INIT)
    assert status == 200, data


@pytest.mark.parametrize("method", ["tools/list", "prompts/list", "resources/list"])
@pytest.mark.parametrize("cursor", ["garbage!!", 123])
def test_invalid_cursor_is_invalid_params_over_http(start_server, method, cursor):
    server = start_server("--transport", "http", "--bind", "127.0.0.1:0")
    conn = connect(server)
    session = open_session(conn)
    status, headers, data = session_request(conn, session, method, {"cursor": cursor})
    reply = jsonrpc(headers, data)
    assert reply["error"]["code"] == -32602, reply
    assert reply["id"] == 2
    status, headers, data = session_request(conn, session, "tools/list", request_id=3)
    assert "tools" in jsonrpc(headers, data)["result"]


def test_invalid_cursor_is_invalid_params_over_stdio(echo_bin):
    lines = [
        INIT,
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {"cursor": "garbage!!"}},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/list", "params": {"cursor": 123}},
        {"jsonrpc": "2.0", "id": 4, "method": "tools/list", "params": {}},
    ]
    stdin = "".join(json.dumps(line) + "\n" for line in lines)
    proc = subprocess.Popen(
        [str(echo_bin), "--transport", "stdio"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    proc.stdin.write(stdin)
    proc.stdin.flush()
    replies = {}
    while len(replies) < 4:
        message = json.loads(proc.stdout.readline())
        replies[message.get("id")] = message
    proc.stdin.close()
    proc.wait(timeout=10)
    assert replies[2]["error"]["code"] == -32602
    assert replies[3]["error"]["code"] == -32602
    assert "tools" in replies[4]["result"]


def test_sessions_beyond_the_bound_close_the_oldest(start_server):
    server = start_server("--transport", "http", "--bind", "127.0.0.1:0", "--max-sessions", "20")
    conn = connect(server)
    sessions = [open_session(conn) for _ in range(300)]
    alive = [session_request(conn, s, "ping", request_id=9)[0] == 200 for s in sessions]
    assert alive[-20:] == [True] * 20
    assert not any(alive[:-20]), f"{sum(alive)} sessions alive, bound is 20"
    status, headers, data = session_request(conn, sessions[0], "ping")
    assert_jsonrpc_error(status, headers, data, 404)


def test_idle_sessions_expire_and_busy_ones_are_kept(start_server):
    server = start_server("--transport", "http", "--bind", "127.0.0.1:0", "--session-idle-ms", "300")
    conn = connect(server)
    idle = open_session(conn)
    busy = open_session(conn)
    stream = GetStream(server, busy)
    # Idle 300 ms, swept at least once a second; any request would reset it.
    time.sleep(2.5)
    assert session_request(conn, busy, "ping")[0] == 200
    status, headers, data = session_request(conn, idle, "ping")
    assert_jsonrpc_error(status, headers, data, 404)
    stream.close()


class GetStream:
    """A raw standalone `GET /mcp` stream of one session."""

    def __init__(self, server, session, last_event_id=None):
        self.conn = connect(server)
        headers = {"Accept": "text/event-stream", "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        self.conn.request("GET", "/mcp", headers=headers)
        self.response = self.conn.getresponse()
        assert self.response.status == 200

    def next_event(self) -> tuple[str | None, dict | None]:
        """(id, message) of the next event; message is None for priming."""
        event_id, data = None, []
        while True:
            line = self.response.fp.readline().decode()
            if line == "":
                raise EOFError("stream closed")
            line = line.rstrip("\r\n")
            if line == "":
                if event_id is not None or data:
                    payload = "\n".join(data).strip()
                    return event_id, json.loads(payload) if payload else None
                continue
            if line.startswith("id:"):
                event_id = line[3:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))

    def next_message(self) -> tuple[str, dict]:
        while True:
            event_id, message = self.next_event()
            if message is not None:
                return event_id, message

    def close(self):
        self.conn.close()


def announce(conn, session, label, count, request_id):
    status, headers, data = session_request(
        conn, session, "tools/call", {"name": "announce", "arguments": {"label": label, "count": count}}, request_id
    )
    assert status == 200 and "result" in jsonrpc(headers, data), data


def uri(message) -> str:
    return message["params"]["uri"]


def test_standalone_stream_ids_are_unique_and_resume_after_the_last_seen(start_server):
    server = start_server("--transport", "http", "--bind", "127.0.0.1:0", "--sse-keep-alive-ms", "100")
    conn = connect(server)
    session = open_session(conn)

    first = GetStream(server, session)
    priming_id, priming = first.next_event()
    announce(conn, session, "a", 2, 10)
    delivered = [first.next_message() for _ in range(2)]
    assert [uri(m) for _, m in delivered] == ["echo://a/0", "echo://a/1"]
    ids = [priming_id] + [event_id for event_id, _ in delivered]
    assert len(set(ids)) == 3, f"event ids repeat: {ids}"
    first.close()
    time.sleep(0.5)  # the server notices the closed stream at its next keep-alive

    # A plain reconnect does not re-send what the first stream delivered.
    second = GetStream(server, session)
    announce(conn, session, "b", 1, 11)
    second_id, message = second.next_message()
    assert uri(message) == "echo://b/0"
    assert second_id not in ids
    second.close()
    time.sleep(0.5)

    # Missed while no stream was open; Last-Event-ID resumes after what was seen.
    announce(conn, session, "c", 1, 12)
    third = GetStream(server, session, last_event_id=second_id)
    third_id, message = third.next_message()
    assert uri(message) == "echo://c/0", "the event named in Last-Event-ID was replayed"
    third.close()
    time.sleep(0.5)

    fourth = GetStream(server, session, last_event_id=delivered[-1][0])
    replayed = [fourth.next_message() for _ in range(2)]
    assert [uri(m) for _, m in replayed] == ["echo://b/0", "echo://c/0"]
    assert [i for i, _ in replayed] == [second_id, third_id]
    fourth.close()
