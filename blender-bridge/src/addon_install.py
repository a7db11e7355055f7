"""Run by a person's Blender for `blender-mcp-rs addon install|status`.

Blender installs and enables its own add-ons: doing it through Blender (its
operators, its user preferences) is what makes the result the same as a
person clicking Install in Preferences, on every version and platform.

Arguments after ``--``:
    status
    install LEGACY_ZIP EXTENSION_ZIP [--auto-start]

Prints one line ``BLENDER_MCP_ADDON {json}`` with what it found or did:
``blender`` (version string), ``installed`` (list of {module, version, kind,
enabled}), and for install the ``module`` it enabled.
"""

import ast
import importlib
import json
import sys
from pathlib import Path

import bpy

# Not a plain import: in pip's bpy, addon_utils is importable only once bpy is.
addon_utils = importlib.import_module("addon_utils")

#: The legacy add-on's module, and the extension's id (blender_manifest.toml).
LEGACY_MODULE = "blender_mcp_addon"
EXTENSION_ID = "blender_mcp_rs"
#: The first Blender with extensions (and the last legacy-only one before it).
EXTENSIONS_SINCE = (4, 2, 0)


def _version_of(module):
    """The installed copy's ``bl_info`` version, read from its source.

    Not from the module: Blender 4.2+ drops ``bl_info`` from an extension's
    module, and a disabled add-on is not imported at all.
    """
    source = (Path(module.__file__).parent / "__init__.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "bl_info" for t in node.targets):
            return ".".join(str(part) for part in ast.literal_eval(node.value)["version"])
    return "unknown"


def _is_ours(name):
    return name == LEGACY_MODULE or name.rsplit(".", 1)[-1] == EXTENSION_ID


def installed():
    """Every copy of the addon Blender knows of, legacy or extension."""
    found = []
    for module in addon_utils.modules(refresh=True):
        name = module.__name__
        if _is_ours(name):
            found.append(
                {
                    "module": name,
                    "version": _version_of(module),
                    "kind": "extension" if name.startswith("bl_ext.") else "legacy add-on",
                    "enabled": bool(addon_utils.check(name)[1]),
                    "path": str(Path(module.__file__).parent),
                }
            )
    return found


def install(legacy_zip, extension_zip, auto_start):
    """Installs the package this Blender wants and enables it."""
    if bpy.app.version >= EXTENSIONS_SINCE:
        bpy.ops.extensions.package_install_files(
            filepath=extension_zip, repo="user_default", enable_on_install=True, overwrite=True
        )
        module = "bl_ext.user_default." + EXTENSION_ID
    else:
        bpy.ops.preferences.addon_install(filepath=legacy_zip, overwrite=True)
        module = LEGACY_MODULE
    # Idempotent, and the legacy path needs it: addon_install only copies.
    addon_utils.enable(module, default_set=True, handle_error=_raise)
    if auto_start:
        bpy.context.preferences.addons[module].preferences.auto_start = True
    bpy.ops.wm.save_userpref()
    return module


def _raise(exc):
    raise exc


def main(argv):
    # pip's bpy starts from factory settings (Blender run with -b has read the
    # person's already): read them, or saving would wipe them.
    bpy.ops.wm.read_userpref()
    report = {"blender": bpy.app.version_string}
    if argv[:1] == ["install"] and len(argv) >= 3:
        report["module"] = install(argv[1], argv[2], "--auto-start" in argv[3:])
    elif argv != ["status"]:
        raise SystemExit("usage: -- status | install LEGACY_ZIP EXTENSION_ZIP [--auto-start]")
    report["installed"] = installed()
    print("BLENDER_MCP_ADDON " + json.dumps(report), flush=True)


main(sys.argv[sys.argv.index("--") + 1 :] if "--" in sys.argv else [])
