"""Bad input at the MCP layer, written raw to the server's stdin: every
malformed message gets an error (or, where JSON-RPC gives it no id to answer,
at least no harm), and the server keeps serving."""

import json

import pytest
from support import text_of

MiB = 1024 * 1024


def still_serving(server, marker):
    assert server.exec_value("result = args['m']", {"m": marker}) == marker


def errors_after(server, before: int) -> list[dict]:
    """Id-less error replies that arrived after index `before`."""
    return [m for m in server.unmatched[before:] if isinstance(m, dict) and "error" in m]


def send_and_collect(server, line: bytes) -> list[dict]:
    before = len(server.unmatched)
    server.write_raw(line)
    # A round trip after the bad line orders it: its answer (if any) is in.
    still_serving(server, "after " + line[:20].decode(errors="replace"))
    return errors_after(server, before)


@pytest.mark.parametrize(
    "line",
    [
        b"[1, 2]\n",
        b'"a string"\n',
        b"42\n",
        b'{"jsonrpc": "2.0", "id": {"nested": 1}, "method": "tools/list"}\n',
        # Not a request (no method): a malformed response is never answered by id.
        b'{"jsonrpc": "2.0", "id": 7}\n',
    ],
)
def test_invalid_json_rpc_gets_an_invalid_request_error(shared, line):
    errors = send_and_collect(shared, line)
    assert [e["error"]["code"] for e in errors] == [-32600], errors
    assert "id" not in errors[0], errors


@pytest.mark.parametrize(
    "line, request_id, code, message",
    [
        (b'{"jsonrpc": "1.0", "id": "bad-1", "method": "tools/list"}\n', "bad-1", -32600, "Invalid Request: "),
        (
            b'{"jsonrpc": "2.0", "id": "bad-2", "method": "tools/call", "params": "not an object"}\n',
            "bad-2",
            -32600,
            "Invalid Request: ",
        ),
        # Not "Method not found: tools/call", which is what rmcp alone answers.
        (
            b'{"jsonrpc": "2.0", "id": "bad-3", "method": "tools/call", "params": {"name": 5}}\n',
            "bad-3",
            -32602,
            "Invalid params for tools/call: invalid type: integer `5`",
        ),
    ],
)
def test_an_invalid_request_with_an_id_is_answered_by_that_id(shared, line, request_id, code, message):
    shared.write_raw(line)
    reply = shared.wait_reply(request_id, timeout=15)
    assert reply["error"]["code"] == code, reply
    assert reply["error"]["message"].startswith(message), reply
    still_serving(shared, request_id)


@pytest.mark.parametrize("line", [b"{not json at all\n", b"\xff\xfe\xfd garbage\n", b'{"id": 1,\n'])
def test_unparseable_line_gets_a_parse_error(shared, line):
    errors = send_and_collect(shared, line)
    assert [e["error"]["code"] for e in errors] == [-32700], errors
    assert errors[0]["error"]["message"].startswith("Parse error: "), errors


@pytest.mark.parametrize("line", [b"\n", b"   \n", b"\r\n"])
def test_blank_lines_are_ignored(shared, line):
    assert send_and_collect(shared, line) == []
    assert shared.proc.poll() is None


def test_unknown_method_and_unknown_tool_are_errors(shared):
    assert shared.request("blender/frobnicate", {})["error"]["code"] == -32601
    reply = shared.request("tools/call", {"name": "no_such_tool", "arguments": {}})
    assert reply["error"]["code"] == -32602, reply
    still_serving(shared, "unknown")


@pytest.mark.parametrize(
    "tool, arguments, expected",
    [
        ("execute_blender_code", {"code": 5}, "invalid type: integer `5`, expected a string"),
        ("execute_blender_code", {"code": "1", "args": [1, 2]}, "invalid type: sequence, expected a map"),
        ("execute_blender_code", {}, "missing field `code`"),
        ("execute_blender_code", {"code": "   "}, "code is empty"),
        ("get_scene_info", {"limit": "ten"}, "expected u32"),
        ("get_scene_info", {"limit": -1}, "expected u32"),
        ("get_scene_info", {"offset": 1.5}, "expected u32"),
        ("get_object_info", {}, "missing field `name`"),
        ("get_object_info", {"name": ["Cube"]}, "expected a string"),
        ("get_viewport_screenshot", {"max_size": "big"}, "expected u32"),
    ],
)
def test_wrong_or_missing_arguments_are_tool_errors(shared, tool, arguments, expected):
    result = shared.call(tool, arguments, timeout=30)
    assert result["isError"], result
    assert expected in text_of(result), text_of(result)
    still_serving(shared, tool)


def test_eight_mib_of_code_and_four_of_args_are_served(shared):
    code = "result = len(args['blob'])\n#" + "x" * (8 * MiB) + "\n"
    result = shared.call("execute_blender_code", {"code": code, "args": {"blob": "y" * (4 * MiB)}}, timeout=60)
    assert not result.get("isError"), text_of(result)[:500]
    assert result["structuredContent"]["result"] == 4 * MiB
    still_serving(shared, "12 MiB")


def test_a_message_over_the_stdio_line_limit_gets_an_error(shared):
    """The line is skipped unread (16 MiB default limit), yet its caller is
    answered: the id is read from the line's first bytes."""
    request_id = shared.call_async("execute_blender_code", {"code": "#" + "x" * (17 * MiB)})
    reply = shared.wait_reply(request_id, timeout=30)
    assert reply["error"]["code"] == -32600, str(reply)[:300]
    assert "16 MiB" in reply["error"]["message"], reply
    still_serving(shared, "17 MiB")


def test_a_reply_above_the_frame_limit_is_an_error_not_a_hang(shared):
    result = shared.call("execute_blender_code", {"code": "result = 'z' * (70 * 1024 * 1024)"}, timeout=120)
    assert result["isError"], str(result)[:500]
    assert "frame" in text_of(result), text_of(result)[:500]
    still_serving(shared, "big reply")


def test_a_flood_of_bad_lines_between_good_calls(shared):
    for i in range(200):
        shared.write_raw(json.dumps([i]).encode() + b"\n" if i % 2 else b"}{\n")
    still_serving(shared, "flood")
