"""Interactive Blender: preferences, start/stop operators, a sidebar panel.

Works as a legacy addon (Blender 3.4+, ``bl_info``) and as a 4.2+ extension
(``blender_manifest.toml``); in both cases ``__package__`` is the name
Blender registered the preferences under.
"""

import logging
import os

import bpy

from .cli import announce, setup_logging
from .framing import DEFAULT_MAX_FRAME
from .host import TimerHost, host_info
from .server import BridgeServer, Settings
from .token_store import TokenError, resolve_token

log = logging.getLogger("blender_mcp")

#: The one running server of this Blender session, if any.
_host = None


def start_server(
    host="127.0.0.1", port=9876, token=None, max_frame=DEFAULT_MAX_FRAME, allow_shutdown=False, legacy_protocol=False
):
    """Start serving from the GUI timer; returns the bound ``(host, port)``.

    ``token`` is the preference value; ``BLENDER_MCP_TOKEN`` and the token
    file still take part in the precedence of PROTOCOL.md section 7.
    """
    global _host
    if is_running():
        return _host.server.address
    setup_logging()
    legacy_protocol = legacy_protocol or os.environ.get("BLENDER_MCP_LEGACY_PROTOCOL") == "1"
    settings = Settings(host, port, resolve_token(preference=token or None), max_frame, allow_shutdown, legacy_protocol)
    server = BridgeServer(settings, host_info(bpy))
    address = server.start()
    _host = TimerHost(server, bpy)
    _host.start()
    announce(address)
    return address


def stop_server():
    global _host
    if _host is not None:
        _host.stop()
        _host = None


def is_running():
    return _host is not None and _host.running


def _preferences(context):
    addon = context.preferences.addons.get(__package__)
    return addon.preferences if addon is not None else None


class BLENDER_MCP_AddonPreferences(bpy.types.AddonPreferences):
    bl_idname = __package__

    host: bpy.props.StringProperty(name="Host", default=os.environ.get("BLENDER_MCP_HOST", "127.0.0.1"))
    port: bpy.props.IntProperty(name="Port", default=9876, min=0, max=65535)
    token: bpy.props.StringProperty(
        name="Token",
        subtype="PASSWORD",
        description="Shared secret; empty uses $BLENDER_MCP_TOKEN or the per-user token file",
    )
    auto_start: bpy.props.BoolProperty(name="Start automatically", default=False)
    allow_shutdown: bpy.props.BoolProperty(
        name="Allow remote stop", description="Let clients stop the server (Blender stays open)", default=False
    )
    legacy_protocol: bpy.props.BoolProperty(
        name="Original protocol (no auth)",
        description="Also serve the original Blender MCP addon's protocol to local clients. It has no "
        "authentication: any local process can then run Python in Blender",
        default=False,
    )

    def draw(self, context):
        layout = self.layout
        row = layout.row()
        row.prop(self, "host")
        row.prop(self, "port")
        layout.prop(self, "token")
        row = layout.row()
        row.prop(self, "auto_start")
        row.prop(self, "allow_shutdown")
        layout.prop(self, "legacy_protocol")


class BLENDER_MCP_OT_start(bpy.types.Operator):
    """Start the blender-mcp-rs bridge server"""

    bl_idname = "blender_mcp.start"
    bl_label = "Start MCP Bridge"

    def execute(self, context):
        prefs = _preferences(context)
        try:
            if prefs is None:
                address = start_server()
            else:
                address = start_server(
                    prefs.host,
                    prefs.port,
                    prefs.token,
                    allow_shutdown=prefs.allow_shutdown,
                    legacy_protocol=prefs.legacy_protocol,
                )
        except (OSError, TokenError) as exc:
            self.report({"ERROR"}, "MCP bridge did not start: %s" % exc)
            return {"CANCELLED"}
        self.report({"INFO"}, "MCP bridge listening on %s:%d" % tuple(address))
        return {"FINISHED"}


class BLENDER_MCP_OT_stop(bpy.types.Operator):
    """Stop the blender-mcp-rs bridge server"""

    bl_idname = "blender_mcp.stop"
    bl_label = "Stop MCP Bridge"

    def execute(self, context):
        stop_server()
        return {"FINISHED"}


class BLENDER_MCP_PT_panel(bpy.types.Panel):
    bl_label = "MCP Bridge"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "MCP"

    def draw(self, context):
        layout = self.layout
        if is_running():
            layout.label(text="Listening on %s:%d" % tuple(_host.server.address))
            layout.operator(BLENDER_MCP_OT_stop.bl_idname)
        else:
            layout.label(text="Stopped")
            layout.operator(BLENDER_MCP_OT_start.bl_idname)


_classes = (BLENDER_MCP_AddonPreferences, BLENDER_MCP_OT_start, BLENDER_MCP_OT_stop, BLENDER_MCP_PT_panel)


def _auto_start():
    # Deferred: preferences and a full context are not there during register().
    prefs = _preferences(bpy.context)
    if prefs is not None and prefs.auto_start and not is_running():
        try:
            start_server(
                prefs.host,
                prefs.port,
                prefs.token,
                allow_shutdown=prefs.allow_shutdown,
                legacy_protocol=prefs.legacy_protocol,
            )
        except (OSError, TokenError) as exc:
            log.error("auto-start failed: %s", exc)
    return None


def register():
    for cls in _classes:
        bpy.utils.register_class(cls)
    if not bpy.app.background:
        bpy.app.timers.register(_auto_start, first_interval=0.5)


def unregister():
    stop_server()
    if bpy.app.timers.is_registered(_auto_start):
        bpy.app.timers.unregister(_auto_start)
    for cls in reversed(_classes):
        bpy.utils.unregister_class(cls)
