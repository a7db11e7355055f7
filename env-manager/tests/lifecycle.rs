//! Every container subcommand on a real engine: init, daemon, status, health, exec, logs,
//! stop, restart, rm, start — and the one-sentence errors.

mod support;

use std::time::Duration;

use support::{ok, stdout, text, TestEnv};

#[tokio::test]
async fn init_writes_a_private_env_and_the_agent_mount_folders() {
    let (_docker, env) = TestEnv::new("init").await;
    let out = ok(env.envmgr(&["init"]));
    assert!(out.contains("wrote"), "{out}");
    let dotenv = env.dir().join(".env");
    let text = std::fs::read_to_string(&dotenv).unwrap();
    for var in [
        "ANTHROPIC_API_KEY",
        "GITHUB_TOKEN",
        "BLENDER_MCP_TOKEN",
        "DOCKER_CPUS",
        "DOCKER_MEMORY",
        "EXTERNAL_DIR",
    ] {
        assert!(
            text.contains(&format!("\n{var}=")),
            "{var} missing from the template"
        );
    }
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&dotenv).unwrap().permissions().mode() & 0o777,
        0o600
    );
    for folder in [
        "docker_analysis",
        "docker_data/claude-flow",
        "docker_logs",
        "docker_output",
        "docker_workspace",
        "ext",
    ] {
        assert!(support::agent_mount(&env, folder).is_dir(), "{folder}");
    }
    // A second init keeps the user's keys.
    std::fs::write(&dotenv, "ANTHROPIC_API_KEY=mine\n").unwrap();
    let out = ok(env.envmgr(&["init"]));
    assert!(out.contains("kept"), "{out}");
    assert_eq!(
        std::fs::read_to_string(&dotenv).unwrap(),
        "ANTHROPIC_API_KEY=mine\n"
    );
}

