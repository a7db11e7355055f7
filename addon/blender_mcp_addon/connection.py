"""One client connection: its reader thread, its writer thread, its state.

The reader decodes frames, authenticates, answers everything that needs no
Blender (hello, malformed input, unknown ops) and hands the rest to the main
thread as jobs. The writer is the only code that writes to the socket, so
whole frames never interleave, and Blender's main thread never blocks on a
slow client: it only drops bytes into the outbox.

Nothing here touches ``bpy``.
"""

import hmac
import logging
import math
import queue
import socket
import threading

from . import legacy
from .framing import FrameDecoder, FrameError, encode_frame
from .jobs import Job
from .messages import RequestError, error_reply, is_valid_id, ok_reply, parse_request

log = logging.getLogger("blender_mcp")

#: Ops that run on the main thread; everything else is answered by the reader.
MAIN_THREAD_OPS = frozenset(("ping", "exec", "shutdown"))
SUPPORTED_PROTOCOLS = (1,)

_RECV_SIZE = 256 * 1024
#: Longest exec time limit accepted (a day); beyond it the number is surely a mistake.
MAX_TIMEOUT = 86400.0
#: How long a closing connection waits for the peer to hang up after our FIN,
#: so the last reply is not destroyed by a TCP reset on unread input.
_LINGER_SECONDS = 2.0
_CLOSE = object()
# Flags as plain ints: or-ing the socket module's enum members runs Python
# code of the enum module, on the main thread, for every reply.
_SEND_FLAGS = int(getattr(socket, "MSG_NOSIGNAL", 0))  # EPIPE, not SIGPIPE, inside Blender
#: One non-blocking send on a blocking socket (Linux, macOS); None elsewhere.
_SEND_NOW = int(socket.MSG_DONTWAIT) | _SEND_FLAGS if hasattr(socket, "MSG_DONTWAIT") else None


