//! The whole seed workflow, for real: build the project's Dockerfile from a local Debian
//! bookworm base (debootstrap + docker import; BLENDER_SOURCE=pip), start it with `envmgr
//! daemon`, wait for the healthcheck (the bridge answering hello + ping), then drive Blender:
//! over the published loopback port with the bridge protocol, and through the image's own
//! `blender-mcp-rs` MCP server over stdio (`envmgr exec`).
//!
//! Slow (the first build downloads ~1 GB: bpy and its dependencies), so it is ignored by
//! default; CI runs it with
//!   ENVMGR_E2E=1 cargo test -p env-manager --test e2e -- --include-ignored
//! ENVMGR_E2E_AGENT_TOOLS=1 also installs and checks Node, claude-flow and ruv-swarm (the
//! Dockerfile's default; off here because the npm install alone takes 6+ minutes).
//! Needs `target/release/blender-mcp-rs` (cargo build --release -p blender-bridge) and a working
//! apt mirror and PyPI from inside containers.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{ok, text, TestEnv};

const BASE_IMAGE: &str = "envmgr-test/debian:bookworm";
const E2E_IMAGE: &str = "envmgr-test/devenv:e2e";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// One bridge request/reply over a raw socket (docs/PROTOCOL.md: u32 big-endian length + JSON).
fn bridge_call(stream: &mut TcpStream, message: Value) -> Value {
    let payload = serde_json::to_vec(&message).unwrap();
    stream
        .write_all(&(payload.len() as u32).to_be_bytes())
        .unwrap();
    stream.write_all(&payload).unwrap();
    let mut len = [0u8; 4];
    stream.read_exact(&mut len).unwrap();
    let mut reply = vec![0u8; u32::from_be_bytes(len) as usize];
    stream.read_exact(&mut reply).unwrap();
    serde_json::from_slice(&reply).unwrap()
}

/// Certificates of a TLS-intercepting proxy on this host, for the build's pip and npm.
fn extra_ca_certs() -> String {
    let mut pem = String::new();
    if let Ok(dir) = std::fs::read_dir("/usr/local/share/ca-certificates") {
        for entry in dir.flatten() {
            if entry.path().extension().is_some_and(|e| e == "crt") {
                pem.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
            }
        }
    }
    pem
}

