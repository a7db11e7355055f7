//! The scripted demo behind the README's first command.
//!
//! Plays the part of an MCP client (as Claude Code would): spawns
//! `blender-mcp-rs` over stdio, which — finding no Blender running — launches
//! a headless one itself. Then it builds a small scene through the MCP tools,
//! inspects it, and saves a viewport screenshot as a PNG.
//!
//! Run: `cargo run --release --example mcp_demo -- [--server PATH] [--out DIR]`

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context};
use base64::Engine as _;
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use rmcp::ServiceExt;
use serde_json::{json, Value};

const BUILD_SCENE: &str = r#"
import math
for o in list(bpy.data.objects):
    if o.type == 'MESH':
        bpy.data.objects.remove(o)
mat = bpy.data.materials.new('demo_red')
mat.diffuse_color = (0.8, 0.1, 0.1, 1.0)
made = []
for i in range(args['rings']):
    angle = 2 * math.pi * i / args['rings']
    bpy.ops.mesh.primitive_uv_sphere_add(radius=0.4, location=(2 * math.cos(angle), 2 * math.sin(angle), 0.4))
    sphere = bpy.context.active_object
    sphere.name = f'demo_sphere_{i}'
    sphere.data.materials.append(mat)
    made.append(sphere.name)
bpy.ops.mesh.primitive_plane_add(size=8)
bpy.context.active_object.name = 'demo_floor'
bpy.ops.mesh.primitive_monkey_add(location=(0, 0, 1))
bpy.context.active_object.name = 'demo_suzanne'
result = {'created': made + ['demo_floor', 'demo_suzanne']}
"#;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (server, out_dir) = parse_args()?;
    std::fs::create_dir_all(&out_dir).with_context(|| format!("creating {}", out_dir.display()))?;

    let started = Instant::now();
    // Blender's own chatter goes to a log file, so the demo's output stays readable.
    let blender_log = out_dir.join("blender.log");
    let transport = TokioChildProcess::new(tokio::process::Command::new(&server).configure(|c| {
        c.arg("--blender-log").arg(&blender_log);
        c.env(
            "RUST_LOG",
            std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
        );
    }))
    .with_context(|| format!("starting {}", server.display()))?;
    let client = ().serve(transport).await.context("MCP handshake")?;
    let server_info = client
        .peer_info()
        .and_then(|info| info.server_info.clone())
        .context("the server sent no serverInfo")?;
    println!(
        "connected to {} {} in {:.0?}",
        server_info.name,
        server_info.version,
        started.elapsed()
    );
    let tools = client.list_all_tools().await?;
    println!(
        "tools: {}",
        tools
            .iter()
            .map(|t| t.name.as_ref())
            .collect::<Vec<_>>()
            .join(", ")
    );

    let built = call(
        &client,
        "execute_blender_code",
        json!({ "code": BUILD_SCENE, "args": { "rings": 6 } }),
    )
    .await?;
    println!("created {}", built["result"]["created"]);

    let scene = call(
        &client,
        "get_scene_info",
        json!({ "name_contains": "demo_" }),
    )
    .await?;
    println!(
        "scene '{}': {} objects, {} made by the demo",
        scene["name"].as_str().unwrap_or("?"),
        scene["object_count"],
        scene["total_matching"]
    );
    let monkey = call(
        &client,
        "get_object_info",
        json!({ "name": "demo_suzanne" }),
    )
    .await?;
    println!(
        "demo_suzanne: {} vertices, {} faces, dimensions {}",
        monkey["mesh"]["vertices"], monkey["mesh"]["faces"], monkey["dimensions"]
    );

    let shot = call_raw(
        &client,
        "get_viewport_screenshot",
        json!({ "max_size": 800 }),
    )
    .await?;
    let png = first_image(&shot)?;
    let path = out_dir.join("demo.png");
    std::fs::write(&path, &png).with_context(|| format!("writing {}", path.display()))?;
    println!("screenshot: {} ({} bytes)", path.display(), png.len());

    client.cancel().await?;
    println!(
        "done in {:.1?}; the server shut its Blender down",
        started.elapsed()
    );
    Ok(())
}

/// Calls a tool and returns its whole result.
async fn call_raw(
    client: &RunningService<RoleClient, ()>,
    name: &'static str,
    args: Value,
) -> anyhow::Result<CallToolResult> {
    let params = CallToolRequestParams::new(name)
        .with_arguments(args.as_object().cloned().unwrap_or_default());
    Ok(client.call_tool(params).await?)
}

/// Calls a tool and returns its structured result, failing on a tool error.
async fn call(
    client: &RunningService<RoleClient, ()>,
    name: &'static str,
    args: Value,
) -> anyhow::Result<Value> {
    let result = call_raw(client, name, args).await?;
    if result.is_error == Some(true) {
        bail!("{name} failed: {}", text_of(&result));
    }
    result
        .structured_content
        .with_context(|| format!("{name} returned no structured content"))
}

fn text_of(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.as_str()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn first_image(result: &CallToolResult) -> anyhow::Result<Vec<u8>> {
    if result.is_error == Some(true) {
        bail!("screenshot failed: {}", text_of(result));
    }
    let data = result
        .content
        .iter()
        .find_map(|c| c.as_image().map(|i| i.data.clone()))
        .context("the screenshot has no image")?;
    Ok(base64::engine::general_purpose::STANDARD.decode(data)?)
}

fn parse_args() -> anyhow::Result<(PathBuf, PathBuf)> {
    let mut server = std::env::current_exe()?
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("blender-mcp-rs"))
        .unwrap_or_else(|| PathBuf::from("blender-mcp-rs"));
    let mut out = PathBuf::from("out");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--server" => server = args.next().context("--server needs a path")?.into(),
            "--out" => out = args.next().context("--out needs a directory")?.into(),
            "-h" | "--help" => {
                println!("usage: mcp_demo [--server PATH-TO-blender-mcp-rs] [--out DIR]");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other} (try --help)"),
        }
    }
    Ok((server, out))
}
