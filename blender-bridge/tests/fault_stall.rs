//! Blender stops answering (SIGSTOP) with many requests in flight on one
//! connection: every caller gets a timeout within its deadline, nothing
//! hangs, and after SIGCONT the same connection serves again (the late
//! replies to the timed-out requests are recognised as strays and dropped).

use std::time::{Duration, Instant};

use serde_json::json;

use blender_bridge::launcher::{default_program, LaunchConfig, LaunchedBlender};
use blender_bridge::{BlenderClient, BridgeError, CallOptions};

fn signal(pid: u32, name: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{name} {pid}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopped_blender_times_out_every_call_in_flight_and_serves_after_sigcont() {
    let program = default_program().expect(
        "no Blender to test against: create ~/.cache/blender-mcp-rs/venv with bpy, \
         or set BLENDER_MCP_BLENDER",
    );
    let blender = LaunchedBlender::launch(LaunchConfig::new(program))
        .await
        .expect("Blender launches");
    let client = BlenderClient::connect(blender.client_config())
        .await
        .expect("connects");
    assert_eq!(
        client
            .exec("args['n']", json!({"n": 1}))
            .await
            .unwrap()
            .value,
        1
    );

    signal(blender.pid(), "STOP");
    let deadline = Duration::from_millis(1500);
    let started = Instant::now();
    let calls = (0..64).map(|n| {
        let client = client.clone();
        async move {
            let opts = CallOptions {
                timeout: Some(deadline),
                ..CallOptions::default()
            };
            client.exec_with("args['n']", json!({ "n": n }), opts).await
        }
    });
    let outcomes = futures::future::join_all(calls).await;
    let elapsed = started.elapsed();
    signal(blender.pid(), "CONT");

    for outcome in &outcomes {
        match outcome {
            Err(error @ BridgeError::NoReply { op, after }) => {
                assert_eq!((op.as_str(), *after), ("exec", deadline));
                assert!(error
                    .to_string()
                    .contains("got no reply from Blender within"));
            }
            other => panic!("expected a timeout, got {other:?}"),
        }
    }
    assert!(
        elapsed < deadline + Duration::from_secs(2),
        "64 timeouts took {elapsed:?}"
    );

    // The same connection, not a new one: a stopped peer is not a dead one.
    for n in 100..164 {
        let value = client.exec("args['n']", json!({ "n": n })).await.unwrap();
        assert_eq!(
            value.value, n,
            "a late reply to a timed-out call was mistaken for this one"
        );
    }
    assert_eq!(client.stats().connects, 1);
    blender.shutdown().await;
}
