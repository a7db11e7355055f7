"""Hostile and broken input over raw TCP against a real bpy addon.

Complements test_module_session.py (which covers oversize prefixes, the
basic bad frames, duplicate ids, token and protocol refusals): here every
case is followed by a check that *another* connection is still served, and
the inputs are the ones a fuzzer or a confused client would send — random
bytes, frames cut short, invalid UTF-8, JSON of every wrong shape, ids at
and past the edges, hello fields of the wrong type.
"""

import json
import random
import socket
import struct
import time

import pytest

MAX_FRAME = 1024 * 1024


def frame(payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + payload


def authenticated(addon):
    connection = addon.connect()
    assert connection.hello(addon.token)["ok"]
    return connection


def assert_others_served(addon, client):
    """The long-lived connection and a brand-new one both still work."""
    assert client.request("ping")["ok"]
    fresh = authenticated(addon)
    assert fresh.value("args['n'] + 1", {"n": 1}) == 2
    fresh.close()
    assert addon.proc.poll() is None


def closed_soon(connection, timeout=10.0):
    """True when the addon closes the connection (after any replies), within `timeout`."""
    connection.sock.settimeout(timeout)
    replies = []
    while True:
        try:
            reply = connection.recv()
        except TimeoutError:
            return False, replies
        if reply is None:
            return True, replies
        replies.append(reply)


@pytest.mark.parametrize("seed", range(12))
def test_random_bytes_close_only_that_connection(addon, client, seed):
    rng = random.Random(seed)
    garbage = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 4096)))
    # Half the cases after a valid hello, half before: both paths must hold.
    victim = authenticated(addon) if seed % 2 else addon.connect()
    victim.send_raw(garbage)
    victim.sock.shutdown(socket.SHUT_WR)
    closed, replies = closed_soon(victim)
    assert closed, "the addon closes a connection that sent garbage and hung up"
    for reply in replies:
        assert reply["ok"] is False and reply["error"]["code"] in {
            "bad_frame",
            "frame_too_large",
            "bad_request",
            "not_authenticated",
            "unknown_op",
            "duplicate_id",
        }, reply
    assert_others_served(addon, client)


@pytest.mark.parametrize("cut", ["prefix", "payload"])
def test_truncated_frame_then_hang_up(addon, client, cut):
    victim = authenticated(addon)
    whole = frame(b'{"id": 1, "op": "ping"}')
    victim.send_raw(whole[:2] if cut == "prefix" else whole[:10])
    victim.sock.shutdown(socket.SHUT_WR)
    closed, replies = closed_soon(victim)
    assert closed and replies == [], replies
    assert_others_served(addon, client)


def test_truncated_frame_that_stalls_blocks_nobody(addon, client):
    victim = authenticated(addon)
    victim.send_raw(frame(b'{"id": 1, "op": "ping", "params": {"pad": "' + b"x" * 1000 + b'"}}')[:500])
    time.sleep(0.2)
    assert_others_served(addon, client)
    # The stalled connection is still waiting for the rest of its frame.
    victim.send_raw(frame(b'{"id": 1, "op": "ping", "params": {"pad": "' + b"x" * 1000 + b'"}}')[500:])
    reply = victim.recv()
    assert reply["id"] == 1 and reply["ok"] is True, reply
    victim.close()


@pytest.mark.parametrize(
    "payload",
    [
        b'{"id": 1, "op": "pi\xffng"}',
        b"\xc3\x28",
        b'{"id": 1, "op": "exec", "params": {"code": "\xed\xa0\x80"}}',  # an encoded surrogate is not UTF-8
    ],
)
def test_invalid_utf8_is_a_bad_frame(addon, client, payload):
    victim = authenticated(addon)
    victim.send_raw(frame(payload))
    reply = victim.recv()
    assert reply["id"] is None and reply["error"]["code"] == "bad_frame", reply
    assert victim.is_closed()
    assert_others_served(addon, client)


@pytest.mark.parametrize(
    "payload",
    [
        b"null",
        b"123",
        b'"ping"',
        b"true",
        b"[]",
        b'[{"id": 1, "op": "ping"}]',
        b"{",
        b'{"id": 1, "op": "ping"} {"id": 2}',
        b"{'id': 1}",
    ],
)
def test_json_that_is_not_an_object_is_a_bad_frame(addon, client, payload):
    victim = authenticated(addon)
    victim.send_raw(frame(payload))
    reply = victim.recv()
    assert reply["id"] is None and reply["error"]["code"] == "bad_frame", (payload, reply)
    assert victim.is_closed()
    assert_others_served(addon, client)


