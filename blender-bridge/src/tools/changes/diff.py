# changes, part 3 of the library (diff_step: the exec `after` of each
# request of a writer call, or a request of its own after the call): the
# snapshot taken before the call against the scene now. Objects and
# datablocks are matched by name, so a rollback that reloaded the file (new
# session ids) reads as no change; the ids only pair a vanished name with a
# new one as a rename. Past args["cap"] listed entries, counts replace the
# lists. With args["keep"] the snapshot stays for the call's next request
# (take.py drops it once the call ended).
ASPECTS = ("parent", "data", "modifiers", "materials", "visibility")


def matched(before_names, before_uids, after_names, after_uids):
    """(pairs of (before index, after index) of what remains, or None when
    the names are the same in the same order; added names, removed names,
    renames) of one datablock kind."""
    if before_names == after_names:
        return None, [], [], []
    after_index = {name: i for i, name in enumerate(after_names)}
    pairs, removed = [], []
    for i, name in enumerate(before_names):
        j = after_index.pop(name, None)
        if j is None:
            removed.append(i)
        else:
            pairs.append((i, j))
    after_uids = after_uids() if callable(after_uids) else after_uids
    new_by_uid = {after_uids[j]: j for j in after_index.values()}
    renames, gone = [], []
    for i in removed:
        j = new_by_uid.pop(before_uids[i], None)
        if j is None:
            gone.append(before_names[i])
        else:
            pairs.append((i, j))
            renames.append({"from": before_names[i], "to": after_names[j]})
    return pairs, sorted(after_names[j] for j in new_by_uid.values()), gone, renames


def changed_rows(old, new, width):
    """Indexes of the rows (`width` bytes each) where two equally long byte
    strings differ: blocks of rows compare in C, rows only in a block that differs."""
    if old == new:
        return []
    step = width * 256
    rows = []
    for start in range(0, len(new), step):
        if old[start : start + step] != new[start : start + step]:
            end = min(start + step, len(new))
            rows.extend(i // width for i in range(start, end, width) if old[i : i + width] != new[i : i + width])
    return rows


def aligned(data, width, indexes):
    """The rows `indexes` of `data`, in that order."""
    return b"".join(data[i * width : (i + 1) * width] for i in indexes)


def rows_changed(before, after, width, pairs):
    """The after indexes of the objects whose before and after rows differ."""
    if pairs is None:
        return changed_rows(before, after, width)
    b, a = zip(*pairs) if pairs else ((), ())
    return [a[k] for k in changed_rows(aligned(before, width, b), aligned(after, width, a), width)]


def modified_objects(before, after, pairs):
    """{object name: [aspects that changed]} for the objects that remain."""
    changed = {}
    for j in rows_changed(before["transform"], after["transform"], 64, pairs):
        changed[j] = ["transform"]
    for old, new in zip(before["visibility"], after["visibility"]):
        for j in rows_changed(old, new, 1, pairs):
            aspects = changed.setdefault(j, [])
            if "visibility" not in aspects:
                aspects.append("visibility")
    detailed = before["details"] is not None and after["details"] is not None
    if detailed:
        count = len(after["objects"][0])
        for i, j in zip(range(count), range(count)) if pairs is None else pairs:
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


def unchanged(before, after):
    """Whether nothing compared differs: names, transforms, hiding and the
    details compare in C, which is all a call that changed nothing costs."""
    return (
        before["details"] is not None
        and before["details"] == after["details"]
        and before["transform"] == after["transform"]
        and before["visibility"] == after["visibility"]
        and all(before[kind][0] == after[kind][0] for kind in KINDS)
    )


def diff(before, after):
    if unchanged(before, after):
        return {}
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


def diff_step(args, job):
    """The call's changes so far, as `changes` reports them."""
    state = changes_state()
    snapshots = state.snapshots
    before = (snapshots.get if args.get("keep") else snapshots.pop)(args["changes_id"], None)
    if not isinstance(before, dict):
        return {"unknown": str(before) if before is not None else "no snapshot was taken before the call"}
    job = reusable_job(job)
    # Kept for the next call (take.py), so with every id read now.
    after = take_snapshot(ids_when_asked=job is None)
    result = diff(before, after)
    if job is not None:
        state.last = (job, after)
    return summarised(result) if listed(result) > args["cap"] else result
