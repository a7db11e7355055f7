# changes, the loader every changes snippet starts with (after the constants
# CHANGES_LIBRARY_NAME and CHANGES_LIBRARY, which mod.rs puts first). The
# library (snapshot.py, take.py, diff.py) is compiled and run once per
# Blender process into a module named after its hash, so that a step pays
# for its own work and not for defining thirty functions again, which cost
# about a sixth of a step on a small scene (docs/BENCHMARKS.md). A newer
# server's library gets a module of its own.
import sys

changes_library = sys.modules.get(CHANGES_LIBRARY_NAME)
if changes_library is None:
    import linecache
    import types

    changes_library = types.ModuleType(CHANGES_LIBRARY_NAME)
    changes_library_file = "<%s>" % CHANGES_LIBRARY_NAME
    # So that a traceback from the library quotes its lines.
    linecache.cache[changes_library_file] = (
        len(CHANGES_LIBRARY),
        None,
        CHANGES_LIBRARY.splitlines(True),
        changes_library_file,
    )
    exec(compile(CHANGES_LIBRARY, changes_library_file, "exec"), changes_library.__dict__)
    sys.modules[CHANGES_LIBRARY_NAME] = changes_library
