"""Raw-HTTP negative tests: the guards in front of /mcp, /sse and /messages."""

from __future__ import annotations

import http.client
import json
import subprocess

import pytest
from sse_raw import RawSse

INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
}
INIT_BODY = json.dumps(INIT).encode()
MCP_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


def request(server, method, path, body=None, headers=None, encode_chunked=False):
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    conn.request(method, path, body=body, headers={**MCP_HEADERS, **(headers or {})}, encode_chunked=encode_chunked)
    response = conn.getresponse()
    # Read only a bounded prefix: a 200 on /sse is an endless stream.
    data = response.read(4096) if response.status != 200 or method != "GET" else b""
    conn.close()
    return response, data


def sse_endpoint(server, headers=None) -> str:
    stream = RawSse(server.host, server.port, headers=headers)
    assert stream.status == 200
    name, endpoint, _ = stream.next_event()
    assert name == "endpoint"
    server._keep = getattr(server, "_keep", []) + [stream]  # keep the session open
    return endpoint


@pytest.fixture
def all_server(start_server):
    return start_server("--transport", "all", "--bind", "127.0.0.1:0")


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "https://localhost.evil.example", "null", "http://127.0.0.1.nip.io:8080"]
)
def test_evil_origin_is_forbidden_everywhere(all_server, origin):
    endpoint = sse_endpoint(all_server)
    for method, path, body in [
        ("POST", "/mcp", INIT_BODY),
        ("GET", "/sse", None),
        ("POST", endpoint, INIT_BODY),
        ("GET", "/mcp", None),
    ]:
        response, _ = request(all_server, method, path, body, {"Origin": origin})
        assert response.status == 403, (method, path, response.status)


@pytest.mark.parametrize("origin", ["http://localhost:3000", "http://127.0.0.1", "https://[::1]:9"])
def test_loopback_origin_and_no_origin_are_allowed(all_server, origin):
    response, _ = request(all_server, "POST", "/mcp", INIT_BODY, {"Origin": origin})
    assert response.status == 200
    response, _ = request(all_server, "POST", "/mcp", INIT_BODY)
    assert response.status == 200


def test_configured_origin_is_allowed(start_server):
    server = start_server("--transport", "all", "--bind", "127.0.0.1:0", "--allow-origin", "https://app.example")
    response, _ = request(server, "POST", "/mcp", INIT_BODY, {"Origin": "https://app.example"})
    assert response.status == 200
    response, _ = request(server, "POST", "/mcp", INIT_BODY, {"Origin": "https://app.example:444"})
    assert response.status == 403


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "localhost.evil.example", "10.1.2.3"])
def test_bad_host_is_forbidden(all_server, host):
    for method, path, body in [("POST", "/mcp", INIT_BODY), ("GET", "/sse", None)]:
        response, _ = request(all_server, method, path, body, {"Host": host})
        assert response.status == 403, (path, response.status)


def test_configured_host_is_allowed(start_server):
    server = start_server("--transport", "http", "--bind", "127.0.0.1:0", "--allow-host", "mcp.internal")
    response, _ = request(server, "POST", "/mcp", INIT_BODY, {"Host": f"mcp.internal:{server.port}"})
    assert response.status == 200


def test_token_required_on_every_endpoint(start_server, token_file):
    path, token = token_file
    server = start_server("--transport", "all", "--bind", "127.0.0.1:0", "--token-file", str(path))
    good = {"Authorization": f"Bearer {token}"}
    endpoint = sse_endpoint(server, headers=good)
    for method, target, body in [("POST", "/mcp", INIT_BODY), ("GET", "/sse", None), ("POST", endpoint, INIT_BODY)]:
        for headers in [
            {},
            {"Authorization": f"Bearer {token}x"},
            {"Authorization": f"Basic {token}"},
            {"Authorization": "Bearer"},
        ]:
            response, _ = request(server, method, target, body, headers)
            assert response.status == 401, (method, target, headers, response.status)
            assert response.getheader("WWW-Authenticate", "").startswith("Bearer")
    response, _ = request(server, "POST", "/mcp", INIT_BODY, good)
    assert response.status == 200
    response, _ = request(server, "POST", endpoint, INIT_BODY, good)
    assert response.status == 202
    assert token not in server.log


