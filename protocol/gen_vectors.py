"""Regenerates protocol/vectors.json. The JSON file is the source of truth that
both implementations test against; this script only spares writing hex by
hand. Run: python3 protocol/gen_vectors.py > protocol/vectors.json"""

import json
import struct

MAX_FRAME = 1024


def frame(payload: bytes, length=None) -> str:
    n = len(payload) if length is None else length
    return (struct.pack(">I", n) + payload).hex()


def j(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


vectors = [
    # valid requests
    (
        "hello",
        frame(
            j(
                {
                    "id": 1,
                    "op": "hello",
                    "params": {
                        "protocol": 1,
                        "token": "0123456789abcdef0123456789abcdef",
                        "client": "blender-mcp-rs/0.1.0",
                    },
                }
            )
        ),
        {
            "request": {
                "id": 1,
                "op": "hello",
                "params": {
                    "protocol": 1,
                    "token": "0123456789abcdef0123456789abcdef",
                    "client": "blender-mcp-rs/0.1.0",
                },
            }
        },
    ),
    ("ping_params_defaulted", frame(j({"id": 2, "op": "ping"})), {"request": {"id": 2, "op": "ping", "params": {}}}),
    (
        "exec_with_args",
        frame(j({"id": 3, "op": "exec", "params": {"code": "result = args['a'] + 1", "args": {"a": 41}}})),
        {"request": {"id": 3, "op": "exec", "params": {"code": "result = args['a'] + 1", "args": {"a": 41}}}},
    ),
    (
        "exec_snippet_only",
        frame(j({"id": 4, "op": "exec", "params": {"snippet": "get_scene_info-0123456789abcdef", "args": {}}})),
        {"request": {"id": 4, "op": "exec", "params": {"snippet": "get_scene_info-0123456789abcdef", "args": {}}}},
    ),
    (
        "unknown_fields_ignored",
        frame(j({"id": 5, "op": "ping", "params": {}, "trace": "x"})),
        {"request": {"id": 5, "op": "ping", "params": {}}},
    ),
    (
        "max_safe_id",
        frame(j({"id": 9007199254740991, "op": "ping"})),
        {"request": {"id": 9007199254740991, "op": "ping", "params": {}}},
    ),
    (
        "unicode_payload",
        frame(
            json.dumps(
                {"id": 6, "op": "exec", "params": {"code": "result = 'žluťoučký 🐍'"}},
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode()
        ),
        {"request": {"id": 6, "op": "exec", "params": {"code": "result = 'žluťoučký 🐍'"}}},
    ),
    ("whitespace_json", frame(b' { "id" : 7 , "op" : "ping" } '), {"request": {"id": 7, "op": "ping", "params": {}}}),
    (
        "unknown_op_is_a_valid_request",
        frame(j({"id": 8, "op": "frobnicate"})),
        {"request": {"id": 8, "op": "frobnicate", "params": {}}},
    ),
    # valid replies (client side)
    (
        "reply_ok",
        frame(j({"id": 3, "ok": True, "result": {"value": 42, "stdout": "", "stderr": ""}})),
        {"reply": {"id": 3, "ok": True, "result": {"value": 42, "stdout": "", "stderr": ""}}},
    ),
    (
        "reply_error",
        frame(
            j(
                {
                    "id": 9,
                    "ok": False,
                    "error": {
                        "code": "python_error",
                        "message": "ZeroDivisionError: division by zero",
                        "details": {
                            "type": "ZeroDivisionError",
                            "message": "division by zero",
                            "traceback": "Traceback ...",
                            "stdout": "",
                            "stderr": "",
                        },
                    },
                }
            )
        ),
        {
            "reply": {
                "id": 9,
                "ok": False,
                "error": {
                    "code": "python_error",
                    "message": "ZeroDivisionError: division by zero",
                    "details": {
                        "type": "ZeroDivisionError",
                        "message": "division by zero",
                        "traceback": "Traceback ...",
                        "stdout": "",
                        "stderr": "",
                    },
                },
            }
        },
    ),
    (
        "reply_null_id",
        frame(
            j(
                {
                    "id": None,
                    "ok": False,
                    "error": {
                        "code": "frame_too_large",
                        "message": "frame of 2000000 bytes exceeds the maximum of 1024",
                        "details": {"max_frame": 1024, "length": 2000000},
                    },
                }
            )
        ),
        {
            "reply": {
                "id": None,
                "ok": False,
                "error": {
                    "code": "frame_too_large",
                    "message": "frame of 2000000 bytes exceeds the maximum of 1024",
                    "details": {"max_frame": 1024, "length": 2000000},
                },
            }
        },
    ),
    # long operations: cancel, exec time limit, progress (PROTOCOL 3.3, 4.3, 4.5)
    (
        "cancel_request",
        frame(j({"id": 15, "op": "cancel", "params": {"target": 7}})),
        {"request": {"id": 15, "op": "cancel", "params": {"target": 7}}},
    ),
    (
        "exec_with_timeout_and_progress",
        frame(j({"id": 16, "op": "exec", "params": {"code": "while True: pass", "timeout": 2.5, "progress": True}})),
        {"request": {"id": 16, "op": "exec", "params": {"code": "while True: pass", "timeout": 2.5, "progress": True}}},
    ),
    (
        "reply_cancel_dropped",
        frame(j({"id": 15, "ok": True, "result": {"state": "dropped"}})),
        {"reply": {"id": 15, "ok": True, "result": {"state": "dropped"}}},
    ),
    (
        "reply_cancelled",
        frame(
            j(
                {
                    "id": 7,
                    "ok": False,
                    "error": {"code": "cancelled", "message": "the request was cancelled before it started"},
                }
            )
        ),
        {
            "reply": {
                "id": 7,
                "ok": False,
                "error": {"code": "cancelled", "message": "the request was cancelled before it started"},
            }
        },
    ),
    (
        "reply_timeout",
        frame(
            j(
                {
                    "id": 16,
                    "ok": False,
                    "error": {
                        "code": "timeout",
                        "message": "the code ran longer than its time limit of 2.5 s and was interrupted",
                        "details": {"completed": False, "stdout": "before\n", "stderr": "", "seconds": 2.5},
                    },
                }
            )
        ),
        {
            "reply": {
                "id": 16,
                "ok": False,
                "error": {
                    "code": "timeout",
                    "message": "the code ran longer than its time limit of 2.5 s and was interrupted",
                    "details": {"completed": False, "stdout": "before\n", "stderr": "", "seconds": 2.5},
                },
            }
        },
    ),
    (
        "progress_frame",
        frame(j({"id": 16, "progress": {"done": 3, "total": 10, "message": "frame 3"}})),
        {"progress": {"id": 16, "progress": {"done": 3, "total": 10, "message": "frame 3"}}},
    ),
    (
        "progress_frame_open_ended",
        frame(j({"id": 16, "progress": {"done": 0.25, "total": None, "message": None}})),
        {"progress": {"id": 16, "progress": {"done": 0.25, "total": None, "message": None}}},
    ),
    # a precondition in the same turn: exec `before`, precondition_failed (PROTOCOL 4.3)
    (
        "exec_with_before",
        frame(
            j(
                {
                    "id": 17,
                    "op": "exec",
                    "params": {
                        "code": "bpy.data.objects.new('o', None)",
                        "timeout": 300,
                        "before": {"snippet": "checkpoint-0123456789abcdef", "args": {"label": "execute_blender_code"}},
                    },
                }
            )
        ),
        {
            "request": {
                "id": 17,
                "op": "exec",
                "params": {
                    "code": "bpy.data.objects.new('o', None)",
                    "timeout": 300,
                    "before": {"snippet": "checkpoint-0123456789abcdef", "args": {"label": "execute_blender_code"}},
                },
            }
        },
    ),
    (
        "reply_ok_with_before",
        frame(
            j(
                {
                    "id": 17,
                    "ok": True,
                    "result": {"value": None, "stdout": "", "stderr": "", "before": {"method": "undo"}},
                }
            )
        ),
        {
            "reply": {
                "id": 17,
                "ok": True,
                "result": {"value": None, "stdout": "", "stderr": "", "before": {"method": "undo"}},
            }
        },
    ),
    (
        "reply_python_error_with_before",
        frame(
            j(
                {
                    "id": 17,
                    "ok": False,
                    "error": {
                        "code": "python_error",
                        "message": "RuntimeError: boom",
                        "details": {
                            "type": "RuntimeError",
                            "message": "boom",
                            "traceback": "Traceback ...",
                            "stdout": "",
                            "stderr": "",
                            "before": {"method": "undo"},
                        },
                    },
                }
            )
        ),
        {
            "reply": {
                "id": 17,
                "ok": False,
                "error": {
                    "code": "python_error",
                    "message": "RuntimeError: boom",
                    "details": {
                        "type": "RuntimeError",
                        "message": "boom",
                        "traceback": "Traceback ...",
                        "stdout": "",
                        "stderr": "",
                        "before": {"method": "undo"},
                    },
                },
            }
        },
    ),
    (
        "reply_precondition_failed",
        frame(
            j(
                {
                    "id": 17,
                    "ok": False,
                    "error": {
                        "code": "precondition_failed",
                        "message": "the precondition raised RuntimeError: no undo; the code was not run",
                        "details": {
                            "type": "RuntimeError",
                            "message": "no undo",
                            "traceback": "Traceback ...",
                            "stdout": "",
                            "stderr": "",
                        },
                    },
                }
            )
        ),
        {
            "reply": {
                "id": 17,
                "ok": False,
                "error": {
                    "code": "precondition_failed",
                    "message": "the precondition raised RuntimeError: no undo; the code was not run",
                    "details": {
                        "type": "RuntimeError",
                        "message": "no undo",
                        "traceback": "Traceback ...",
                        "stdout": "",
                        "stderr": "",
                    },
                },
            }
        },
    ),
    (
        "reply_snippet_unknown",
        frame(
            j(
                {
                    "id": 17,
                    "ok": False,
                    "error": {
                        "code": "snippet_unknown",
                        "message": "snippet 'checkpoint-0123456789abcdef' is not cached; send it with code",
                        "details": {"snippet": "checkpoint-0123456789abcdef"},
                    },
                }
            )
        ),
        {
            "reply": {
                "id": 17,
                "ok": False,
                "error": {
                    "code": "snippet_unknown",
                    "message": "snippet 'checkpoint-0123456789abcdef' is not cached; send it with code",
                    "details": {"snippet": "checkpoint-0123456789abcdef"},
                },
            }
        },
    ),
    # frame errors
    ("zero_length", frame(b""), {"frame_error": "bad_frame"}),
    ("length_above_max", frame(b"", length=MAX_FRAME + 1), {"frame_error": "frame_too_large"}),
    ("length_huge", frame(b"", length=0xFFFFFFFF), {"frame_error": "frame_too_large"}),
    (
        "length_exactly_max",
        frame(b" " * (MAX_FRAME - len(j({"id": 10, "op": "ping"}))) + j({"id": 10, "op": "ping"})),
        {"request": {"id": 10, "op": "ping", "params": {}}},
    ),
    ("invalid_utf8", frame(b'{"id":1,"op":"\xff\xfe"}'), {"frame_error": "bad_frame"}),
    ("not_json", frame(b"hello there"), {"frame_error": "bad_frame"}),
    ("json_array", frame(b"[1,2,3]"), {"frame_error": "bad_frame"}),
    ("json_string", frame(b'"ping"'), {"frame_error": "bad_frame"}),
    ("truncated_json", frame(b'{"id":1,"op":'), {"frame_error": "bad_frame"}),
    ("nan_literal", frame(b'{"id":1,"op":"ping","params":{"x":NaN}}'), {"frame_error": "bad_frame"}),
    # incomplete input
    ("truncated_prefix", "0000", {"incomplete": True}),
    ("truncated_payload", frame(j({"id": 1, "op": "ping"}))[:-4], {"incomplete": True}),
    ("empty_input", "", {"incomplete": True}),
    # request errors (frame fine, message wrong)
    ("missing_id", frame(j({"op": "ping"})), {"request_error": {"code": "bad_request", "id": None}}),
    ("string_id", frame(j({"id": "7", "op": "ping"})), {"request_error": {"code": "bad_request", "id": None}}),
    ("float_id", frame(b'{"id":1.5,"op":"ping"}'), {"request_error": {"code": "bad_request", "id": None}}),
    ("negative_id", frame(j({"id": -1, "op": "ping"})), {"request_error": {"code": "bad_request", "id": None}}),
    (
        "id_too_large",
        frame(j({"id": 9007199254740992, "op": "ping"})),
        {"request_error": {"code": "bad_request", "id": None}},
    ),
    ("bool_id", frame(j({"id": True, "op": "ping"})), {"request_error": {"code": "bad_request", "id": None}}),
    ("missing_op", frame(j({"id": 11})), {"request_error": {"code": "bad_request", "id": 11}}),
    ("op_not_string", frame(j({"id": 12, "op": 5})), {"request_error": {"code": "bad_request", "id": 12}}),
    (
        "params_not_object",
        frame(j({"id": 13, "op": "exec", "params": [1]})),
        {"request_error": {"code": "bad_request", "id": 13}},
    ),
    (
        "params_null",
        frame(j({"id": 14, "op": "ping", "params": None})),
        {"request_error": {"code": "bad_request", "id": 14}},
    ),
]

print(
    json.dumps(
        {
            "protocol": 1,
            "max_frame": MAX_FRAME,
            "frames": [{"name": n, "hex": h, "expect": e} for n, h, e in vectors],
        },
        indent=1,
        ensure_ascii=False,
    )
)
