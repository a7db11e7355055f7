//! The GPU paths: `--gpus all` on an engine without the NVIDIA toolkit (the real failure, and no
//! dead container left), `auto` on an engine that lists an NVIDIA runtime but cannot serve GPUs
//! (retry without), and the success path with a fake `nvidia-container-runtime-hook` on
//! dockerd's PATH (the container then sees NVIDIA_VISIBLE_DEVICES).
//!
//! Docker puts NVIDIA_VISIBLE_DEVICES into the main process's environment only (not into the
//! container config that `exec` inherits), so the tests read it from /proc/1/environ.

mod support;

use support::private_daemon::PrivateDaemon;
use support::{ok, stdout, text, TestEnv};

const VISIBLE_DEVICES: &str =
    "tr '\\0' '\\n' < /proc/1/environ | sed -n 's/^NVIDIA_VISIBLE_DEVICES=//p'";

fn container_exists(env: &TestEnv) -> bool {
    let mut cmd = std::process::Command::new("docker");
    if let Some(host) = &env.docker_host {
        cmd.env("DOCKER_HOST", host);
    }
    cmd.args(["inspect", &env.name])
        .output()
        .unwrap()
        .status
        .success()
}

#[tokio::test]
async fn gpus_all_without_the_toolkit_fails_in_one_line_and_leaves_nothing() {
    let (_docker, env) = TestEnv::new("gpuall").await;
    for mode in ["all", "2", "device=0"] {
        let out = env.envmgr(&["--gpus", mode, "daemon"]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let msg = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(msg.lines().count(), 1, "{msg}");
        assert!(msg.contains("could not select device driver"), "{msg}");
        assert!(
            msg.contains("install the NVIDIA Container Toolkit") && msg.contains("--gpus none"),
            "{msg}"
        );
        assert!(
            !container_exists(&env),
            "the dead container was left behind ({mode})"
        );
    }
}

#[tokio::test]
async fn auto_without_an_nvidia_runtime_runs_without_gpus() {
    let (_docker, env) = TestEnv::new("gpuauto").await;
    let out = ok(env.envmgr(&["daemon"]));
    assert!(out.contains("GPUs: none"), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(env.envmgr(&["status", "--json"]))).unwrap();
    assert_eq!(json["gpus"], "none");
    let seen = ok(env.envmgr(&["exec", "sh", "-c", VISIBLE_DEVICES]));
    assert_eq!(seen.trim(), "");
}

#[tokio::test]
async fn auto_retries_without_gpus_when_the_runtime_is_listed_but_the_driver_is_missing() {
    // The daemon lists an `nvidia` runtime (what nvidia-ctk configures) but has no hook on its
    // PATH: GPU requests fail at start, for real.
    let (docker, daemon) = PrivateDaemon::start(
        "auto",
        11,
        false,
        &["--add-runtime", "nvidia=/usr/sbin/runc"],
    )
    .await;
    let env = TestEnv::on_daemon("gpufallback", &docker, &daemon.host).await;
    let out = env.envmgr(&["daemon"]);
    assert!(
        out.status.success(),
        "{}\ndockerd log:\n{}",
        text(&out),
        daemon.log()
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("started without GPUs"), "{}", text(&out));
    assert!(stdout(&out).contains("GPUs: none"));
    let json: serde_json::Value =
        serde_json::from_str(&ok(env.envmgr(&["status", "--json"]))).unwrap();
    assert_eq!(json["state"], "running");
    assert_eq!(json["gpus"], "none");
    // Exactly one container: the failed GPU attempt was removed.
    let all = docker
        .list_containers(Some(bollard::query_parameters::ListContainersOptions {
            all: true,
            ..Default::default()
        }))
        .await
        .unwrap();
    assert_eq!(all.len(), 1, "{all:?}");
}

#[tokio::test]
async fn gpus_reach_the_container_when_the_hook_is_present() {
    let (docker, daemon) = PrivateDaemon::start("hook", 12, true, &[]).await;
    let env = TestEnv::on_daemon("gpuhook", &docker, &daemon.host).await;
    let out = env.envmgr(&["--gpus", "all", "daemon"]);
    assert!(
        out.status.success(),
        "{}\ndockerd log:\n{}",
        text(&out),
        daemon.log()
    );
    assert!(stdout(&out).contains("GPUs: all"), "{}", text(&out));
    let seen = ok(env.envmgr(&["exec", "sh", "-c", VISIBLE_DEVICES]));
    assert_eq!(seen.trim(), "all");
    let json: serde_json::Value =
        serde_json::from_str(&ok(env.envmgr(&["status", "--json"]))).unwrap();
    assert_eq!(json["gpus"], "all");
    let table = ok(env.envmgr(&["status"]));
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("GPUs") && l.ends_with("all")),
        "{table}"
    );
    ok(env.envmgr(&["rm", "--force"]));

    let out = env.envmgr(&["--gpus", "device=0,1", "daemon"]);
    assert!(out.status.success(), "{}", text(&out));
    let seen = ok(env.envmgr(&["exec", "sh", "-c", VISIBLE_DEVICES]));
    assert_eq!(seen.trim(), "0,1");
}
