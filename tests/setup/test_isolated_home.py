"""scripts/test.sh runs every suite with HOME and the XDG directories in a
temporary folder, so no result depends on what the real home holds (a token
file, a cache, the user's Blender settings). This checks that it did."""

import os
import pwd
from pathlib import Path


def test_the_suites_run_with_a_temporary_home():
    isolated = os.environ.get("BLENDER_MCP_ISOLATED_HOME")
    assert isolated, "run the suites through scripts/test.sh, which gives them a temporary HOME"
    real_home = Path(pwd.getpwuid(os.getuid()).pw_dir).resolve()
    assert Path.home().resolve() == Path(isolated).resolve() != real_home
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        assert Path(os.environ[name]).resolve().is_relative_to(Path(isolated).resolve()), name
