"""Runs ``exec`` requests on Blender's main thread (PROTOCOL.md 4.3).

The value rule ("``result`` if bound, else the last expression statement,
else null") is implemented by compiling the source twice over: the body
without a trailing expression as ``exec`` code, the trailing expression as
``eval`` code. Both keep the source's line numbers, so tracebacks point at
the user's lines. Compiled pairs are cached by snippet key in a bounded LRU,
and inline code by its source text in a second, smaller one: clients tend to
send the same short code again and again (a poll, a loop of edits), and
parsing and compiling it is the largest cost of a small exec.
"""

import ast
import builtins
import io
import linecache
import sys
import traceback
from collections import OrderedDict, namedtuple

from . import progress
from .framing import encode_frame
from .interrupt import Interrupted
from .messages import error_reply, ok_reply
from .progress import ProgressReporter

MAX_SNIPPETS = 256
#: Inline sources kept compiled, and the longest one kept (so the cache
#: holds at most a few MiB of source however large the requests are).
MAX_INLINE = 64
MAX_INLINE_CHARS = 64 * 1024
INLINE_FILENAME = "<exec>"
REPR_LIMIT = 1000

#: ``body`` runs as a module; ``tail`` (or None) is the trailing expression;
#: ``source`` is the ``linecache`` entry that lets tracebacks quote the code.
Compiled = namedtuple("Compiled", "body tail filename source")

_THIS_FILE = __file__


