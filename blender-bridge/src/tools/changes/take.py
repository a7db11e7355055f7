# changes, part 2 of the library: the snapshot a writer call's first request
# takes in its exec `before`, under the call's id; the last diff's own
# snapshot when the job right before this one took it. It never fails the
# call: without a snapshot the call reports its changes as unknown.


def take(args, job):
    state = changes_state()
    snapshots = state.snapshots
    try:
        live = set(args.get("live", ()))  # this server's calls in progress
        owner = args.get("owner", "\0")
        for key in [k for k in snapshots if k.startswith(owner) and k not in live]:
            snapshots.pop(key)
        # A server that went away mid-call leaves its snapshot: keep a few.
        while len(snapshots) >= 4:
            snapshots.pop(next(iter(snapshots)))
        job, last = reusable_job(job), state.last
        state.last = None
        if job is not None and last is not None and last[0] == job - 1:
            snapshots[args["changes_id"]] = last[1]
            state.reused = getattr(state, "reused", 0) + 1  # for tests and benchmarks
        else:
            snapshots[args["changes_id"]] = take_snapshot()
    except Exception as error:  # noqa: BLE001 - reported by diff_step as unknown changes
        snapshots[args["changes_id"]] = error
