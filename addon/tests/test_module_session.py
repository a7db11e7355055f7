"""Handshake, framing and connection handling against a real bpy addon."""

import os
import socket
import struct
import threading
import time

from blender_mcp_addon.framing import FrameDecoder


def test_ready_line_and_ready_file_agree(addon):
    line = [text for text in addon.output().splitlines() if text.startswith("BLENDER_MCP_READY ")]
    assert len(line) == 1
    assert addon.ready == {"host": "127.0.0.1", "port": addon.port, "pid": addon.proc.pid}
    assert line[0] == 'BLENDER_MCP_READY {"host": "127.0.0.1", "port": %d, "pid": %d}' % (addon.port, addon.proc.pid)


def test_hello_reports_the_host(addon):
    connection = addon.connect()
    reply = connection.hello(addon.token)
    assert reply["ok"], reply
    result = reply["result"]
    assert result["protocol"] == 1
    assert result["addon_version"] == "0.2.0"
    assert result["blender_version"].startswith("4.5")
    assert result["mode"] == "module"
    assert result["capabilities"] == [
        "hello",
        "ping",
        "exec",
        "snippets",
        "cancel",
        "exec_timeout",
        "progress",
        "exec_before",
        "exec_after",
    ]
    assert "shutdown" not in result["capabilities"]  # not enabled
    assert result["max_frame"] == 1024 * 1024
    assert result["pid"] == addon.proc.pid
    second = connection.hello(addon.token)
    assert second["error"]["code"] == "bad_request"
    assert connection.request("ping")["ok"], "a second hello must leave the connection open"


def test_wrong_token_is_refused_and_closed(addon):
    connection = addon.connect()
    reply = connection.hello("not-the-token-but-long-enough")
    assert reply["ok"] is False and reply["error"]["code"] == "unauthorized"
    assert addon.token not in str(reply) and "not-the-token" not in str(reply)
    assert connection.is_closed()


def test_missing_or_non_string_token_is_refused(addon):
    for token in (None, 12345678901234567890):
        connection = addon.connect()
        assert connection.hello(token)["error"]["code"] == "unauthorized"
        assert connection.is_closed()


def test_wrong_or_missing_protocol_is_refused(addon):
    connection = addon.connect()
    reply = connection.hello(addon.token, protocol=2)
    assert reply["error"]["code"] == "unsupported_protocol"
    assert reply["error"]["details"]["supported"] == [1]
    assert connection.is_closed()
    connection = addon.connect()
    reply = connection.request("hello", {"token": addon.token})
    assert reply["error"]["code"] == "unsupported_protocol"
    assert connection.is_closed()


def test_op_before_hello_is_refused_and_closed(addon):
    connection = addon.connect()
    reply = connection.request("exec", {"code": "import os; os._exit(3)"})
    assert reply["error"]["code"] == "not_authenticated"
    assert connection.is_closed()
    assert addon.proc.poll() is None


def test_invalid_request_before_hello_keeps_the_connection(addon):
    connection = addon.connect()
    connection.send({"op": "ping"})
    reply = connection.recv()
    assert reply["id"] is None and reply["error"]["code"] == "bad_request"
    assert connection.hello(addon.token)["ok"]


def test_ping(client):
    reply = client.request("ping")
    assert reply == {"id": reply["id"], "ok": True, "result": {"queued": 0}}


def test_bad_requests_and_unknown_ops_keep_the_connection_open(client):
    client.send({"id": 5, "op": 7})
    assert client.recv()["error"] == {"code": "bad_request", "message": "request op must be a string"}
    client.send({"id": 6, "op": "ping", "params": None})
    reply = client.recv()
    assert reply["id"] == 6 and reply["error"]["code"] == "bad_request"
    assert client.request("frobnicate")["error"]["code"] == "unknown_op"
    assert client.request("exec", {})["error"]["code"] == "bad_request"
    assert client.request("exec", {"code": 5})["error"]["code"] == "bad_request"
    assert client.request("exec", {"code": "1", "args": [1]})["error"]["code"] == "bad_request"
    assert client.request("shutdown")["error"]["code"] == "forbidden"
    assert client.request("ping")["ok"]


def test_duplicate_id_in_flight(client):
    client.send({"id": 5, "op": "exec", "params": {"code": "import time; time.sleep(0.5); 'slow'"}})
    time.sleep(0.1)
    client.send({"id": 5, "op": "ping"})
    first = client.recv()
    assert first["id"] == 5 and first["error"]["code"] == "duplicate_id"
    second = client.recv()
    assert second == {"id": 5, "ok": True, "result": {"value": "slow", "stdout": "", "stderr": ""}}
    assert client.request("ping", request_id=5)["ok"], "an answered id may be reused"