def test_oversized_body_is_refused(start_server):
    server = start_server("--transport", "all", "--bind", "127.0.0.1:0", "--max-body-bytes", "1024")
    endpoint = sse_endpoint(server)
    padding = {"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"_meta": {"pad": "x" * 4096}}}
    big = json.dumps(padding).encode()
    for path in ["/mcp", endpoint]:
        response, _ = request(server, "POST", path, big)
        assert response.status == 413, (path, response.status)
        # No Content-Length: the limit must hold while streaming too.
        response, _ = request(
            server, "POST", path, iter([big[:1000], big[1000:]]), {"Transfer-Encoding": "chunked"}, encode_chunked=True
        )
        assert response.status == 413, (path, response.status)
    response, _ = request(server, "POST", "/mcp", INIT_BODY)
    assert response.status == 200


def test_slow_body_times_out(start_server):
    import socket
    import time

    server = start_server("--transport", "all", "--bind", "127.0.0.1:0", "--body-timeout-ms", "300")
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(
            b"POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Accept: application/json, text/event-stream\r\nContent-Length: 100\r\n\r\n{"
        )
        started = time.monotonic()
        reply = sock.recv(4096).decode()
        assert reply.startswith("HTTP/1.1 408"), reply
        assert time.monotonic() - started < 5
    response, _ = request(server, "POST", "/mcp", INIT_BODY)
    assert response.status == 200


def test_slow_headers_close_the_connection(start_server):
    import socket
    import time

    server = start_server("--transport", "all", "--bind", "127.0.0.1:0", "--header-timeout-ms", "300")
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(b"POST /mcp HTTP/1.1\r\nHost: local")
        started = time.monotonic()
        reply = sock.recv(4096)  # b"" (closed) or a 408; never a hang
        assert time.monotonic() - started < 5
        assert reply == b"" or reply.startswith(b"HTTP/1.1 408")
    response, _ = request(server, "POST", "/mcp", INIT_BODY)
    assert response.status == 200


def test_ipv6_loopback_bind(start_server):
    server = start_server("--transport", "http", "--bind", "[::1]:0")
    conn = http.client.HTTPConnection("::1", server.port, timeout=10)
    conn.request("POST", "/mcp", body=INIT_BODY, headers=MCP_HEADERS)
    assert conn.getresponse().status == 200
    conn.close()


def test_non_loopback_bind_without_token_refuses_to_start(echo_bin, token_file):
    proc = subprocess.run(
        [str(echo_bin), "--transport", "http", "--bind", "0.0.0.0:0"], capture_output=True, timeout=20
    )
    assert proc.returncode != 0
    message = proc.stderr.decode()
    assert "refusing to listen on non-loopback address 0.0.0.0:0 without a bearer token" in message

    path, _ = token_file
    proc = subprocess.run(
        [str(echo_bin), "--transport", "http", "--bind", "0.0.0.0:0", "--token-file", str(path)],
        capture_output=True,
        timeout=20,
    )
    assert proc.returncode != 0
    assert "--allow-non-loopback" in proc.stderr.decode()


def test_non_loopback_bind_with_token_warns_and_serves(start_server, token_file):
    path, token = token_file
    server = start_server(
        "--transport", "http", "--bind", "0.0.0.0:0", "--token-file", str(path), "--allow-non-loopback"
    )
    assert "non-loopback address" in server.log
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("POST", "/mcp", body=INIT_BODY, headers={**MCP_HEADERS, "Authorization": f"Bearer {token}"})
    assert conn.getresponse().status == 200
    conn.close()
    assert token not in server.log
