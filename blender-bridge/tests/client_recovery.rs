//! Losing Blender: calls in flight fail promptly, the next call recovers;
//! nobody listening gives an actionable error, and failed connects back off.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use blender_bridge::launcher::{default_program, LaunchConfig, LaunchingConnector};
use blender_bridge::{BlenderClient, BridgeError, ClientConfig, Snippet};

fn launch_config() -> LaunchConfig {
    LaunchConfig::new(default_program().expect(
        "no Blender to test against: create ~/.cache/blender-mcp-rs/venv with bpy, \
         or set BLENDER_MCP_BLENDER",
    ))
}

/// SIGKILL, as a crash would end Blender: no goodbye on the socket.
fn kill_hard(pid: u32) {
    let status = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -KILL {pid}");
}

static PID_SNIPPET: Snippet = Snippet::new("pid", "import os\nresult = os.getpid()");

#[tokio::test]
async fn killing_blender_fails_calls_in_flight_and_the_next_call_relaunches() {
    let connector = std::sync::Arc::new(LaunchingConnector::new(launch_config()));
    let client =
        BlenderClient::with_connector(connector.clone(), ClientConfig::new("127.0.0.1", 0));

    let first_pid = client
        .exec_snippet(&PID_SNIPPET, Value::Null)
        .await
        .unwrap()
        .value;
    let first_pid = first_pid.as_u64().unwrap() as u32;
    assert_eq!(connector.pid().await, Some(first_pid));

    let in_flight = {
        let client = client.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let result = client
                .exec("import time\ntime.sleep(30)", Value::Null)
                .await;
            (result, started.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    kill_hard(first_pid);
    let (result, waited) = in_flight.await.unwrap();
    match result {
        Err(BridgeError::ConnectionLost { .. }) => {}
        other => panic!("expected ConnectionLost, got {other:?}"),
    }
    // The request timeout is 30 s and the sleep 30 s: anything but a prompt
    // failure would have shown up as a Timeout or a success above.
    println!("in-flight call failed {waited:?} after it started");

    // Same client, same snippet: the launcher starts a new Blender, and the
    // new addon does not know the snippet the client believes is cached.
    let second_pid = client
        .exec_snippet(&PID_SNIPPET, Value::Null)
        .await
        .unwrap()
        .value;
    assert_ne!(second_pid.as_u64().unwrap() as u32, first_pid);
    assert_eq!(connector.launches(), 2);
    assert_eq!(client.stats().connects, 2);
    assert_eq!(
        client.stats().snippet_resends,
        1,
        "snippet_unknown was answered with code"
    );
    assert!(client
        .endpoint_description()
        .contains("launched by blender-mcp-rs"));

    connector.shutdown().await;
    assert_eq!(connector.pid().await, None);
}

#[tokio::test]
async fn nobody_listening_is_a_clear_connect_error_and_retries_back_off() {
    // A port that was free a moment ago: bind, note it, release it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = ClientConfig::new("127.0.0.1", port);
    config.token = Some("0123456789abcdef0123".into());
    config.backoff_initial = Duration::from_millis(300);
    let client = BlenderClient::new(config);
    let first = client.ping().await.unwrap_err();
    let text = first.to_string();
    assert!(matches!(first, BridgeError::Connect { .. }), "{first:?}");
    assert!(
        text.contains(&format!("no Blender answered at 127.0.0.1:{port}")),
        "{text}"
    );
    assert!(text.contains("--no-launch"), "{text}");

    let started = Instant::now();
    let second = client.exec("1", json!({})).await.unwrap_err();
    assert!(matches!(second, BridgeError::Connect { .. }), "{second:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "the second attempt waited for the backoff"
    );
}
