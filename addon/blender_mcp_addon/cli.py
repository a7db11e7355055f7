"""Command line of the headless hosts (PROTOCOL.md section 8).

Used by ``python -m blender_mcp_addon`` (pip's ``bpy``) and by
``blender -b --python addon/keep_alive.py -- ...``. Flags override the
``BLENDER_MCP_*`` environment variables, which override the defaults.
"""

import argparse
import json
import logging
import os
import sys
import tempfile

from .framing import ABSOLUTE_MAX_FRAME, DEFAULT_MAX_FRAME
from .server import BridgeServer, Settings
from .token_store import TokenError, resolve_token

log = logging.getLogger("blender_mcp")

READY_PREFIX = "BLENDER_MCP_READY "


def _port(text):
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("port must be between 0 and 65535")
    return value


def _max_frame(text):
    value = int(text)
    if not 1 <= value <= ABSOLUTE_MAX_FRAME:
        raise argparse.ArgumentTypeError("max frame must be between 1 and 2^32-1")
    return value


def parse_args(argv, environ):
    parser = argparse.ArgumentParser(
        prog="python -m blender_mcp_addon",
        description="Serve the blender-mcp-rs bridge protocol from this Blender.",
    )
    parser.add_argument("--host", default=environ.get("BLENDER_MCP_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=_port, default=environ.get("BLENDER_MCP_PORT", "9876"))
    parser.add_argument("--token-file", help="read (or create) the token here instead of the per-user file")
    parser.add_argument(
        "--max-frame", type=_max_frame, default=environ.get("BLENDER_MCP_MAX_FRAME", str(DEFAULT_MAX_FRAME))
    )
    parser.add_argument(
        "--allow-shutdown",
        action="store_true",
        default=environ.get("BLENDER_MCP_ALLOW_SHUTDOWN") == "1",
        help="let clients stop this Blender with the shutdown op",
    )
    parser.add_argument(
        "--legacy-protocol",
        action="store_true",
        default=environ.get("BLENDER_MCP_LEGACY_PROTOCOL") == "1",
        help="also serve the original Blender MCP addon's protocol (no authentication; loopback peers only)",
    )
    parser.add_argument("--ready-file", help="write the ready JSON object here once listening")
    parser.add_argument(
        "--exit-with-parent",
        action="store_true",
        default=environ.get("BLENDER_MCP_EXIT_WITH_PARENT") == "1",
        help="stop when the process that started this Blender dies (headless hosts; used by the launcher)",
    )
    return parser.parse_args(argv)


def write_ready_file(path, ready):
    """Write then rename, so a watcher never reads half a file."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(prefix=".ready-", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(ready))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def announce(address):
    """Print the ready line the launcher waits for; returns the object."""
    ready = {"host": address[0], "port": address[1], "pid": os.getpid()}
    sys.stdout.write(READY_PREFIX + json.dumps(ready) + "\n")
    sys.stdout.flush()
    return ready


def setup_logging():
    # sys.__stderr__: exec redirects sys.stderr while user code runs, and a
    # log line from an I/O thread must not land in a reply's captured stderr.
    if not log.handlers:
        handler = logging.StreamHandler(sys.__stderr__)
        handler.setFormatter(logging.Formatter("blender-mcp: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def main(argv=None, environ=None):
    """Start the server and serve until shutdown; returns the exit status."""
    environ = os.environ if environ is None else environ
    args = parse_args(argv, environ)
    setup_logging()
    try:
        token = resolve_token(token_file=args.token_file, environ=environ)
    except (TokenError, OSError) as exc:
        log.error("no usable token: %s", exc)
        return 2
    try:
        import bpy
    except ImportError as exc:
        log.error("cannot import bpy (%s): run this with Blender's Python or pip's bpy", exc)
        return 1
    from .host import TimerHost, host_info, run_blocking, watch_parent

    settings = Settings(args.host, args.port, token, args.max_frame, args.allow_shutdown, args.legacy_protocol)
    server = BridgeServer(settings, host_info(bpy))
    try:
        address = server.start()
    except OSError as exc:
        log.error("cannot listen on %s:%s: %s", args.host, args.port, exc)
        return 1
    ready = announce(address)
    if args.ready_file:
        write_ready_file(args.ready_file, ready)
    if server.host_info.mode == "gui":
        # keep_alive.py run by an interactive Blender: serve from a timer and
        # give the main thread back to the window manager.
        TimerHost(server, bpy).start()
        return 0
    if args.exit_with_parent:
        watch_parent(server)
    try:
        run_blocking(server, bpy)
    except KeyboardInterrupt:
        server.stop()
        return 130
    return 0
