//! `watch` restarts a container that turns unhealthy or dies — and the reason it exists:
//! Docker's own restart policies ignore unhealthy.

mod support;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use bollard::models::{ContainerCreateBody, HostConfig, RestartPolicy, RestartPolicyNameEnum};
use bollard::query_parameters::CreateContainerOptions;
use support::{ok, TestEnv};

async fn started_at(docker: &bollard::Docker, name: &str) -> String {
    let c = env_manager::commands::inspect_existing(docker, name)
        .await
        .unwrap();
    c.state.unwrap().started_at.unwrap()
}

/// Waits for a line containing `needle` on the watch's stderr.
fn expect_line(
    lines: &mpsc::Receiver<String>,
    needle: &str,
    timeout: Duration,
    seen: &mut Vec<String>,
) {
    let deadline = Instant::now() + timeout;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) => {
                seen.push(line.clone());
                if line.contains(needle) {
                    return;
                }
            }
            Err(_) => break,
        }
    }
    panic!("watch never said `{needle}`; it said:\n{}", seen.join("\n"));
}

#[tokio::test]
async fn watch_restarts_an_unhealthy_container_and_a_dead_one_but_not_a_stopped_one() {
    let (docker, env) = TestEnv::new("watch").await;
    ok(env.envmgr(&["daemon"]));
    env.wait_healthy(Duration::from_secs(30));
    let first = started_at(&docker, &env.name).await;

    let mut child = env
        .command(&["watch", "--backoff", "0.2", "--max-backoff", "1"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, lines) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = Vec::new();
    expect_line(&lines, "watching", Duration::from_secs(10), &mut seen);

    // Unhealthy: the healthcheck fails once /tmp/unhealthy exists.
    ok(env.envmgr(&["exec", "touch", "/tmp/unhealthy"]));
    expect_line(
        &lines,
        "turned unhealthy; restart 1/5",
        Duration::from_secs(20),
        &mut seen,
    );
    expect_line(&lines, "restarted", Duration::from_secs(30), &mut seen);
    env.wait_healthy(Duration::from_secs(30));
    let second = started_at(&docker, &env.name).await;
    assert_ne!(first, second, "the container was not restarted");

    // Dies on its own: the main process exits (SIGTERM from inside, no `kill` event).
    ok(env.envmgr(&["exec", "kill", "1"]));
    expect_line(
        &lines,
        "died; restart 2/5",
        Duration::from_secs(20),
        &mut seen,
    );
    expect_line(&lines, "restarted", Duration::from_secs(30), &mut seen);
    env.wait_healthy(Duration::from_secs(30));
    assert_ne!(second, started_at(&docker, &env.name).await);

    // A stop the user asked for is left alone.
    ok(env.envmgr(&["stop"]));
    expect_line(
        &lines,
        "stopped on request",
        Duration::from_secs(30),
        &mut seen,
    );
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        env.envmgr(&["health"]).status.code(),
        Some(1),
        "watch restarted a stopped container"
    );

    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test]
async fn watch_gives_up_after_the_retry_cap() {
    let (_docker, env) = TestEnv::new("watchcap").await;
    ok(env.envmgr(&["daemon"]));
    env.wait_healthy(Duration::from_secs(30));
    // Make it unhealthy for good: the flag survives restarts when the main process cannot remove
    // it (a root-owned file in the sticky /tmp).
    ok(env.envmgr(&["exec", "--user", "root", "touch", "/tmp/unhealthy"]));
    let out = env
        .command(&[
            "watch",
            "--max-restarts",
            "2",
            "--backoff",
            "0.1",
            "--max-backoff",
            "0.2",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("restart 2/2"), "{stderr}");
    assert!(
        stderr.contains("gave up: the container was restarted 2 times"),
        "{stderr}"
    );
}

/// Docker's `--restart always` keeps an unhealthy container running as it is: the reason
/// `watch` exists. (Engine 20.10; the same holds for every restart policy.)
#[tokio::test]
async fn docker_restart_policies_ignore_unhealthy() {
    let (docker, env) = TestEnv::new("policy").await;
    let body = ContainerCreateBody {
        image: Some(env.image.clone()),
        labels: Some(HashMap::from([(
            env_manager::labels::MANAGED.to_string(),
            "true".to_string(),
        )])),
        host_config: Some(HostConfig {
            restart_policy: Some(RestartPolicy {
                name: Some(RestartPolicyNameEnum::ALWAYS),
                maximum_retry_count: None,
            }),
            init: Some(true),
            ..Default::default()
        }),
        ..Default::default()
    };
    docker
        .create_container(
            Some(CreateContainerOptions {
                name: Some(env.name.clone()),
                ..Default::default()
            }),
            body,
        )
        .await
        .unwrap();
    docker
        .start_container(
            &env.name,
            None::<bollard::query_parameters::StartContainerOptions>,
        )
        .await
        .unwrap();
    env.wait_healthy(Duration::from_secs(30));
    let first = started_at(&docker, &env.name).await;
    ok(env.envmgr(&["exec", "--user", "root", "touch", "/tmp/unhealthy"]));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = env.envmgr(&["health"]);
        if String::from_utf8_lossy(&out.stdout).trim() == "unhealthy" {
            break;
        }
        assert!(Instant::now() < deadline, "never turned unhealthy");
        std::thread::sleep(Duration::from_millis(250));
    }
    std::thread::sleep(Duration::from_secs(5));
    let c = env_manager::commands::inspect_existing(&docker, &env.name)
        .await
        .unwrap();
    let state = c.state.unwrap();
    assert_eq!(state.running, Some(true));
    assert_eq!(
        state.started_at.unwrap(),
        first,
        "Docker restarted it after all"
    );
    assert_eq!(c.restart_count, Some(0));
}
