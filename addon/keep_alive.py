"""Serve the bridge from a Blender executable.

    blender -b --factory-startup --python addon/keep_alive.py -- [flags]

The flags are those of ``python -m blender_mcp_addon``. In background mode
this script keeps Blender's main thread until a shutdown request, then
returns, and Blender exits with status 0. Run without ``-b`` it starts the
server on a GUI timer and returns at once.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from blender_mcp_addon.cli import main  # noqa: E402


def _script_args(argv):
    return argv[argv.index("--") + 1 :] if "--" in argv else []


_status = main(_script_args(sys.argv))
if _status:
    # Only failures leave through SystemExit: a normal return lets Blender
    # finish its own shutdown and exit 0.
    sys.exit(_status)
