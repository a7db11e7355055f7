"""Run by an interactive Blender in the GUI test: enable the addon the way a
user does (addon_utils, from a user scripts folder) and start its server.

Arguments after ``--``: ``--ready-file PATH``.
"""

import sys

import addon_utils

module = addon_utils.enable("blender_mcp_addon", default_set=True, handle_error=None)
if module is None:
    raise SystemExit("the blender_mcp_addon addon did not enable")

from blender_mcp_addon import gui  # noqa: E402
from blender_mcp_addon.cli import write_ready_file  # noqa: E402

argv = sys.argv[sys.argv.index("--") + 1 :]
address = gui.start_server("127.0.0.1", 0, None, allow_shutdown=True)
write_ready_file(
    argv[argv.index("--ready-file") + 1], {"host": address[0], "port": address[1], "pid": __import__("os").getpid()}
)
