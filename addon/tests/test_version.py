"""The addon's version has one home, bl_info; the extension manifest must agree with it."""

from pathlib import Path

import blender_mcp_addon
import tomllib
from blender_mcp_addon.server import ADDON_VERSION

MANIFEST = Path(blender_mcp_addon.__file__).with_name("blender_manifest.toml")


def test_the_hello_version_is_bl_info():
    assert ADDON_VERSION == ".".join(str(part) for part in blender_mcp_addon.bl_info["version"])


def test_the_extension_manifest_matches_bl_info():
    manifest = tomllib.loads(MANIFEST.read_text())
    assert manifest["version"] == ADDON_VERSION, "blender_manifest.toml says %s but bl_info says %s: change both" % (
        manifest["version"],
        ADDON_VERSION,
    )
