# edit_node_tree: all operations or none. They run on a scratch copy of the
# tree first; only when every one succeeds do they run on the real tree, so
# a failing operation leaves it exactly as it was.
ops = args["ops"]
spec = args["tree"]
scratch, remove_scratch = scratch_tree(spec)
try:
    apply_ops(scratch, ops)
except OP_ERRORS as e:
    raise type(e)(f"{e}. Nothing was changed: no op was applied.") from None
finally:
    remove_scratch()
tree, _ = find_tree(spec, create=True)
try:
    added = apply_ops(tree, ops)
except OP_ERRORS as e:
    raise type(e)(
        f"{e}. It passed on a copy of the tree but not on the tree itself, which may be partly changed."
    ) from None
for user in bpy.data.objects:
    if any(getattr(m, "node_group", None) == tree for m in user.modifiers):
        user.update_tag()
result = {"tree": spec, "applied": len(ops), "added": added, "nodes": len(tree.nodes), "links": len(tree.links)}
