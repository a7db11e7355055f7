//! The launcher with real programs: the bpy venv (module mode), Debian's
//! `blender` executable (background mode), and a Python without bpy (a real
//! start-up failure). Fails, not skips, when these programs are missing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

use blender_bridge::launcher::{default_program, LaunchConfig, LaunchedBlender, ProgramKind};
use blender_bridge::{BlenderClient, BridgeError};

fn bpy_python() -> PathBuf {
    default_program().expect(
        "no Blender to test against: create ~/.cache/blender-mcp-rs/venv with bpy, \
         or set BLENDER_MCP_BLENDER",
    )
}

fn process_exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

fn scratch_file(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("bmcp-launcher-{}-{name}", std::process::id()))
}

#[tokio::test]
async fn launch_serves_then_shuts_down_gracefully_and_is_reaped() {
    let log = scratch_file("module.log");
    let _ = std::fs::remove_file(&log);
    let mut config = LaunchConfig::new(bpy_python());
    config.log_file = Some(log.clone());
    let blender = LaunchedBlender::launch(config).await.unwrap();
    assert_eq!(blender.kind(), ProgramKind::PythonWithBpy);
    assert!(blender.is_running());
    assert_eq!(blender.endpoint().host, "127.0.0.1");
    assert_ne!(blender.endpoint().port, 0, "the OS picked a real port");
    assert!(
        blender.token().expose().len() >= 32,
        "a fresh per-launch token"
    );
    let pid = blender.pid();

    let client = BlenderClient::connect(blender.client_config())
        .await
        .unwrap();
    let out = client
        .exec("print('to the log')\nresult = 1", Value::Null)
        .await
        .unwrap();
    assert_eq!(out.value, json!(1));
    assert_eq!(client.server_info().await.unwrap().pid, pid);
    drop(client);

    let status = blender.shutdown().await.expect("the child was reaped");
    assert!(
        status.success(),
        "the shutdown op ended Blender cleanly: {status}"
    );
    assert!(!process_exists(pid), "no zombie left behind");

    // The child's stdout went to the log file, not to our stdout (which is
    // the MCP protocol in the server).
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains("[blender stdout] BLENDER_MCP_READY {"),
        "{logged}"
    );
    let _ = std::fs::remove_file(&log);
}

#[tokio::test]
async fn dropping_a_launched_blender_kills_it() {
    let blender = LaunchedBlender::launch(LaunchConfig::new(bpy_python()))
        .await
        .unwrap();
    let pid = blender.pid();
    assert!(process_exists(pid));
    drop(blender);
    for _ in 0..100 {
        if !process_exists(pid) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("Blender {pid} survived the drop of its LaunchedBlender");
}

#[tokio::test]
async fn a_program_that_dies_at_start_up_is_reported_with_its_output() {
    // A real Python without bpy: the addon's host exits with an explanation.
    let python = ["/usr/bin/python3", "/usr/local/bin/python3"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .expect("a system python3 exists");
    let error = LaunchedBlender::launch(LaunchConfig::new(python))
        .await
        .unwrap_err();
    match &error {
        BridgeError::Launch {
            reason,
            output_tail,
        } => {
            assert!(reason.contains("exited"), "{reason}");
            assert!(output_tail.contains("bpy"), "{output_tail}");
        }
        other => panic!("expected a launch error, got {other:?}"),
    }
    assert!(
        error.to_string().contains("last output of Blender"),
        "{error}"
    );
}

#[tokio::test]
async fn a_missing_program_and_a_slow_start_are_launch_errors() {
    let error = LaunchedBlender::launch(LaunchConfig::new("/nonexistent/blender"))
        .await
        .unwrap_err();
    let text = error.to_string();
    assert!(text.contains("cannot run /nonexistent/blender"), "{text}");
    assert!(text.contains("BLENDER_MCP_BLENDER"), "{text}");

    let mut config = LaunchConfig::new(bpy_python());
    config.startup_timeout = Duration::from_millis(1);
    let error = LaunchedBlender::launch(config).await.unwrap_err();
    assert!(
        error.to_string().contains("did not report ready within"),
        "{error}"
    );
}

#[tokio::test]
async fn a_blender_executable_is_run_in_background_mode() {
    // Debian's `blender` package (apt-get install blender) on PATH.
    let blender_binary = std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|dir| dir.join("blender"))
        .find(|p| p.is_file())
        .expect("a `blender` executable on PATH (apt-get install blender)");
    let blender = LaunchedBlender::launch(LaunchConfig::new(blender_binary))
        .await
        .unwrap();
    assert_eq!(blender.kind(), ProgramKind::Blender);
    let client = BlenderClient::connect(blender.client_config())
        .await
        .unwrap();
    assert_eq!(client.server_info().await.unwrap().mode, "background");
    let out = client
        .exec("import bpy\nresult = len(bpy.data.objects)", Value::Null)
        .await
        .unwrap();
    assert_eq!(out.value, json!(3), "factory startup: cube, camera, light");
    drop(client);
    let pid = blender.pid();
    let status = blender.shutdown().await.expect("reaped");
    assert!(status.success(), "{status}");
    assert!(!process_exists(pid));
}
