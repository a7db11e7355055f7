# ruff: noqa: F821 - `args` and the names of snapshot.py come from the files joined before this one
# changes, part 2 (the exec `before` of a writer call's first request): the
# snapshot, under the call's id; the last diff's own snapshot when the job
# right before this one took it. It never fails the call: without a
# snapshot the call reports its changes as unknown.
try:
    changes_snapshots = changes_state().snapshots
    changes_live = set(args.get("live", ()))  # this server's calls in progress
    for changes_key in [
        k for k in changes_snapshots if k.startswith(args.get("owner", "\0")) and k not in changes_live
    ]:
        changes_snapshots.pop(changes_key)
    # A server that went away mid-call leaves its snapshot: keep a few.
    while len(changes_snapshots) >= 4:
        changes_snapshots.pop(next(iter(changes_snapshots)))
    changes_job, changes_last = reusable_job(), getattr(changes_state(), "last", None)
    changes_state().last = None
    if changes_job is not None and changes_last is not None and changes_last[0] == changes_job - 1:
        changes_snapshots[args["changes_id"]] = changes_last[1]
        changes_state().reused = getattr(changes_state(), "reused", 0) + 1  # for tests and benchmarks
    else:
        changes_snapshots[args["changes_id"]] = take_snapshot()
except Exception as changes_error:  # noqa: BLE001 - reported by diff.py as unknown changes
    changes_state().snapshots[args["changes_id"]] = changes_error
