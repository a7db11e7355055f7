"""Render jobs end to end through MCP on both farm backends: the local
worker pool and a real Slurm cluster (started beforehand with
`envmgr farm up`; SLURM_CONF must point at it). The same test bodies run
on both. Workers are real headless Blenders rendering the live scene's
snapshot; nothing is imitated."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import png
import pytest
from conftest import free_port
from harness import McpServer, blender_python, text_of
from tools_helpers import fails, ok, py

BACKENDS = ["local", "slurm"]
# Small and quick, but real Cycles path tracing.
CYCLES = {"engine": "CYCLES", "samples": 4, "resolution": [48, 32]}
# Long enough per frame that a worker can be caught mid-chunk.
SLOW = {"engine": "CYCLES", "samples": 64, "resolution": [96, 64]}


def slurm_conf() -> str:
    conf = os.environ.get("SLURM_CONF")
    assert conf and Path(conf).exists(), "SLURM_CONF must name a running cluster's config: run `envmgr farm up` first"
    return conf


@pytest.fixture(scope="module")
def farm(tmp_path_factory, logs_dir):
    """A server with a farm directory and a 2-worker pool, and a scene whose
    cube moves across the frame (so frames differ)."""
    base = tmp_path_factory.mktemp("farm")
    dirs = {name: base / name for name in ("out", "farm")}
    srv = farm_server(dirs, logs_dir / "farm-server.log")
    py(
        srv,
        """
cube = bpy.data.objects['Cube']
for frame, x in ((1, -2.5), (24, 2.5)):
    cube.location.x = x
    cube.keyframe_insert('location', index=0, frame=frame)
""",
    )
    srv.dirs = dirs
    yield srv
    srv.close()


def farm_server(dirs, log, env=None, retries=2):
    return McpServer(
        args=[
            "--port",
            str(free_port()),
            "--output-dir",
            str(dirs["out"]),
            "--farm-dir",
            str(dirs["farm"]),
            "--farm-workers",
            "2",
            "--farm-retries",
            str(retries),
        ],
        env={"BLENDER_MCP_BLENDER": str(blender_python()), **(env or {})},
        stderr_path=log,
    )


def submit(server, backend, **args):
    if backend == "slurm":
        slurm_conf()
    return ok(server, "submit_render_job", {"backend": backend, **args})


def get(server, job):
    res = server.call("get_render_job", {"job": job})
    assert not res.is_error, text_of(res)
    return res


def wait(server, job, until, timeout=300):
    """Polls get_render_job until `until(view)`; returns every view seen."""
    seen, deadline = [], time.time() + timeout
    while time.time() < deadline:
        view = get(server, job).structured_content
        seen.append(view)
        if until(view):
            return seen
        time.sleep(0.25)
    raise AssertionError(f"job {job} never reached the wanted state; last: {seen[-1]}")


def finished(view):
    return view["state"] not in ("queued", "running")


def worker_pids(job_dir) -> list[int]:
    """Live worker processes of a job, found by their command line."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except (OSError, ValueError):
            continue
        if "worker.py" in cmdline and str(job_dir) in cmdline:
            pids.append(int(entry.name))
    return pids


def queued_in_slurm(job) -> str:
    return subprocess.run(
        ["squeue", "-h", "-t", "PENDING,RUNNING", f"--name=bmr-{job}"], capture_output=True, text=True, check=True
    ).stdout.strip()


def check_frames(view, frames, size):
    assert view["state"] == "done", view
    assert view["frames_done"] == view["frames_total"] == len(frames)
    assert [int(Path(p).stem) for p in view["outputs"]] == frames
    images = []
    for path in view["outputs"]:
        w, h, channels, rows = png.decode(Path(path).read_bytes())
        assert (w, h) == tuple(size)
        assert png.distinct_colours(rows, channels) > 8, f"{path} is blank"
        images.append(b"".join(rows))
    assert images[0] != images[-1], "the first and last frames are the same: the animation was not rendered"


