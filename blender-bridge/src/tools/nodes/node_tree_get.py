# get_node_tree: one tree, compactly.
result = dump_tree(existing_tree(args["tree"]), args["tree"])
