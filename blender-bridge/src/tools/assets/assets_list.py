# list_assets: the assets of one library (a .blend file, a folder, or a
# configured library's name), or of every configured library and the open
# file. Needs asset_library.py before it.
kinds = [args["type"]] if args.get("type") else list(ASSET_KINDS)
needle = (args.get("name_contains") or "").lower()
everywhere = args.get("path") is None and args.get("library") is None
if not everywhere:
    searched = [resolve_library(args.get("path"), args.get("library"))]
    assets = []
else:
    searched = [(name, folder, blend_files(folder)) for name, folder in configured_libraries().items()]
    searched = [lib for lib in searched if os.path.isdir(lib[1])]
    assets = assets_in_current_file(kinds)
for label, folder, files in searched:
    assets += assets_of_library(label, folder, files, kinds)
matching = [a for a in assets if needle in a["name"].lower()]
limit = args.get("limit") or 100
result = {
    "assets": matching[:limit],
    "total": len(matching),
    "libraries": [CURRENT_FILE] * everywhere + [lib[0] for lib in searched],
}
