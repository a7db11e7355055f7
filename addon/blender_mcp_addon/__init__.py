"""blender-mcp-rs bridge addon: lets the blender-mcp-rs server drive Blender.

Importing this package needs no ``bpy``: the protocol modules are pure
Python and are unit-tested without Blender. Only ``register()`` (called by
Blender when the addon is enabled) loads the GUI parts.
"""

bl_info = {
    "name": "Blender MCP (blender-mcp-rs bridge)",
    "author": "blender-mcp-rs contributors",
    "version": (0, 2, 0),
    "blender": (3, 4, 0),
    "location": "View3D > Sidebar > MCP",
    "description": "Serves the blender-mcp-rs bridge protocol on a loopback TCP port",
    "category": "System",
}


def register():
    from . import gui

    gui.register()


def unregister():
    from . import gui

    gui.unregister()
