# ruff: noqa: F821 - `args` and the names of snapshot.py come from the files joined before this one
# changes, part 3 (a request right after the writer call): the snapshot taken
# before it against the scene now. Objects and datablocks are matched by
# name, so a rollback that reloaded the file (new session ids) reads as no
# change; the ids only pair a vanished name with a new one as a rename.
# Past args["cap"] listed entries, counts replace the lists.
ASPECTS = ("parent", "data", "modifiers", "materials", "visibility")


def matched(before_names, before_uids, after_names, after_uids):
    """(pairs of (before index, after index) of what remains, added names,
    removed names, renames) of one datablock kind."""
    if before_names == after_names:
        return list(enumerate(range(len(after_names)))), [], [], []
    after_index = {name: i for i, name in enumerate(after_names)}
    pairs, removed = [], []
    for i, name in enumerate(before_names):
        j = after_index.pop(name, None)
        if j is None:
            removed.append(i)
        else:
            pairs.append((i, j))
    new_by_uid = {int(after_uids[j]): j for j in after_index.values()}
    renames, gone = [], []
    for i in removed:
        j = new_by_uid.pop(int(before_uids[i]), None)
        if j is None:
            gone.append(before_names[i])
        else:
            pairs.append((i, j))
            renames.append({"from": before_names[i], "to": after_names[j]})
    return pairs, sorted(after_names[j] for j in new_by_uid.values()), gone, renames


def modified_objects(before, after, pairs):
    """{object name: [aspects that changed]} for the objects that remain."""
    if not pairs:
        return {}, False
    b, a = (np.array(side) for side in zip(*pairs))
    transform = (before["transform"][b] != after["transform"][a]).any(axis=1)
    visibility = (before["visibility"][b] != after["visibility"][a]).any(axis=1)
    changed = {}
    for k in np.nonzero(transform | visibility)[0]:
        changed[int(a[k])] = ["transform"] * bool(transform[k]) + ["visibility"] * bool(visibility[k])
    detailed = before["details"] is not None and after["details"] is not None
    if detailed:
        for i, j in pairs:
            old, new = before["details"][i], after["details"][j]
            if old != new:
                aspects = changed.setdefault(j, [])
                for aspect, x, y in zip(ASPECTS, old, new):
                    if x != y and aspect not in aspects:
                        aspects.append(aspect)
    names = after["objects"][0]
    order = ("transform",) + ASPECTS
    return {names[j]: sorted(aspects, key=order.index) for j, aspects in changed.items()}, detailed


def listed(changes):
    return sum(len(v) for key in ("added", "removed", "renamed") for v in changes.get(key, {}).values()) + len(
        changes.get("modified", {})
    )


def summarised(changes):
    """The same changes as counts."""
    counts = {
        key: {kind: len(v) for kind, v in changes[key].items()}
        for key in ("added", "removed", "renamed")
        if key in changes
    }
    if "modified" in changes:
        per_aspect = {}
        for aspects in changes["modified"].values():
            for aspect in aspects:
                per_aspect[aspect] = per_aspect.get(aspect, 0) + 1
        counts["modified"] = per_aspect
    out = {"counts": counts}
    if "unchecked" in changes:
        out["unchecked"] = changes["unchecked"]
    return out


def diff(before, after):
    changes = {"added": {}, "removed": {}, "renamed": {}}
    for kind in KINDS:
        pairs, added, removed, renamed = matched(*before[kind], *after[kind])
        for key, items in (("added", added), ("removed", removed), ("renamed", renamed)):
            if items:
                changes[key][kind] = items
        if kind == "objects":
            modified, detailed = modified_objects(before, after, pairs)
    changes = {key: value for key, value in changes.items() if value}
    if modified:
        changes["modified"] = modified
    if not detailed:
        changes["unchecked"] = ["parent", "data", "modifiers", "materials"]
    return changes


changes_before = changes_state().snapshots.pop(args["changes_id"], None)
if isinstance(changes_before, dict):
    result = diff(changes_before, take_snapshot())
    if listed(result) > args["cap"]:
        result = summarised(result)
else:
    result = {"unknown": str(changes_before) if changes_before is not None else "no snapshot was taken before the call"}
