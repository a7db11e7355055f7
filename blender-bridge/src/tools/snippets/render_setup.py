# Shared by render_image and render_animation: applies the requested render
# settings and returns a function that puts every one of them back, so a
# render leaves the user's scene exactly as it was unless told otherwise.
import os

ENGINE_ALIASES = {
    "CYCLES": ["CYCLES"],
    "WORKBENCH": ["BLENDER_WORKBENCH"],
    "EEVEE": ["BLENDER_EEVEE_NEXT", "BLENDER_EEVEE"],
}


def set_engine(render, name):
    """Selects CYCLES / EEVEE / WORKBENCH by the id this Blender knows: EEVEE is
    BLENDER_EEVEE_NEXT in 4.2-4.5 and BLENDER_EEVEE in 3.x and 5.x. The engine
    enum is filled at run time, so trying each id is the reliable test."""
    for candidate in ENGINE_ALIASES[name]:
        try:
            render.engine = candidate
            return
        except TypeError:
            continue
    raise ValueError(
        f"this Blender ({bpy.app.version_string}) has no {name} render engine (tried {', '.join(ENGINE_ALIASES[name])})"
    )


def denoiser_available():
    try:
        import _cycles
    except ImportError:
        return False
    return bool(getattr(_cycles, "with_openimagedenoise", True))


def configure_render(scene, spec):
    r = scene.render
    props = [
        (r, "engine"),
        (r, "resolution_x"),
        (r, "resolution_y"),
        (r, "resolution_percentage"),
        (r, "filepath"),
        (r.image_settings, "file_format"),
        (r.image_settings, "color_mode"),
        (r.image_settings, "color_depth"),
        (scene, "camera"),
        (scene, "frame_current"),
    ]
    if hasattr(scene, "cycles"):
        props += [(scene.cycles, "samples"), (scene.cycles, "use_denoising")]
    if hasattr(scene, "eevee"):
        props.append((scene.eevee, "taa_render_samples"))
    saved = [(owner, attr, getattr(owner, attr)) for owner, attr in props]

    def restore():
        for owner, attr, value in saved:
            if getattr(owner, attr) != value:
                setattr(owner, attr, value)

    try:
        if spec.get("engine"):
            set_engine(r, spec["engine"])
        if spec.get("camera"):
            cam = lookup_object(spec["camera"])
            if cam.type != "CAMERA":
                raise ValueError(f"{cam.name!r} is a {cam.type} object, not a camera")
            scene.camera = cam
        if scene.camera is None:
            raise ValueError(
                "the scene has no active camera: pass camera, or add one with add_camera(make_active=true)"
            )
        if spec.get("width"):
            r.resolution_x = spec["width"]
        if spec.get("height"):
            r.resolution_y = spec["height"]
        r.resolution_percentage = 100
        if spec.get("samples"):
            if r.engine == "CYCLES":
                scene.cycles.samples = spec["samples"]
            elif r.engine.startswith("BLENDER_EEVEE"):
                scene.eevee.taa_render_samples = spec["samples"]
        if r.engine == "CYCLES" and scene.cycles.use_denoising and not denoiser_available():
            # Builds without OpenImageDenoise (Debian's Blender) refuse to
            # render with denoising on, which the default scene has.
            scene.cycles.use_denoising = False
        r.image_settings.file_format = "PNG"
        r.image_settings.color_mode = "RGBA" if r.film_transparent else "RGB"
        r.image_settings.color_depth = "8"
    except BaseException:
        restore()
        raise
    return restore


def render_still(scene, path):
    if os.path.exists(path):
        os.unlink(path)  # so an existing file cannot pass for this render's output
    scene.render.filepath = path
    bpy.ops.render.render(write_still=True)
    if not os.path.isfile(path):
        raise RuntimeError(f"Blender finished the render but wrote no image to {path}")


def render_summary(scene):
    r = scene.render
    return {
        "engine": r.engine,
        "width": r.resolution_x,
        "height": r.resolution_y,
        "camera": scene.camera.name if scene.camera else None,
    }