class Connection:
    def __init__(self, sock, peer, server):
        self.peer = peer
        self._sock = sock
        self._server = server
        self._decoder = FrameDecoder(server.settings.max_frame)
        self._outbox = queue.SimpleQueue()
        self._queued = 0  # frames handed to the writer and not yet written
        self._write_lock = threading.Lock()
        self._lock = threading.Lock()
        #: Main-thread jobs not yet answered, by request id (for duplicates and cancel).
        self._in_flight = {}
        self._authenticated = False
        self._peer_done = False  # the client half-closed: close once replies are out
        self._closing = False
        self._reader_done = threading.Event()
        self._writer = threading.Thread(target=self._write_loop, name="blender-mcp-writer", daemon=True)
        self._reader = threading.Thread(target=self._read_loop, name="blender-mcp-reader", daemon=True)

    def start(self):
        self._writer.start()
        self._reader.start()

    # -- called from any thread -------------------------------------------

    def reply(self, request_id, frame):
        """Queue the reply frame of a main-thread request."""
        with self._lock:
            self._in_flight.pop(request_id, None)
            close_now = self._peer_done and not self._in_flight
        self._write(frame)
        if close_now:
            self.close()

    def close(self):
        """Flush what is queued, then close. Safe to call more than once."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
        with self._write_lock:
            self._queued += 1
            self._outbox.put(_CLOSE)

    def _write(self, frame):
        """Send now if that cannot block, else hand the rest to the writer.

        The direct path saves a thread hand-off per reply (the headless
        round trip is dominated by those); it is taken only when nothing is
        queued before this frame, so frames stay whole and in order.
        """
        with self._write_lock:
            if self._queued == 0 and _SEND_NOW is not None and not self._closing:
                try:
                    sent = self._sock.send(frame, _SEND_NOW)
                except BlockingIOError:
                    sent = 0
                except OSError:
                    return  # the connection is gone; the reader sees it too
                if sent == len(frame):
                    return
                # A view, not a slice: slicing bytes copies what is left
                # (most of a large reply) on Blender's main thread.
                frame = memoryview(frame)[sent:]
            self._queued += 1
            self._outbox.put(frame)

    def send_progress(self, request_id, update):
        """Queue a progress frame of a running exec (PROTOCOL.md 4.3)."""
        self._write(encode_frame({"id": request_id, "progress": update}))

    def join(self, timeout):
        self._writer.join(timeout)

    # -- reader thread ----------------------------------------------------

    def _send(self, message):
        self._write(encode_frame(message))

    def _read_loop(self):
        first = True
        try:
            while True:
                data = self._sock.recv(_RECV_SIZE)
                if not data:
                    break
                if first:
                    first = False
                    if data[:1] == legacy.FIRST_BYTE and self._legacy(data):
                        break
                if self._closing:
                    continue  # draining input so that close() does not reset
                try:
                    for message in self._decoder.messages(data):
                        if not self._handle(message):
                            break
                except FrameError as exc:
                    log.info("closing %s: %s", self.peer, exc.message)
                    self._send(error_reply(None, exc.code, exc.message, exc.details))
                    self.close()
        except OSError:
            pass
        finally:
            self._reader_done.set()
            with self._lock:
                self._peer_done = True
                idle = not self._in_flight
            if idle:
                self.close()

    def _legacy(self, data):
        """Serve the original addon's protocol if enabled; False leaves the
        connection to the framed protocol (whose decoder then refuses it)."""
        if not self._server.settings.legacy_protocol:
            log.info("%s speaks the original Blender MCP protocol, which is not enabled (--legacy-protocol)", self.peer)
            return False
        if not legacy.is_loopback(self._sock):
            log.warning("refused %s: the original Blender MCP protocol is served to loopback peers only", self.peer)
            self.close()
            return True
        legacy.serve(self, data, self._server.settings.max_frame)
        return True

    def submit_legacy(self, job_id, command):
        """Queue one original-protocol command for the main thread."""
        job = Job(self, legacy.request(job_id, command))
        with self._lock:
            self._in_flight[job_id] = job
        if not self._server.submit(job):
            self.close()
            return False
        return True

    def recv(self):
        return self._sock.recv(_RECV_SIZE)

    def _handle(self, message):
        """Act on one decoded message; False means the connection is closing."""
        try:
            request = parse_request(message)
        except RequestError as exc:
            self._send(error_reply(exc.id, exc.code, exc.message, exc.details))
            return True
        if not self._authenticated:
            if request.op != "hello":
                self._send(error_reply(request.id, "not_authenticated", "the first request must be hello"))
                self.close()
                return False
            return self._hello(request)
        job = Job(self, request)
        with self._lock:
            if request.id in self._in_flight:
                duplicate = True
            else:
                duplicate = False
                if request.op in MAIN_THREAD_OPS:
                    self._in_flight[request.id] = job
        if duplicate:
            self._send(
                error_reply(request.id, "duplicate_id", "id %d is already in flight on this connection" % request.id)
            )
            return True
        if request.op not in MAIN_THREAD_OPS:
            if request.op == "cancel":
                self._cancel(request)
            elif request.op == "hello":
                self._send(error_reply(request.id, "bad_request", "this connection is already authenticated"))
            else:
                self._send(error_reply(request.id, "unknown_op", "unknown op %r" % request.op[:100]))
            return True
        refusal = self._refusal(request)
        if refusal is not None:
            self.reply(request.id, encode_frame(refusal))
            return True
        if not self._server.submit(job):
            self.reply(request.id, encode_frame(error_reply(request.id, "shutting_down", "the addon is stopping")))
            self.close()
            return False
        return True

    def _refusal(self, request):
        """The I/O-side checks of a main-thread op: an error reply, or None."""
        if request.op == "shutdown" and not self._server.settings.allow_shutdown:
            return error_reply(request.id, "forbidden", "shutdown is not enabled on this addon")
        if request.op == "exec":
            params = request.params
            code, snippet = params.get("code"), params.get("snippet")
            if code is None and snippet is None:
                return error_reply(request.id, "bad_request", "exec needs code or snippet")
            if (code is not None and not isinstance(code, str)) or (
                snippet is not None and not isinstance(snippet, str)
            ):
                return error_reply(request.id, "bad_request", "exec code and snippet must be strings")
            if not isinstance(params.get("args", {}), dict):
                return error_reply(request.id, "bad_request", "exec args must be an object")
            timeout = params.get("timeout")
            if timeout is not None and not (
                type(timeout) in (int, float) and math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT
            ):
                return error_reply(request.id, "bad_request", "exec timeout must be a number of seconds > 0")
            if type(params.get("progress", False)) is not bool:
                return error_reply(request.id, "bad_request", "exec progress must be a boolean")
            for step in ("before", "after"):
                if params.get(step) is not None and not _is_code(params[step]):
                    return error_reply(
                        request.id,
                        "bad_request",
                        "exec %s must be an object with code and/or snippet and optional args" % step,
                    )
        return None

    def _cancel(self, request):
        """The ``cancel`` op (PROTOCOL.md 4.5), answered here on the I/O side."""
        target = request.params.get("target")
        if not is_valid_id(target):
            self._send(
                error_reply(request.id, "bad_request", "cancel needs target: the id of a request on this connection")
            )
            return
        with self._lock:
            job = self._in_flight.get(target)
        state = "unknown" if job is None else self._server.control.cancel(job)
        if state == "dropped":
            # Its reply first, so a client that reads "dropped" has it already.
            log.info("%s cancelled queued request %d", self.peer, target)
            self.reply(
                target, encode_frame(error_reply(target, "cancelled", "the request was cancelled before it started"))
            )
        elif state == "interrupting":
            log.info("%s cancelled running request %d; interrupting it", self.peer, target)
        self._send(ok_reply(request.id, {"state": state}))

    def _hello(self, request):
        params = request.params
        protocol = params.get("protocol")
        if type(protocol) is not int or protocol not in SUPPORTED_PROTOCOLS:
            self._send(
                error_reply(
                    request.id,
                    "unsupported_protocol",
                    "this addon speaks protocol version 1 only",
                    {"supported": list(SUPPORTED_PROTOCOLS)},
                )
            )
            self.close()
            return False
        token = params.get("token")
        expected = self._server.settings.token.encode("utf-8")
        if not isinstance(token, str) or not hmac.compare_digest(token.encode("utf-8", "surrogatepass"), expected):
            log.warning("refused %s: wrong or missing token", self.peer)
            self._send(error_reply(request.id, "unauthorized", "wrong or missing token"))
            self.close()
            return False
        self._authenticated = True
        self._send(ok_reply(request.id, self._server.hello_result()))
        return True

    # -- writer thread ----------------------------------------------------

    def _write_loop(self):
        try:
            while True:
                item = self._outbox.get()
                if item is _CLOSE:
                    break
                self._sock.sendall(item, _SEND_FLAGS)
                with self._write_lock:
                    self._queued -= 1
            # FIN after the last reply, then give the peer a moment to read it
            # and hang up before the socket is destroyed.
            self._sock.shutdown(socket.SHUT_WR)
            self._reader_done.wait(_LINGER_SECONDS)
        except OSError:
            pass
        finally:
            with self._lock:
                self._closing = True
            try:
                self._sock.shutdown(socket.SHUT_RDWR)  # wakes a reader blocked in recv
            except OSError:
                pass
            self._sock.close()
            self._server.forget(self)


def _is_code(before):
    """Whether an exec's ``before`` (or ``after``) is well formed: code and/or snippet
    strings and an optional args object (PROTOCOL.md 4.3)."""
    if not isinstance(before, dict):
        return False
    code, snippet = before.get("code"), before.get("snippet")
    if code is None and snippet is None:
        return False
    if any(part is not None and not isinstance(part, str) for part in (code, snippet)):
        return False
    return isinstance(before.get("args", {}), dict)
