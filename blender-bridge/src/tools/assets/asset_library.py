# Asset libraries: where they are, which .blend files they hold, and the
# assets marked in each file, read without opening the file: names from the
# file's index, metadata by linking them into a temporary database
# (bpy.data.temp_data) that is thrown away, so the open file gains nothing.
# Catalogs are read from the blender_assets.cats.txt beside the library.
# Paths arrive already confined by the server; configured libraries are the
# user's own choice.
import os

# Asset types as the tools name them -> the bpy.data collection holding them.
ASSET_KINDS = {
    "object": "objects",
    "collection": "collections",
    "material": "materials",
    "node_group": "node_groups",
    "world": "worlds",
    "action": "actions",
    "brush": "brushes",
}
CATALOG_FILE = "blender_assets.cats.txt"
CURRENT_FILE = "Current File"
NO_CATALOG = "00000000-0000-0000-0000-000000000000"


def configured_libraries():
    """Blender's asset libraries (Preferences > File Paths): name -> folder."""
    return {lib.name: bpy.path.abspath(lib.path) for lib in bpy.context.preferences.filepaths.asset_libraries}


def blend_files(folder):
    """The .blend files under `folder`, sorted."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [os.path.join(root, f) for f in sorted(files) if f.endswith(".blend")]
    return found


def resolve_library(path, name):
    """(label, root folder, .blend files) of a confined path or a configured
    library's name."""
    if path is not None:
        if os.path.isfile(path):
            if not path.endswith(".blend"):
                raise ValueError(f"{path} is not a .blend file")
            return path, os.path.dirname(path), [path]
        if os.path.isdir(path):
            return path, path, blend_files(path)
        raise FileNotFoundError(f"no .blend file or folder at {path}")
    libraries = configured_libraries()
    if name not in libraries:
        known = ", ".join(repr(n) for n in close_first(name, libraries)) or "none configured"
        raise LookupError(
            f"no asset library named {name!r}; configured: {known}. A path (absolute, or with a '/') "
            "to a .blend file or folder works too."
        )
    folder = libraries[name]
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"asset library {name!r} points to {folder}, which is not a folder")
    return name, folder, blend_files(folder)


def read_catalogs(folder):
    """Catalog UUID -> path ("Furniture/Chairs") from the folder's catalog file."""
    catalogs = {}
    try:
        with open(os.path.join(folder, CATALOG_FILE), encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return catalogs
    for line in lines:
        line = line.strip()
        if not line or line.startswith(("#", "VERSION")):
            continue
        parts = line.split(":", 2)
        if len(parts) >= 2:
            catalogs[parts[0]] = parts[1]
    return catalogs


def describe_asset(datablock, kind, library, blend, catalogs):
    meta = datablock.asset_data
    catalog_id = str(meta.catalog_id)
    catalog = None
    if catalog_id != NO_CATALOG:
        catalog = catalogs.get(catalog_id) or meta.catalog_simple_name or catalog_id
    return {
        "name": datablock.name,
        "type": kind,
        "library": library,
        "file": blend,
        "catalog": catalog,
        "tags": [tag.name for tag in meta.tags],
        "description": meta.description or None,
    }


def asset_names(blend, kinds):
    """Kind -> names of the assets of `kinds` marked in `blend`. Nothing is
    loaded, so the open file gains nothing (not even a library)."""
    with bpy.data.libraries.load(blend, assets_only=True) as (source, _):
        return {kind: list(getattr(source, ASSET_KINDS[kind])) for kind in kinds}


def assets_in_file(blend, kinds, library, catalogs):
    """The assets of `kinds` marked in `blend`, with their metadata, which
    only a loaded datablock has: they are linked into a throwaway database."""
    names = asset_names(blend, kinds)
    if not any(names.values()):
        return []
    found = []
    with bpy.data.temp_data() as temp:
        with temp.libraries.load(blend, link=True, assets_only=True) as (_, target):
            for kind in kinds:
                setattr(target, ASSET_KINDS[kind], names[kind])
        for kind in kinds:
            for datablock in getattr(target, ASSET_KINDS[kind]):
                if datablock is not None and datablock.asset_data is not None:
                    found.append(describe_asset(datablock, kind, library, blend, catalogs))
    return found


def assets_in_current_file(kinds):
    found = []
    for kind in kinds:
        for datablock in getattr(bpy.data, ASSET_KINDS[kind]):
            if datablock.asset_data is not None and datablock.library is None:
                found.append(describe_asset(datablock, kind, CURRENT_FILE, bpy.data.filepath or None, {}))
    return found


def assets_of_library(label, folder, files, kinds):
    catalogs = read_catalogs(folder)
    found = []
    for blend in files:
        found += assets_in_file(blend, kinds, label, catalogs)
    return found