#[tokio::test]
async fn daemon_status_health_exec_logs_stop_restart_rm() {
    let (_docker, env) = TestEnv::new("lifecycle").await;
    std::fs::write(
        env.dir().join(".env"),
        "ANTHROPIC_API_KEY=sk-ant-secret-value\nDOCKER_MEMORY=256m\nDOCKER_CPUS=1\n",
    )
    .unwrap();

    assert_eq!(
        env.envmgr(&["health"]).status.code(),
        Some(2),
        "no container yet"
    );
    let out = env.envmgr(&["daemon"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains("sk-ant-secret-value"));
    let again = env.envmgr(&["daemon"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again).contains("already exists"), "{}", text(&again));

    env.wait_healthy(Duration::from_secs(30));
    assert_eq!(stdout(&env.envmgr(&["health"])).trim(), "healthy");

    // status: table and JSON, with limits from .env and the key shown by name only.
    let table = ok(env.envmgr(&["status"]));
    assert!(!table.contains("sk-ant-secret-value"), "{table}");
    for expected in [
        "running",
        "healthy",
        "ANTHROPIC_API_KEY=<set>",
        "127.0.0.1:",
        "->8080/tcp",
        "none (default profile)",
        "/workspace/logs",
    ] {
        assert!(
            table.contains(expected),
            "`{expected}` missing from:\n{table}"
        );
    }
    let json: serde_json::Value =
        serde_json::from_str(&ok(env.envmgr(&["status", "--json"]))).unwrap();
    assert_eq!(json["state"], "running");
    assert_eq!(json["health"], "healthy");
    assert_eq!(json["security"]["user"], "1000:1000");
    assert_eq!(json["security"]["cap_drop"], serde_json::json!(["ALL"]));
    assert_eq!(json["security"]["init"], true);
    assert_eq!(json["security"]["cpus"], 1.0);
    assert_eq!(json["security"]["memory_limit_bytes"], 256 * 1024 * 1024);
    assert_eq!(json["security"]["pids_limit"], 4096);
    assert_eq!(json["gpus"], "none");
    assert!(json["uptime_secs"].as_i64().unwrap() >= 0);
    assert!(json["cpu_percent"].as_f64().is_some(), "{json}");
    assert!(json["memory_usage_bytes"].as_u64().unwrap() > 0);

    // exec: output, exit code passed through, stdin forwarded, the .env reaches the container.
    let out = env.envmgr(&["exec", "sh", "-c", "echo out; echo err >&2; exit 7"]);
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    assert_eq!(stdout(&out), "out\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "err\n");
    let out = env.envmgr_with_stdin(&["exec", "sh", "-c", "tr a-z A-Z"], Some("piped in\n"));
    assert_eq!(stdout(&out), "PIPED IN\n", "{}", text(&out));
    let out = ok(env.envmgr(&["exec", "sh", "-c", "echo ${#ANTHROPIC_API_KEY}"]));
    assert_eq!(out.trim(), "19");

    // logs, --tail.
    let logs = ok(env.envmgr(&["logs"]));
    assert!(logs.contains("main started"), "{logs}");
    ok(env.envmgr(&["exec", "sh", "-c", "echo via-exec > /proc/1/fd/1 || true"]));
    let tail = ok(env.envmgr(&["logs", "--tail", "1"]));
    assert_eq!(tail.lines().count(), 1, "{tail}");

    // stop is clean: the main process got SIGTERM (through --init) and said so.
    assert!(ok(env.envmgr(&["stop"])).contains("stopped"));
    let logs = ok(env.envmgr(&["logs"]));
    assert!(logs.contains("main got TERM"), "{logs}");
    let out = env.envmgr(&["health"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("not running"));
    let out = env.envmgr(&["exec", "true"]);
    assert_eq!(out.status.code(), Some(125));
    assert!(
        text(&out).contains("is not running; start it"),
        "{}",
        text(&out)
    );

    ok(env.envmgr(&["restart"]));
    env.wait_healthy(Duration::from_secs(30));

    let out = env.envmgr(&["rm"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("is running; stop it first"),
        "{}",
        text(&out)
    );
    ok(env.envmgr(&["rm", "--force"]));
    assert_eq!(env.envmgr(&["health"]).status.code(), Some(2));
    let out = env.envmgr(&["logs"]);
    assert!(text(&out).contains("no container named"), "{}", text(&out));
}

#[tokio::test]
async fn start_attaches_stdin_and_returns_the_exit_code() {
    let (_docker, env) = TestEnv::new("start").await;
    let out = env.envmgr_with_stdin(&["start", "sh"], Some("echo inside $(id -u); exit 3\n"));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(stdout(&out).contains("inside 1000"), "{}", text(&out));
    // The container stays (stopped), like `docker run` without --rm.
    assert_eq!(env.envmgr(&["health"]).status.code(), Some(1));
}

#[tokio::test]
async fn clear_errors_for_missing_image_bad_env_and_missing_daemon() {
    let (_docker, mut env) = TestEnv::new("errors").await;

    env.image = "envmgr-test/does-not-exist:never".into();
    let out = env.envmgr(&["daemon"]);
    assert_eq!(out.status.code(), Some(1));
    let msg = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        msg.contains("does not exist locally; build it first with `envmgr build`"),
        "{msg}"
    );
    assert_eq!(msg.lines().count(), 1, "{msg}");

    std::fs::write(env.dir().join(".env"), "GOOD=1\nsk-live-123456\n").unwrap();
    let out = env.envmgr(&["daemon"]);
    let msg = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(msg.contains(".env:2: missing `=`"), "{msg}");
    assert!(!msg.contains("sk-live"), "{msg}");

    env.docker_host = Some("unix:///nonexistent/docker.sock".into());
    let out = env.envmgr(&["status"]);
    assert_eq!(out.status.code(), Some(1));
    let msg = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        msg.contains("cannot reach the Docker daemon") && msg.contains("start it"),
        "{msg}"
    );
    assert_eq!(
        env.envmgr(&["health"]).status.code(),
        Some(1),
        "no daemon is an error, not 'no container'"
    );
}