def check_movie(view, frames):
    """The job's MP4 (ffmpeg is installed for the tests): every frame, at the scene's rate."""
    assert view.get("movie"), f"a finished job comes with its movie where ffmpeg is installed: {view}"
    probe = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-count_frames",
            "-select_streams",
            "v:0",
            "-of",
            "json",
            "-show_entries",
            "stream=codec_name,nb_read_frames,r_frame_rate",
            view["movie"],
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    stream = json.loads(probe.stdout)["streams"][0]
    assert stream["codec_name"] == "h264" and int(stream["nb_read_frames"]) == frames, stream
    num, den = map(int, stream["r_frame_rate"].split("/"))
    assert abs(num / den - view["fps"]) < 0.01, (stream, view["fps"])


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_24_frame_cycles_job_in_4_chunks_completes(farm, backend):
    # SLOW frames: with CYCLES' tiny ones a fast machine renders every chunk
    # between two polls, and no view sees the job partly done.
    job = submit(farm, backend, frames="1-24", chunk=6, name=f"full {backend}", output=f"{backend}/full/####", **SLOW)
    assert job["state"] == "queued" and len(job["chunks"]) == 4 and job["frames_total"] == 24
    seen = wait(farm, job["id"], finished)
    done_counts = [v["frames_done"] for v in seen]
    assert done_counts == sorted(done_counts), "progress went backwards"
    # Seen before the end: some frames done, the job not finished. (Slurm's
    # squeue may still call the job pending while its first frames land.)
    assert any(not finished(v) and 0 < v["frames_done"] < 24 for v in seen), "no progress seen while running"
    assert all(c["state"] == "done" and c["attempts"] == 1 for c in seen[-1]["chunks"])
    check_frames(seen[-1], list(range(1, 25)), SLOW["resolution"])
    last = get(farm, job["id"])
    assert next(c.type for c in last.content) == "image", "a finished job comes with its contact sheet"
    check_movie(last.structured_content, frames=24)
    listed = ok(farm, "list_render_jobs")["jobs"]
    assert any(j["id"] == job["id"] and j["state"] == "done" for j in listed)


@pytest.mark.parametrize("backend", BACKENDS)
def test_cancel_midway_leaves_nothing_running(farm, backend):
    job = submit(farm, backend, frames="1-24", chunk=2, output=f"{backend}/cancel/####", **SLOW)
    wait(farm, job["id"], lambda v: v["frames_done"] >= 1)
    view = ok(farm, "cancel_render_job", {"job": job["id"]})
    assert view["state"] == "cancelled" and view["frames_done"] < 24
    assert worker_pids(view["job_dir"]) == [], "a worker Blender survived the cancel"
    if backend == "slurm":
        assert queued_in_slurm(job["id"]) == "", "Slurm still has tasks of the job"
    time.sleep(2)  # the watcher must not start anything again
    again = get(farm, job["id"]).structured_content
    assert again["state"] == "cancelled" and worker_pids(view["job_dir"]) == []
    assert "no failed chunks" in fails(farm, "retry_render_job", {"job": job["id"]})


@pytest.mark.parametrize("backend", BACKENDS)
def test_cancelling_some_chunks_lets_the_others_finish(farm, backend):
    job = submit(farm, backend, frames="1-4", chunk=2, output=f"{backend}/some/####", **CYCLES)
    view = ok(farm, "cancel_render_job", {"job": job["id"], "chunks": [1]})
    assert [c["state"] for c in view["chunks"]][1] == "cancelled"
    assert "chunks 0-1" in fails(farm, "cancel_render_job", {"job": job["id"], "chunks": [5]})
    final = wait(farm, job["id"], finished)[-1]
    assert [c["state"] for c in final["chunks"]] == ["done", "cancelled"]
    assert final["state"] == "cancelled" and final["frames"]["done"] == "1-2", final
    assert worker_pids(final["job_dir"]) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_killed_worker_is_retried_and_the_job_completes(farm, backend):
    job = submit(farm, backend, frames="1-6", chunk=3, output=f"{backend}/kill/####", **SLOW)
    wait(farm, job["id"], lambda v: worker_pids(v["job_dir"]) and "running" in v["frames"])
    victim = worker_pids(job["job_dir"])[0]
    os.kill(victim, signal.SIGKILL)
    seen = wait(farm, job["id"], finished)
    final = seen[-1]
    retried = [c for c in final["chunks"] if c["attempts"] > 1]
    assert retried, f"no chunk was retried: {final['chunks']}"
    assert "attempt 1:" in retried[0]["reason"]
    check_frames(final, list(range(1, 7)), SLOW["resolution"])


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_failed_chunk_runs_again_on_retry_and_keeps_its_frames(farm, backend, logs_dir):
    with farm_server(farm.dirs, logs_dir / f"farm-no-retries-{backend}.log", retries=0) as srv:
        # Twelve frames: three rendered in under 2 s, between two polls, on a fast machine.
        job = submit(srv, backend, frames="1-12", chunk=12, output=f"{backend}/retry/####", **SLOW)
        caught = wait(srv, job["id"], lambda v: finished(v) or (v["frames_done"] >= 1 and worker_pids(v["job_dir"])))
        assert not finished(caught[-1]), f"the chunk ended before its worker could be killed: {caught[-1]}"
        os.kill(worker_pids(job["job_dir"])[0], signal.SIGKILL)
        failed = wait(srv, job["id"], finished)[-1]
        assert failed["state"] == "failed", failed
        chunk = failed["chunks"][0]
        assert chunk["state"] == "failed" and chunk["attempts"] == 1
        assert "attempt 1:" in chunk["reason"] and chunk["log_tail"], chunk
        kept = {p: Path(p).stat().st_mtime_ns for p in failed["outputs"]}
        assert kept, "the killed worker had rendered a frame"
        again = ok(srv, "retry_render_job", {"job": job["id"]})
        assert again["state"] in ("queued", "running")
        final = wait(srv, job["id"], finished)[-1]
    assert final["state"] == "done" and final["frames_done"] == 12, final
    assert {p: Path(p).stat().st_mtime_ns for p in kept} == kept, "a frame already rendered was rendered again"
    # Two servers watch this farm directory (this one and the module's): still one start per attempt.
    starts = (Path(final["job_dir"]) / "logs" / "chunk-0.log").read_text().count("farm-worker: chunk 0 (frames")
    assert starts == 2, f"the chunk was started {starts} times, not twice"


