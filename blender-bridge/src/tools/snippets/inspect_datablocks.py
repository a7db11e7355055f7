# list_datablocks: one kind of datablock in the file with its user count
# and the few facts that matter for that kind.
kind = args["kind"]
store = getattr(bpy.data, kind)
limit, offset = args["limit"], args["offset"]


def describe(block):
    info = {
        "name": block.name,
        "users": block.users,
        "fake_user": block.use_fake_user,
        "library": block.library.filepath if block.library else None,
    }
    if kind == "meshes":
        info.update(
            vertices=len(block.vertices),
            faces=len(block.polygons),
            materials=[m.name if m else None for m in block.materials],
        )
    elif kind == "images":
        info.update(
            size=list(block.size), source=block.source, filepath=block.filepath, packed=block.packed_file is not None
        )
    elif kind == "materials":
        info.update(use_nodes=uses_nodes(block))
    elif kind == "lights":
        info.update(type=block.type, energy=round(block.energy, 5))
    elif kind == "cameras":
        info.update(type=block.type, lens_mm=round(block.lens, 5))
    elif kind == "collections":
        info.update(objects=len(block.objects), children=[c.name for c in block.children])
    elif kind == "node_groups":
        info.update(type=block.bl_idname)
    return info


blocks = list(store)
page = blocks[offset : offset + limit]
end = offset + len(page)
result = {
    "kind": kind,
    "total": len(blocks),
    "offset": offset,
    "items": [describe(b) for b in page],
    "next_offset": end if end < len(blocks) else None,
}
