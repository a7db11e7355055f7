"""Requests and replies (PROTOCOL.md section 3): validation and builders.

Pure Python, no ``bpy``. A decoded frame is a dict; this module decides
whether it is a request the addon can act on and builds the reply dicts.
"""

from collections import namedtuple

#: Largest id a client may use: 2^53 - 1, so that ids survive JavaScript.
MAX_ID = 2**53 - 1

Request = namedtuple("Request", "id op params")


class RequestError(Exception):
    """A well-framed JSON object that is not a valid request.

    ``id`` is the id the error reply carries: the request's own id when that
    field is valid, else ``None``.
    """

    def __init__(self, code, message, request_id=None, details=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.id = request_id
        self.details = details


def is_valid_id(value):
    # bool is a subclass of int in Python; JSON true is not an id.
    return type(value) is int and 0 <= value <= MAX_ID


def parse_request(message):
    """Validate a decoded frame as a request (3.1) and default its params."""
    request_id = message.get("id")
    if not is_valid_id(request_id):
        raise RequestError(
            "bad_request",
            "request id must be an integer between 0 and 2^53-1",
        )
    op = message.get("op")
    if not isinstance(op, str):
        raise RequestError("bad_request", "request op must be a string", request_id)
    params = message.get("params", {})
    if not isinstance(params, dict):
        raise RequestError("bad_request", "request params must be an object", request_id)
    return Request(request_id, op, params)


def ok_reply(request_id, result):
    return {"id": request_id, "ok": True, "result": result}


def error_reply(request_id, code, message, details=None):
    error = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"id": request_id, "ok": False, "error": error}


def parse_reply(message):
    """Validate a decoded frame as a reply (3.2); used by tests and clients.

    Raises ``ValueError`` with the reason when the object is not a reply.
    """
    request_id = message.get("id", ...)
    if request_id is not None and not is_valid_id(request_id):
        raise ValueError("reply id must be null or a valid request id")
    ok = message.get("ok")
    if type(ok) is not bool:
        raise ValueError("reply ok must be a boolean")
    if ok:
        if "result" not in message or "error" in message:
            raise ValueError("a successful reply has result and no error")
    else:
        error = message.get("error")
        if "result" in message or not isinstance(error, dict):
            raise ValueError("a failed reply has an error object and no result")
        if not isinstance(error.get("code"), str) or not isinstance(error.get("message"), str):
            raise ValueError("error code and message must be strings")
        if "details" in error and not isinstance(error["details"], dict):
            raise ValueError("error details must be an object")
    return message


def parse_progress(message):
    """Validate a decoded frame as a progress frame (3.3); used by tests and clients.

    A frame from the addon is a reply iff it has ``ok``; without ``ok`` it
    must be a progress frame. Raises ``ValueError`` when it is neither.
    """
    if "ok" in message:
        raise ValueError("a frame with ok is a reply, not progress")
    if not is_valid_id(message.get("id")):
        raise ValueError("progress id must be a valid request id")
    progress = message.get("progress")
    if not isinstance(progress, dict):
        raise ValueError("progress must be an object")
    number = (int, float)
    if type(progress.get("done")) not in number:
        raise ValueError("progress done must be a number")
    if progress.get("total") is not None and type(progress["total"]) not in number:
        raise ValueError("progress total must be a number or null")
    if progress.get("message") is not None and not isinstance(progress["message"], str):
        raise ValueError("progress message must be a string or null")
    return message