@pytest.mark.parametrize(
    "message, reply_id",
    [
        ({"id": -1, "op": "ping"}, None),
        ({"id": 2**53, "op": "ping"}, None),
        ({"id": 1.5, "op": "ping"}, None),
        ({"id": True, "op": "ping"}, None),
        ({"id": "7", "op": "ping"}, None),
        ({"id": None, "op": "ping"}, None),
        ({"id": [1], "op": "ping"}, None),
        ({"id": 8}, 8),
        ({"id": 9, "op": None}, 9),
        ({"id": 10, "op": ["exec"]}, 10),
        ({"id": 11, "op": "exec", "params": []}, 11),
        ({"id": 12, "op": "exec", "params": "code"}, 12),
        ({"id": 13, "op": "exec", "params": {"code": "1", "snippet": 5}}, 13),
        ({"id": 14, "op": "exec", "params": {"code": "1", "args": "not an object"}}, 14),
    ],
)
def test_objects_of_the_wrong_shape_are_bad_requests_and_the_connection_stays(addon, client, message, reply_id):
    victim = authenticated(addon)
    victim.send(message)
    reply = victim.recv()
    assert reply["id"] == reply_id and reply["ok"] is False and reply["error"]["code"] == "bad_request", reply
    assert victim.request("ping")["ok"], "bad_request leaves the connection open"
    victim.close()
    assert_others_served(addon, client)


def test_largest_valid_id_is_accepted(client):
    assert client.request("ping", request_id=2**53 - 1)["ok"]
    assert client.request("ping", request_id=0)["ok"]


def test_unknown_ops_of_every_spelling(addon, client):
    for op in ("", "PING", "ping ", "exec\x00", "hello2", "x" * 10000, "\u2603"):
        reply = client.request(op)
        assert reply["error"]["code"] == "unknown_op", (op, reply)
    assert_others_served(addon, client)


def test_a_burst_of_duplicate_ids_gets_one_answer_each(addon, client):
    slow = {"id": 40, "op": "exec", "params": {"code": "import time; time.sleep(0.3); 'first'"}}
    client.send(slow)
    time.sleep(0.1)
    for _ in range(20):
        client.send({"id": 40, "op": "ping"})
    replies = [client.recv() for _ in range(21)]
    assert sum(r["ok"] is False and r["error"]["code"] == "duplicate_id" for r in replies) == 20
    assert [r["result"]["value"] for r in replies if r["ok"]] == ["first"]
    assert_others_served(addon, client)


@pytest.mark.parametrize(
    "params, code",
    [
        ({"protocol": "1", "token": "T"}, "unsupported_protocol"),
        ({"protocol": 1.0, "token": "T"}, "unsupported_protocol"),
        ({"protocol": None, "token": "T"}, "unsupported_protocol"),
        ({"protocol": 0, "token": "T"}, "unsupported_protocol"),
        ({"protocol": 1, "token": ""}, "unauthorized"),
        ({"protocol": 1, "token": ["T"]}, "unauthorized"),
        ({"protocol": 1, "token": "T" + "x"}, "unauthorized"),
        ({"protocol": 1, "token": "x" * 100000}, "unauthorized"),
    ],
)
def test_hello_fields_of_the_wrong_type_or_value_are_refused_and_closed(addon, client, params, code):
    params = {k: (addon.token if v == "T" else v) for k, v in params.items()}
    victim = addon.connect()
    reply = victim.request("hello", params)
    assert reply["ok"] is False and reply["error"]["code"] == code, reply
    assert addon.token not in json.dumps(reply), "a refusal never echoes the token"
    assert victim.is_closed()
    assert_others_served(addon, client)


def test_garbage_before_hello_never_runs_code(addon, client):
    victim = addon.connect()
    victim.send({"id": 1, "op": "exec", "params": {"code": "import os; os._exit(7)"}})
    assert victim.recv()["error"]["code"] == "not_authenticated"
    assert victim.is_closed()
    victim = addon.connect()
    victim.send({"id": 1, "op": "shutdown"})
    assert victim.recv()["error"]["code"] == "not_authenticated"
    assert_others_served(addon, client)


def test_many_connections_that_never_say_hello_do_not_starve_the_addon(addon, client):
    idle = [addon.connect() for _ in range(50)]
    try:
        assert_others_served(addon, client)
    finally:
        for connection in idle:
            connection.close()
