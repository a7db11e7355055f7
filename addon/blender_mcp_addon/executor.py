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
from .framing import check_json, encode_frame
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

#: ``before_value`` of an exec whose precondition did not run to its end.
_NOT_RUN = object()


#: How an exec ended: ``stop`` (a cancel or the time limit, else None), the
#: code's exception (``failure``) or trailing ``value``, the precondition's
#: value (``_NOT_RUN`` if it did not finish) or exception, and what the
#: ``after`` step adds to the reply (``{}`` when it did not run).
Outcome = namedtuple("Outcome", "stop failure value before_value pre_failure after")


class _Refused(Exception):
    """The request was answered (``frame``) before anything ran."""

    def __init__(self, frame):
        super().__init__("refused before running")
        self.frame = frame


class _NotJson(Exception):
    """A precondition's value that the reply could not carry back."""

    def __init__(self, value):
        super().__init__("the value of type %s cannot be serialised as JSON" % type(value).__name__)
        self.value = value


class Executor:
    def __init__(self, bpy_module, max_snippets=MAX_SNIPPETS, max_inline=MAX_INLINE):
        self._bpy = bpy_module
        #: Jobs that could change the scene (exec, legacy) taken by the main
        #: thread so far; the steps see it as ``job`` (PROTOCOL.md 4.3).
        self.jobs = 0
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
        stdout, stderr = io.StringIO(), io.StringIO()
        try:
            pre, compiled, post = self._resolve(request, stdout, stderr)
        except _Refused as refused:
            return refused.frame
        reporter = ProgressReporter(job.connection, request.id) if params.get("progress") is True else None
        namespace = {
            "__name__": "__blender_mcp__",
            "__builtins__": builtins,
            "bpy": self._bpy,
            "args": params.get("args", {}),
            "progress": progress.stopping(job, progress.ignore if reporter is None else reporter.report),
        }
        timeout = params.get("timeout")
        pre_out, pre_err = (io.StringIO(), io.StringIO()) if pre is not None else (None, None)
        outcome = self._execute(job, control, (pre, compiled, post), namespace, (stdout, stderr), (pre_out, pre_err))
        if outcome is None:
            return None
        # What every reply of a request whose precondition ran carries back.
        extra = {} if outcome.before_value is _NOT_RUN else {"before": outcome.before_value}
        extra.update(outcome.after)
        if outcome.stop is not None:
            if pre is not None and outcome.before_value is _NOT_RUN:
                # Stopped before or inside the precondition: nothing of the
                # user's ran, and the reply says so by carrying no ``before``.
                return self._stopped(request.id, outcome.stop, timeout, False, pre_out, pre_err, extra)
            completed = outcome.failure is None
            return self._stopped(request.id, outcome.stop, timeout, completed, stdout, stderr, extra)
        if reporter is not None:
            reporter.flush()
        if outcome.pre_failure is not None:
            return self._precondition_failed(request.id, outcome.pre_failure, pre_out, pre_err)
        if outcome.failure is not None:
            return self._python_error(request.id, outcome.failure, stdout, stderr, extra)
        return _value_reply(request.id, namespace, outcome.value, stdout, stderr, extra)

    def _resolve(self, request, stdout, stderr):
        """The compiled precondition (or None), code and ``after`` step (or
        None), or ``_Refused``.

        All are resolved before anything runs: a missing snippet or a
        syntax error must not leave a checkpoint taken for nothing.
        """
        params = request.params
        pre = self._compiled_step(request, "before", self._precondition_failed, stdout, stderr)
        try:
            compiled = self._compiled(params.get("code"), params.get("snippet"))
        except KeyError as missing:
            raise _Refused(_snippet_unknown(request.id, missing.args[0])) from None
        except BaseException as exc:  # SyntaxError, or worse from compile()
            raise _Refused(self._python_error(request.id, exc, stdout, stderr)) from None
        post = self._compiled_step(request, "after", _after_refused, stdout, stderr)
        return pre, compiled, post

    def _compiled_step(self, request, name, refusal, stdout, stderr):
        """The compiled ``before`` or ``after`` step of a request, or None."""
        step = request.params.get(name)
        if step is None:
            return None
        try:
            return self._compiled(step.get("code"), step.get("snippet"))
        except KeyError as missing:
            raise _Refused(_snippet_unknown(request.id, missing.args[0])) from None
        except BaseException as exc:
            raise _Refused(refusal(request.id, exc, stdout, stderr)) from None

    def _execute(self, job, control, steps, namespace, out, pre_out):
        """Runs the precondition, then the code, under the job's run control,
        then the ``after`` step; None when a cancel dropped the job before it
        started.

        From begin() until end() has run, a cancel or the time limit may raise
        Interrupted at any bytecode boundary of this thread, so everything in
        between sits inside ``try`` and end() is retried until it completes.
        The ``after`` step runs once end() has returned: nothing interrupts it.
        """
        pre, compiled, post = steps
        timeout = job.request.params.get("timeout")
        failure = value = pre_failure = None
        before_value = _NOT_RUN
        saved = sys.stdout, sys.stderr
        try:
            if not control.begin(job, timeout if pre is None else None):
                return None
            if pre is not None:
                before_args = job.request.params["before"].get("args", {})
                before_value, pre_failure = self._run_step(pre, before_args, *pre_out)
                if pre_failure is None:
                    control.arm(job, timeout)
            if pre_failure is None:
                sys.stdout, sys.stderr = out
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
        code_started = pre_failure is None and (pre is None or before_value is not _NOT_RUN)
        after = self._run_after(post, job.request.params) if post is not None and code_started else {}
        return Outcome(stop, failure, value, before_value, pre_failure, after)

    def _run_after(self, compiled, params):
        """Run an exec's ``after`` step: what it adds to the reply, ``after``
        (its value) or ``after_failed`` (why it has none)."""
        step_out = io.StringIO()
        value, exc = self._run_step(compiled, params["after"].get("args", {}), step_out, step_out)
        if exc is None:
            return {"after": value}
        if isinstance(exc, _NotJson):
            return {"after_failed": {"type": "result_not_json", "message": str(exc), "repr": _safe_repr(exc.value)}}
        return {
            "after_failed": {
                "type": type(exc).__name__,
                "message": _safe_str(exc),
                "traceback": _text(_user_traceback(exc)),
            }
        }

    def _run_step(self, compiled, args, stdout, stderr):
        """Run an exec's precondition (or its ``after`` step): ``(value,
        None)``, or ``(_NOT_RUN, exc)``.

        Its own namespace and output, so the user code sees neither; its
        value must be strict JSON because the reply carries it back.
        """
        namespace = {
            "__name__": "__blender_mcp__",
            "__builtins__": builtins,
            "bpy": self._bpy,
            "args": args,
            "progress": progress.ignore,
            "job": self.jobs,
        }
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = stdout, stderr
        try:
            exec(compiled.body, namespace)
            value = eval(compiled.tail, namespace) if compiled.tail is not None else None
            value = namespace.get("result", value)
            try:
                check_json(value)
            except (TypeError, ValueError, RecursionError, OverflowError):
                raise _NotJson(value) from None
            return value, None
        except BaseException as exc:  # Interrupted (a cancel) included
            return _NOT_RUN, exc
        finally:
            sys.stdout, sys.stderr = saved

    def _precondition_failed(self, request_id, exc, stdout, stderr):
        if isinstance(exc, _NotJson):
            details = {"type": "result_not_json", "message": str(exc), "repr": _safe_repr(exc.value)}
        else:
            details = {"type": type(exc).__name__, "message": _safe_str(exc), "traceback": _text(_user_traceback(exc))}
        details["stdout"] = _text(stdout.getvalue())
        details["stderr"] = _text(stderr.getvalue())
        message = "the precondition failed (%s: %s); the code was not run" % (details["type"], details["message"])
        return encode_frame(error_reply(request_id, "precondition_failed", message, details))

    def _stopped(self, request_id, reason, timeout, completed, stdout, stderr, extra):
        """The reply of a run stopped by a cancel or its time limit.

        ``completed`` tells whether the code ran to its end anyway (the stop
        came while a C call such as a render was running, and the code had
        no Python left to run): its side effects are then all in the scene.
        """
        details = {
            "completed": completed,
            "stdout": _text(stdout.getvalue()),
            "stderr": _text(stderr.getvalue()),
        }
        details.update(extra)
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

    def _python_error(self, request_id, exc, stdout, stderr, extra=None):
        name = type(exc).__name__
        text = _safe_str(exc)
        details = {
            "type": name,
            "message": text,
            "traceback": _text(_user_traceback(exc)),
            "stdout": _text(stdout.getvalue()),
            "stderr": _text(stderr.getvalue()),
        }
        if extra:
            details.update(extra)
        return encode_frame(error_reply(request_id, "python_error", "%s: %s" % (name, text), details))


