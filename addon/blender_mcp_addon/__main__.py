"""``python -m blender_mcp_addon``: serve from pip's ``bpy`` (module mode)."""

import sys

from .cli import main

sys.exit(main())