#[tokio::test]
#[ignore = "slow, downloads ~1 GB: ENVMGR_E2E=1 cargo test -p env-manager --test e2e -- --include-ignored"]
async fn project_image_serves_the_blender_bridge_end_to_end() {
    let docker = support::docker().await;
    let root = repo_root();
    let binary = root.join("target/release/blender-mcp-rs");
    assert!(
        binary.is_file(),
        "{} is missing: build it first with `cargo build --release -p blender-bridge`",
        binary.display()
    );
    let status = Command::new(root.join("env-manager/tests/support/make-debian-base.sh"))
        .arg(BASE_IMAGE)
        .status()
        .unwrap();
    assert!(status.success(), "making the Debian base image failed");

    let env = TestEnv {
        project: tempfile::tempdir().unwrap(),
        shared_project: None,
        name: support::unique_name("e2e"),
        image: E2E_IMAGE.into(),
        flags: vec!["--port".into(), "9876".into()],
        docker_host: None,
    };

    // 1. Build the real Dockerfile from the repository root with the real envmgr.
    let started = Instant::now();
    let with_agent_tools = std::env::var("ENVMGR_E2E_AGENT_TOOLS").unwrap_or_else(|_| "0".into());
    let build = env.envmgr(&[
        "build",
        "--context",
        root.to_str().unwrap(),
        "--build-arg",
        &format!("BASE_IMAGE={BASE_IMAGE}"),
        "--build-arg",
        "BLENDER_SOURCE=pip",
        "--build-arg",
        &format!("WITH_AGENT_TOOLS={with_agent_tools}"),
        "--build-arg",
        &format!("EXTRA_CA_CERTS={}", extra_ca_certs()),
        // onnxruntime-node's installer fetches its CUDA provider from api.nuget.org, which only
        // registries-only networks like CI's cannot reach.
        "--build-arg",
        "ONNXRUNTIME_NODE_INSTALL=skip",
    ]);
    assert!(build.status.success(), "build failed: {}", text(&build));
    eprintln!("e2e: build took {:.0}s", started.elapsed().as_secs_f64());

    // 2. Start it like a user would, with a token in .env.
    let token = format!("e2e-token-{:032x}", rand_u128());
    std::fs::write(
        env.dir().join(".env"),
        format!("BLENDER_MCP_TOKEN={token}\n"),
    )
    .unwrap();
    let started = Instant::now();
    let out = ok(env.envmgr(&["daemon"]));
    assert!(!out.contains(&token));
    env.wait_healthy(Duration::from_secs(300));
    eprintln!(
        "e2e: healthy {:.0}s after daemon",
        started.elapsed().as_secs_f64()
    );

    let json: Value = serde_json::from_str(&ok(env.envmgr(&["status", "--json"]))).unwrap();
    assert_eq!(json["health"], "healthy");
    let port_line = json["ports"][0].as_str().unwrap().to_string();
    assert!(
        port_line.starts_with("127.0.0.1:") && port_line.ends_with("->9876/tcp"),
        "{port_line}"
    );
    let host_port: u16 = port_line["127.0.0.1:".len()..port_line.find("->").unwrap()]
        .parse()
        .unwrap();
    let table = ok(env.envmgr(&["status"]));
    assert!(table.contains("BLENDER_MCP_TOKEN=<set>") && !table.contains(&token));

    // 3. The bridge from the host, over the loopback port, with the token.
    let mut stream = TcpStream::connect(("127.0.0.1", host_port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let hello = bridge_call(
        &mut stream,
        json!({"id": 1, "op": "hello", "params": {"protocol": 1, "token": token, "client": "envmgr-e2e"}}),
    );
    assert_eq!(hello["ok"], true, "{hello}");
    assert_eq!(hello["result"]["mode"], "module");
    assert!(
        hello["result"]["blender_version"]
            .as_str()
            .unwrap()
            .starts_with("4.5"),
        "{hello}"
    );
    let made = bridge_call(
        &mut stream,
        json!({"id": 2, "op": "exec", "params": {"code": "import bpy\nbpy.ops.mesh.primitive_cube_add(size=2)\nresult = sorted(o.type for o in bpy.data.objects)"}}),
    );
    assert_eq!(made["ok"], true, "{made}");
    assert!(
        made["result"]["value"]
            .as_array()
            .unwrap()
            .contains(&json!("MESH")),
        "{made}"
    );
    let mut bad = TcpStream::connect(("127.0.0.1", host_port)).unwrap();
    let refused = bridge_call(
        &mut bad,
        json!({"id": 1, "op": "hello", "params": {"protocol": 1, "token": "wrong-token-0123456789"}}),
    );
    assert_eq!(refused["error"]["code"], "unauthorized");

    // 4. The image's MCP server over stdio, inside the container, talking to the same Blender.
    let mut mcp = env
        .command(&["exec", "blender-mcp-rs", "--no-launch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut to_mcp = mcp.stdin.take().unwrap();
    let mut from_mcp = BufReader::new(mcp.stdout.take().unwrap());
    let mut rpc = |message: Value| -> Option<Value> {
        writeln!(to_mcp, "{message}").unwrap();
        to_mcp.flush().unwrap();
        message.get("id")?;
        let mut line = String::new();
        from_mcp.read_line(&mut line).unwrap();
        Some(serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}")))
    };
    let init = rpc(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "envmgr-e2e", "version": "0"}}})).unwrap();
    assert!(init["result"]["serverInfo"].is_object(), "{init}");
    rpc(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    let tools = rpc(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})).unwrap();
    let names: Vec<&str> = tools["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"get_scene_info"), "{names:?}");
    let scene = rpc(json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "get_scene_info", "arguments": {}}})).unwrap();
    assert_ne!(scene["result"]["isError"], true, "{scene}");
    assert!(
        scene.to_string().contains("Cube"),
        "the cube made over the port is not in the scene: {scene}"
    );
    drop(to_mcp);
    let _ = mcp.wait();

    // 5. With ENVMGR_E2E_AGENT_TOOLS=1 (a 6+ minute npm install), the pinned agent tools run.
    if with_agent_tools == "1" {
        let versions = ok(env.envmgr(&[
            "exec",
            "sh",
            "-c",
            "claude-flow --version && npm ls -g --depth=0",
        ]));
        assert!(versions.contains("v3.43.0"), "{versions}");
        assert!(
            versions.contains("claude-flow@3.43.0") && versions.contains("ruv-swarm@1.0.20"),
            "{versions}"
        );
    }

    // 6. Logs land in the mounted folder; stop is clean (the entrypoint's trap, exit 0).
    let blender_log =
        std::fs::read_to_string(support::agent_mount(&env, "docker_logs/blender.log")).unwrap();
    assert!(blender_log.contains("BLENDER_MCP_READY"), "{blender_log}");
    assert!(!blender_log.contains(&token));
    ok(env.envmgr(&["stop"]));
    let c = env_manager::commands::inspect_existing(&docker, &env.name)
        .await
        .unwrap();
    assert_eq!(c.state.unwrap().exit_code, Some(0), "stop was not clean");
    // The entrypoint logs to stderr, which `envmgr logs` passes to its own stderr.
    let logs = text(&env.envmgr(&["logs"]));
    assert!(logs.contains("entrypoint: got SIGTERM"), "{logs}");

    // The stopped container and the images earlier runs left dangling (1.7 GB each) go; the
    // tagged image stays as the next run's build cache.
    let cleaned = ok(env.envmgr(&["cleanup"]));
    assert!(cleaned.contains(&env.name), "{cleaned}");
}

fn rand_u128() -> u128 {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .unwrap()
        .read_exact(&mut bytes)
        .unwrap();
    u128::from_le_bytes(bytes)
}
