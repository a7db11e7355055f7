# import_file: runs the format's importer and reports the objects it added.
fmt, path = args["format"], args["path"]
_, op = find_operator(IMPORTERS[fmt], fmt, "import")
before = set(bpy.data.objects)
outcome = op(filepath=path)
if "FINISHED" not in outcome:
    raise RuntimeError(f"the {fmt.upper()} importer did not finish ({', '.join(outcome)}) for {path}")
added = [o for o in bpy.data.objects if o not in before]
result = {"path": path, "format": fmt, "objects": [describe_object(o) for o in added]}
