# append_asset: appends (or links) one asset of a library into the open file;
# objects and collections go into a collection of the scene. Answers with
# every datablock the file gained. Needs asset_library.py before it.
kind, name = args["type"], args["name"]
label, folder, files = resolve_library(args.get("path"), args.get("library"))
attr = ASSET_KINDS[kind]


def holders_of(name):
    """The files of the library with an asset `name` of this kind, and the
    other assets (for the error when there is none)."""
    holders, others = [], []
    for blend in files:
        names = asset_names(blend, ASSET_KINDS)
        if name in names[kind]:
            holders.append(blend)
        others += [(k, n) for k, ns in names.items() for n in ns]
    return holders, others


def missing_asset(others):
    same_kind = [n for k, n in others if k == kind]
    elsewhere = sorted({k for k, n in others if n == name})
    hint = f" There is a {' and a '.join(elsewhere)} named {name!r}: pass that type." if elsewhere else ""
    choices = choice_list(name, same_kind) if same_kind else "none"
    return LookupError(f"no {kind} asset named {name!r} in {label}.{hint} Its {kind} assets: {choices}")


def datablocks():
    """(bpy.data collection, address) -> name of every datablock in the file."""
    return {
        (collection.identifier, datablock.as_pointer()): datablock.name
        for collection in bpy.data.bl_rna.properties
        if collection.type == "COLLECTION"
        for datablock in getattr(bpy.data, collection.identifier)
        if isinstance(datablock, bpy.types.ID)
    }


holders, others = holders_of(name)
if not holders:
    raise missing_asset(others)
if len(holders) > 1:
    raise ValueError(f"{len(holders)} files of {label} hold a {kind} asset {name!r}: {holders}; pass one as library")
link = bool(args.get("link"))
before = datablocks()
with bpy.data.libraries.load(holders[0], link=link, assets_only=True) as (source, target):
    setattr(target, attr, [name])
added_block = getattr(target, attr)[0]
if added_block is None:
    raise RuntimeError(f"Blender could not load {kind} {name!r} from {holders[0]}")
if not link and added_block.asset_data is not None:
    added_block.asset_clear()  # a copy in this file, no longer the library's asset
placed_in = None
if kind in {"object", "collection"}:
    into = target_collection(args.get("collection"))
    children = into.objects if kind == "object" else into.children
    if added_block not in list(children):
        children.link(added_block)
    placed_in = into.name
added = sorted(
    (collection, block) for (collection, at), block in datablocks().items() if (collection, at) not in before
)
result = {
    "name": added_block.name,
    "type": kind,
    "library": label,
    "file": holders[0],
    "linked": link,
    "placed_in": placed_in,
    "added": [{"type": collection, "name": block} for collection, block in added],
}