def _value_reply(request_id, namespace, value, stdout, stderr, extra):
    """The reply of a run that completed: ``result`` if the code bound it,
    else the trailing expression's value."""
    explicit = "result" in namespace
    if explicit:
        value = namespace["result"]
    result = {"value": value, "stdout": _text(stdout.getvalue()), "stderr": _text(stderr.getvalue())}
    result.update(extra)
    try:
        return encode_frame(ok_reply(request_id, result))
    except (TypeError, ValueError, RecursionError, OverflowError):
        if not explicit:
            # A trailing expression's value is a convenience, as in a REPL:
            # code ending in an operator call ({'FINISHED'}) or a datablock
            # must not report failure after its side effects have run.
            result["value"] = _safe_repr(value)
            return encode_frame(ok_reply(request_id, result))
        details = {"repr": _safe_repr(value), "stdout": result["stdout"], "stderr": result["stderr"]}
        details.update(extra)
        return encode_frame(
            error_reply(
                request_id,
                "result_not_json",
                "the value of type %s cannot be serialised as JSON" % type(value).__name__,
                details,
            )
        )


def _after_refused(request_id, exc, stdout, stderr):
    """An ``after`` step that does not compile: the client's bug, refused
    before anything runs."""
    message = "the after step does not compile (%s: %s); nothing was run" % (type(exc).__name__, _safe_str(exc))
    return encode_frame(error_reply(request_id, "bad_request", message))


def _snippet_unknown(request_id, key):
    message = "snippet %r is not cached; send it with code" % key[:200]
    return encode_frame(error_reply(request_id, "snippet_unknown", message, {"snippet": key}))


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
