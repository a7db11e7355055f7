# The render-farm worker: renders one chunk of a job with the Blender it
# runs in. Usage (a bpy Python):  python worker.py JOB_DIR CHUNK
#                (a Blender):     blender -b --python worker.py -- JOB_DIR CHUNK
# It opens the job's scene snapshot, applies the job's render settings, and
# renders the chunk's frames in order. Each rendered frame gets a marker
# file done/<frame> (JSON: path, seconds), written atomically after the
# image, so progress is visible to the server and a retried chunk skips
# the frames already done. Exits non-zero on any error.
import json
import os
import sys
import time

ENGINE_IDS = {
    "CYCLES": ["CYCLES"],
    "WORKBENCH": ["BLENDER_WORKBENCH"],
    "EEVEE": ["BLENDER_EEVEE_NEXT", "BLENDER_EEVEE"],
}


def arguments():
    argv = sys.argv[sys.argv.index("--") + 1 :] if "--" in sys.argv else sys.argv[1:]
    return argv[0], int(argv[1])


def log(message):
    print(f"farm-worker: {message}", flush=True)


def set_engine(render, name):
    """EEVEE's id is BLENDER_EEVEE_NEXT in 4.2-4.5 and BLENDER_EEVEE in 3.x and 5.x."""
    for candidate in ENGINE_IDS[name]:
        try:
            render.engine = candidate
            return
        except TypeError:
            continue
    raise ValueError(f"this Blender has no {name} engine")


def apply_settings(scene, settings):
    render = scene.render
    if settings.get("engine"):
        set_engine(render, settings["engine"])
    if settings.get("resolution"):
        render.resolution_x, render.resolution_y = settings["resolution"]
        render.resolution_percentage = 100
    samples = settings.get("samples")
    if samples and render.engine == "CYCLES":
        scene.cycles.samples = samples
        scene.cycles.use_denoising = False
    elif samples and render.engine.startswith("BLENDER_EEVEE"):
        scene.eevee.taa_render_samples = samples
    if render.engine == "CYCLES":
        scene.cycles.device = "CPU"
    threads = os.environ.get("FARM_THREADS") or os.environ.get("SLURM_CPUS_PER_TASK")
    if threads:
        render.threads_mode = "FIXED"
        render.threads = int(threads)
    render.image_settings.file_format = "PNG"
    render.use_file_extension = True


def mark_done(job_dir, frame, path, seconds):
    marker = os.path.join(job_dir, "done", str(frame))
    tmp = f"{marker}.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        json.dump({"path": path, "seconds": round(seconds, 3)}, f)
    os.replace(tmp, marker)


def main():
    job_dir, index = arguments()
    started = time.time()
    with open(os.path.join(job_dir, "job.json")) as f:
        job = json.load(f)
    chunk = job["chunks"][index]
    log(f"chunk {index} (frames {chunk['frames'][0]}..{chunk['frames'][-1]}), pid {os.getpid()}")
    import bpy

    bpy.ops.wm.open_mainfile(filepath=os.path.join(job_dir, "scene.blend"))
    scene = bpy.context.scene
    apply_settings(scene, job["settings"])
    log(f"ready in {time.time() - started:.2f} s (Blender {bpy.app.version_string}, {scene.render.engine})")
    for frame in chunk["frames"]:
        if os.path.exists(os.path.join(job_dir, "done", str(frame))):
            continue
        t0 = time.time()
        scene.frame_set(frame)
        # frame_path fills the #s (or appends the frame); a still render
        # writes to the path as given, so it gets the filled-in one.
        scene.render.filepath = job["output"]
        path = scene.render.frame_path(frame=frame)
        scene.render.filepath = path
        bpy.ops.render.render(write_still=True)
        if not os.path.exists(path):
            raise RuntimeError(f"frame {frame} was rendered but {path} is missing")
        mark_done(job_dir, frame, path, time.time() - t0)
        log(f"frame {frame} done in {time.time() - t0:.2f} s")
    log(f"chunk {index} done in {time.time() - started:.2f} s")


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # noqa: BLE001 - any failure fails the chunk, with its reason in the log
        import traceback

        traceback.print_exc()
        log(f"failed: {error}")
        sys.stdout.flush()
        os._exit(1)
    sys.stdout.flush()
    os._exit(0)
