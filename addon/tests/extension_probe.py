"""Run by pip's bpy in test_extension.py: install the addon both ways a user
can on Blender 4.2+ (extension zip, legacy scripts/addons folder), enable,
start and stop it, and print what was observed as one JSON line.

Arguments: EXTENSION_ZIP
"""

import importlib
import json
import socket
import sys

# isort: off
import bpy  # addon_utils only exists once bpy is imported
import addon_utils
# isort: on


def exercise(module_name):
    seen = {"enabled": module_name in bpy.context.preferences.addons}
    prefs = bpy.context.preferences.addons[module_name].preferences
    seen["prefs"] = [prefs.host, prefs.port, prefs.auto_start, prefs.allow_shutdown]
    seen["operators"] = [hasattr(bpy.ops.blender_mcp, "start"), hasattr(bpy.ops.blender_mcp, "stop")]
    gui = importlib.import_module(module_name + ".gui")
    address = gui.start_server("127.0.0.1", 0, "probe-token-0123456789")
    socket.create_connection(address, timeout=5).close()
    seen["running"] = gui.is_running()
    addon_utils.disable(module_name)
    seen["running_after_disable"] = gui.is_running()
    try:
        socket.create_connection(address, timeout=2).close()
        seen["port_closed"] = False
    except OSError:
        seen["port_closed"] = True
    return seen


result = {}
installed = bpy.ops.extensions.package_install_files(filepath=sys.argv[1], repo="user_default", enable_on_install=True)
result["install"] = sorted(installed)
result["extension"] = exercise("bl_ext.user_default.blender_mcp_rs")
addon_utils.enable("blender_mcp_addon", default_set=True, handle_error=None)
result["legacy"] = exercise("blender_mcp_addon")
result["legacy_file"] = sys.modules["blender_mcp_addon"].__file__
print("PROBE " + json.dumps(result))
