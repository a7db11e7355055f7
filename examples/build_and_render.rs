//! Using `BlenderClient` directly, with no MCP at all: launch a headless
//! Blender, build a small scene, render it with Cycles, save the PNG.
//!
//! Run: `cargo run --example build_and_render -- [--out render.png] [--blender PATH]`
//! (the default Blender is the one `scripts/setup.sh` installs).

use std::path::PathBuf;

use anyhow::{bail, Context};
use blender_bridge::launcher::{default_program, LaunchConfig, LaunchedBlender};
use blender_bridge::BlenderClient;
use serde_json::json;

/// Plain `bpy`, sent as it is: a program embedding the client decides what
/// runs in Blender; `args` carries the data so the code stays constant.
const BUILD: &str = r#"
for o in list(bpy.data.objects):
    bpy.data.objects.remove(o)
bpy.ops.mesh.primitive_plane_add(size=10)
bpy.ops.mesh.primitive_torus_add(location=(0, 0, 1), rotation=(0.6, 0, 0))
torus = bpy.context.active_object
mat = bpy.data.materials.new('gold')
mat.use_nodes = True
bsdf = mat.node_tree.nodes['Principled BSDF']
bsdf.inputs['Base Color'].default_value = args['colour']
bsdf.inputs['Metallic'].default_value = 1.0
bsdf.inputs['Roughness'].default_value = 0.25
torus.data.materials.append(mat)
bpy.ops.object.light_add(type='SUN', location=(3, -3, 6))
bpy.context.active_object.data.energy = 4
bpy.ops.object.camera_add(location=(6, -6, 4))
cam = bpy.context.active_object
direction = torus.location - cam.location
cam.rotation_euler = direction.to_track_quat('-Z', 'Y').to_euler()
bpy.context.scene.camera = cam
result = sorted(o.name for o in bpy.data.objects)
"#;

const RENDER: &str = r#"
scene = bpy.context.scene
scene.render.engine = 'CYCLES'
scene.cycles.device = 'CPU'
scene.cycles.samples = args['samples']
scene.render.resolution_x, scene.render.resolution_y = args['size']
scene.render.resolution_percentage = 100
scene.render.image_settings.file_format = 'PNG'
scene.render.filepath = args['path']
bpy.ops.render.render(write_still=True)
import os
result = os.path.getsize(args['path'])
"#;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut out = PathBuf::from("render.png");
    let mut program = default_program();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = args.next().context("--out needs a path")?.into(),
            "--blender" => program = Some(args.next().context("--blender needs a path")?.into()),
            other => bail!("unknown argument {other} (use --out PATH, --blender PATH)"),
        }
    }
    let program = program.context("no Blender found: run scripts/setup.sh or pass --blender")?;
    let out = std::path::absolute(&out)?;

    let blender = LaunchedBlender::launch(LaunchConfig::new(program)).await?;
    let client = BlenderClient::connect(blender.client_config()).await?;
    let info = client.server_info().await.context("no hello")?;
    println!("Blender {} ({} mode)", info.blender_version, info.mode);

    let built = client
        .exec(BUILD, json!({ "colour": [1.0, 0.75, 0.2, 1.0] }))
        .await?;
    println!("scene: {}", built.value);
    let rendered = client
        .exec(
            RENDER,
            json!({ "path": out.to_string_lossy(), "samples": 16, "size": [320, 240] }),
        )
        .await?;
    println!("rendered {} ({} bytes)", out.display(), rendered.value);

    blender.shutdown().await;
    Ok(())
}