def test_bad_input_is_refused_and_submits_nothing(farm, tmp_path, logs_dir):
    before = len(ok(farm, "list_render_jobs")["jobs"])
    assert "ends before it starts" in fails(farm, "submit_render_job", {"frames": "10-1"})
    unknown = fails(farm, "submit_render_job", {"frames": "1-2", "backend": "slrum"})
    assert "unknown backend" in unknown and "choose slurm or local" in unknown
    assert "outside the allowed directories" in fails(
        farm, "submit_render_job", {"frames": "1-2", "output": "../../elsewhere/####"}
    )
    assert "chunk must be 1 or more" in fails(farm, "submit_render_job", {"frames": "1-2", "chunk": 0})
    assert "no render job" in fails(farm, "get_render_job", {"job": "nope"})
    assert len(ok(farm, "list_render_jobs")["jobs"]) == before
    assert sorted(p.name for p in farm.dirs["farm"].iterdir()) == sorted(
        j["id"] for j in ok(farm, "list_render_jobs")["jobs"]
    ), "a refused job left a directory behind"
    # A cluster that does not answer: a config naming a port nobody listens on.
    conf = Path(slurm_conf()).read_text()
    dead = tmp_path / "dead-slurm.conf"
    dead.write_text(
        "\n".join(
            f"SlurmctldPort={free_port()}" if line.startswith("SlurmctldPort=") else line for line in conf.splitlines()
        )
    )
    dirs = {"out": tmp_path / "out", "farm": tmp_path / "farm"}
    with farm_server(dirs, logs_dir / "farm-dead-slurm.log", {"SLURM_CONF": str(dead)}) as srv:
        text = fails(srv, "submit_render_job", {"frames": "1-2", "backend": "slurm"})
        assert "slurmctld reachable" in text, text
        assert list(dirs["farm"].iterdir()) == []
    # No farm directory: the tools say how to turn the farm on.
    with McpServer(args=["--port", str(free_port())], stderr_path=logs_dir / "no-farm.log") as srv:
        assert "--farm-dir" in fails(srv, "list_render_jobs")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_restarted_server_lists_and_finishes_earlier_jobs(farm, backend, logs_dir):
    with farm_server(farm.dirs, logs_dir / f"farm-first-{backend}.log") as first:
        job = submit(first, backend, frames="1-4", chunk=2, output=f"{backend}/restart/####", **CYCLES)
    with farm_server(farm.dirs, logs_dir / f"farm-restarted-{backend}.log") as later:
        listed = ok(later, "list_render_jobs")["jobs"]
        assert any(j["id"] == job["id"] for j in listed)
        final = wait(later, job["id"], finished)[-1]
    assert final["frames_done"] == 4 and final["state"] == "done", final


def test_the_snapshot_packs_resources_and_leaves_the_open_file_alone(farm):
    texture = farm.dirs["out"] / "farm_texture.png"
    probe_code = (
        "import bpy, sys; bpy.ops.wm.open_mainfile(filepath=sys.argv[-1]); "
        "print('PACKED', sorted(i.name for i in bpy.data.images if i.packed_file))"
    )
    state = "img = bpy.data.images[args['name']]; result = [bpy.data.filepath, img.packed_file is None, img.filepath]"
    name = py(
        farm,
        """
img = bpy.data.images.new('farm_texture_src', 8, 8)
img.filepath_raw = args['path']
img.file_format = 'PNG'
img.save()
bpy.data.images.remove(img)
img = bpy.data.images.load(args['path'])
img.use_fake_user = True  # saved with the file, as a material's texture would be
result = img.name
""",
        {"path": str(texture)},
    )
    try:
        before = py(farm, state, {"name": name})
        assert before[1] is True, "the test image should start external"
        job = submit(farm, "local", frames="1", **CYCLES)
        assert py(farm, state, {"name": name}) == before, "submitting changed the open file"
        probe = subprocess.run(
            [
                str(blender_python()),
                "-c",
                probe_code,
                str(Path(job["job_dir"]) / "scene.blend"),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert f"PACKED ['{name}']" in probe, probe
        assert wait(farm, job["id"], finished)[-1]["state"] == "done"
    finally:
        py(farm, "bpy.data.images.remove(bpy.data.images[args['name']])", {"name": name})