def test_pipelined_requests_run_in_order(client):
    client.value("bpy.app.driver_namespace['mcp_order'] = []")
    for i in range(100):
        client.send(
            {
                "id": i,
                "op": "exec",
                "params": {"code": "bpy.app.driver_namespace['mcp_order'].append(args['i'])", "args": {"i": i}},
            }
        )
    assert sorted(client.recv()["id"] for _ in range(100)) == list(range(100))
    assert client.value("list(bpy.app.driver_namespace['mcp_order'])") == list(range(100))


def test_many_connections_with_many_requests_in_flight(addon):
    connections, per_connection, failures = 16, 60, []

    def worker(index):
        try:
            connection = addon.connect()
            assert connection.hello(addon.token)["ok"]
            for i in range(per_connection):
                op = {
                    "id": i,
                    "op": "exec",
                    "params": {"code": "args['c'] * 1000 + args['i']", "args": {"c": index, "i": i}},
                }
                connection.send(op if i % 3 else {"id": i, "op": "ping"})
            seen = {}
            for _ in range(per_connection):
                reply = connection.recv()
                assert reply["ok"], reply
                seen[reply["id"]] = reply["result"]
            assert sorted(seen) == list(range(per_connection))
            for i, result in seen.items():
                if i % 3 == 0:
                    assert set(result) == {"queued"} and result["queued"] >= 0
                else:
                    assert result == {"value": index * 1000 + i, "stdout": "", "stderr": ""}
            connection.close()
        except BaseException as exc:  # reported by the main thread below
            failures.append((index, exc))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures


def test_oversized_frame_closes_only_that_connection(addon, client):
    victim = addon.connect()
    assert victim.hello(addon.token)["ok"]
    length = 1024 * 1024 + 1
    # The payload follows too: the addon must drain it, not reset the socket
    # before its error reply is read.
    sender = threading.Thread(target=lambda: victim.send_raw(struct.pack(">I", length) + b" " * length))
    sender.start()
    reply = victim.recv()
    sender.join(30)
    assert reply == {
        "id": None,
        "ok": False,
        "error": {
            "code": "frame_too_large",
            "message": "frame of %d bytes exceeds the maximum of %d" % (length, 1024 * 1024),
            "details": {"max_frame": 1024 * 1024, "length": length},
        },
    }
    assert victim.is_closed()
    assert client.request("ping")["ok"]


def test_bad_frames_close_the_connection(addon, client):
    for garbage in (b"\x00\x00\x00\x00", b"\x00\x00\x00\x05hello", b"\x00\x00\x00\x03[1]"):
        victim = addon.connect()
        assert victim.hello(addon.token)["ok"]
        victim.send_raw(garbage)
        reply = victim.recv()
        assert reply["id"] is None and reply["error"]["code"] == "bad_frame", reply
        assert victim.is_closed()
    assert client.request("ping")["ok"]


def test_largest_allowed_frame_is_served(client):
    blob = "x" * (1024 * 1024 - 200)
    assert client.value("len(args['blob'])", {"blob": blob}) == len(blob)


def test_two_replies_in_one_tcp_read(client):
    payloads = [b'{"id":71,"op":"ping"}', b'{"id":72,"op":"ping"}']
    client.send_raw(b"".join(struct.pack(">I", len(p)) + p for p in payloads))
    time.sleep(0.3)
    chunk = client.sock.recv(65536)
    decoder = FrameDecoder()
    replies = list(decoder.messages(chunk))
    assert [r["id"] for r in replies] == [71, 72], "both replies arrived in one read and both parse"
    assert decoder.buffered == 0


def test_half_closed_client_still_gets_its_replies(addon):
    connection = addon.connect()
    assert connection.hello(addon.token)["ok"]
    connection.send({"id": 1, "op": "exec", "params": {"code": "import time; time.sleep(0.2); 42"}})
    connection.sock.shutdown(socket.SHUT_WR)
    assert connection.recv()["result"]["value"] == 42
    assert connection.is_closed()


def test_abrupt_disconnects_do_not_hurt_the_server(addon, client):
    for _ in range(5):
        connection = addon.connect()
        assert connection.hello(addon.token)["ok"]
        connection.send({"id": 1, "op": "exec", "params": {"code": "import time; time.sleep(0.05); 'x' * 100000"}})
        connection.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()  # RST while the reply is being produced
    assert client.request("ping")["ok"]
    assert addon.proc.poll() is None and os.path.exists("/proc/%d" % addon.proc.pid)