class Executor:
    def __init__(self, bpy_module, max_snippets=MAX_SNIPPETS, max_inline=MAX_INLINE):
        self._bpy = bpy_module
        self._max_snippets = max_snippets
        self._snippets = OrderedDict()
        self._max_inline = max_inline
        self._inline = OrderedDict()

    def run(self, job, control):
        """Run one exec job and return its encoded reply frame.

        Returns None when a cancel dropped the job before it started (the
        cancel has answered it already).
        """
        request = job.request
        params = request.params
        code, key = params.get("code"), params.get("snippet")
        stdout, stderr = io.StringIO(), io.StringIO()
        try:
            compiled = self._compiled(code, key)
        except KeyError:
            return encode_frame(
                error_reply(request.id, "snippet_unknown", "snippet %r is not cached; send it with code" % key[:200])
            )
        except BaseException as exc:  # SyntaxError, or worse from compile()
            return self._python_error(request.id, exc, stdout, stderr)

        reporter = ProgressReporter(job.connection, request.id) if params.get("progress") is True else None
        namespace = {
            "__name__": "__blender_mcp__",
            "__builtins__": builtins,
            "bpy": self._bpy,
            "args": params.get("args", {}),
            "progress": progress.ignore if reporter is None else reporter.report,
        }
        timeout = params.get("timeout")
        failure = value = None
        saved = sys.stdout, sys.stderr
        # From begin() until end() has run, a cancel or the time limit may raise
        # Interrupted at any bytecode boundary of this thread, so everything in
        # between sits inside ``try`` and end() is retried until it completes.
        try:
            if not control.begin(job, timeout):
                return None
            sys.stdout, sys.stderr = stdout, stderr
            try:
                exec(compiled.body, namespace)
                value = eval(compiled.tail, namespace) if compiled.tail is not None else None
            finally:
                sys.stdout, sys.stderr = saved
        except BaseException as exc:  # SystemExit and friends must not stop the addon
            failure = exc
        while True:
            try:
                stop = control.end(job)
                break
            except Interrupted:
                continue
        sys.stdout, sys.stderr = saved
        if stop is not None:
            return self._stopped(request.id, stop, timeout, failure, stdout, stderr)
        if reporter is not None:
            reporter.flush()
        if failure is not None:
            return self._python_error(request.id, failure, stdout, stderr)
        explicit = "result" in namespace
        if explicit:
            value = namespace["result"]
        result = {"value": value, "stdout": _text(stdout.getvalue()), "stderr": _text(stderr.getvalue())}
        try:
            return encode_frame(ok_reply(request.id, result))
        except (TypeError, ValueError, RecursionError, OverflowError):
            if not explicit:
                # A trailing expression's value is a convenience, as in a REPL:
                # code ending in an operator call ({'FINISHED'}) or a datablock
                # must not report failure after its side effects have run.
                result["value"] = _safe_repr(value)
                return encode_frame(ok_reply(request.id, result))
            return encode_frame(
                error_reply(
                    request.id,
                    "result_not_json",
                    "the value of type %s cannot be serialised as JSON" % type(value).__name__,
                    {"repr": _safe_repr(value), "stdout": result["stdout"], "stderr": result["stderr"]},
                )
            )

    def _stopped(self, request_id, reason, timeout, failure, stdout, stderr):
        """The reply of a run stopped by a cancel or its time limit.

        ``completed`` tells whether the code ran to its end anyway (the stop
        came while a C call such as a render was running, and the code had
        no Python left to run): its side effects are then all in the scene.
        """
        details = {
            "completed": failure is None,
            "stdout": _text(stdout.getvalue()),
            "stderr": _text(stderr.getvalue()),
        }
        if reason == "timeout":
            details["seconds"] = timeout
            message = "the code ran longer than its time limit of %g s and was interrupted" % timeout
        else:
            message = "the request was cancelled by the client"
        return encode_frame(error_reply(request_id, reason, message, details))

    def _compiled(self, code, key):
        if code is None:
            compiled = self._snippets[key]  # KeyError -> snippet_unknown
            self._snippets.move_to_end(key)
            return compiled
        if key is None:
            return self._compiled_inline(code)
        filename = "<snippet %s>" % key
        compiled = _compile(code, filename)
        self._snippets.pop(key, None)
        self._snippets[key] = compiled
        while len(self._snippets) > self._max_snippets:
            _, evicted = self._snippets.popitem(last=False)
            linecache.cache.pop(evicted.filename, None)
        return compiled

    def _compiled_inline(self, code):
        """Inline code, compiled once per distinct source while it stays cached.

        Every inline source shares the file name ``<exec>``, so its
        ``linecache`` entry is put back on each run: a traceback must quote
        this run's code, not the last one compiled.
        """
        compiled = self._inline.get(code)
        if compiled is None:
            compiled = _compile(code, INLINE_FILENAME)
            if len(code) <= MAX_INLINE_CHARS and self._max_inline > 0:
                self._inline[code] = compiled
                if len(self._inline) > self._max_inline:
                    self._inline.popitem(last=False)
        else:
            self._inline.move_to_end(code)
            linecache.cache[INLINE_FILENAME] = compiled.source
        return compiled

    def _python_error(self, request_id, exc, stdout, stderr):
        name = type(exc).__name__
        text = _safe_str(exc)
        details = {
            "type": name,
            "message": text,
            "traceback": _text(_user_traceback(exc)),
            "stdout": _text(stdout.getvalue()),
            "stderr": _text(stderr.getvalue()),
        }
        return encode_frame(error_reply(request_id, "python_error", "%s: %s" % (name, text), details))


def _compile(code, filename):
    # Register the source so tracebacks can quote the user's lines.
    source = (len(code), None, code.splitlines(True), filename)
    linecache.cache[filename] = source
    tree = ast.parse(code, filename, "exec")
    tail = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        tail = compile(ast.Expression(tree.body.pop().value), filename, "eval")
    return Compiled(compile(tree, filename, "exec"), tail, filename, source)


def _user_traceback(exc):
    """The formatted traceback without the addon's own frames on top."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == _THIS_FILE:
        tb = tb.tb_next
    try:
        return "".join(traceback.format_exception(type(exc), exc, tb))
    except BaseException:
        return "%s (traceback unavailable)" % type(exc).__name__


def _text(text):
    """Make captured text encodable: a lone surrogate (printable in Python,
    not in UTF-8) becomes "?" instead of breaking the whole reply."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def _safe_str(exc):
    try:
        return _text(str(exc))
    except BaseException:
        return "<str() of the exception failed>"


def _safe_repr(value):
    try:
        text = repr(value)
    except BaseException as exc:
        text = "<repr() failed: %s>" % type(exc).__name__
    return _text(text[:REPR_LIMIT])
