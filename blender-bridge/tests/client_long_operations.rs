//! Long operations through `BlenderClient` against a real addon in a real
//! bpy: the exec time limit, progress reports, and cancellation by dropping
//! a call's future or by the transport timeout (PROTOCOL 4.3, 4.5).
//! These tests fail, not skip, without the bpy venv or `BLENDER_MCP_BLENDER`.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::sync::mpsc;

use blender_bridge::launcher::{default_program, LaunchConfig, LaunchedBlender};
use blender_bridge::protocol::Progress;
use blender_bridge::{BlenderClient, BridgeError, CallOptions, ErrorCode};

async fn launch() -> (LaunchedBlender, BlenderClient) {
    let program = default_program().expect(
        "no Blender to test against: create ~/.cache/blender-mcp-rs/venv with bpy, \
         or set BLENDER_MCP_BLENDER",
    );
    let blender = LaunchedBlender::launch(LaunchConfig::new(program))
        .await
        .expect("Blender launches");
    let client = BlenderClient::connect(blender.client_config())
        .await
        .unwrap();
    (blender, client)
}

/// Blender is free again: a ping through its main thread answers promptly.
async fn assert_blender_is_free(client: &BlenderClient) {
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(3), client.ping())
        .await
        .expect("Blender is still busy: the abandoned work was not stopped")
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn the_addon_advertises_cancel_time_limits_and_progress() {
    let (_blender, client) = launch().await;
    let info = client.server_info().await.unwrap();
    for capability in ["cancel", "exec_timeout", "progress"] {
        assert!(
            info.capabilities.iter().any(|c| c == capability),
            "{capability}: {info:?}"
        );
    }
}

#[tokio::test]
async fn exec_timeout_interrupts_an_infinite_loop_and_blender_keeps_serving() {
    let (_blender, client) = launch().await;
    let opts = CallOptions {
        exec_timeout: Some(Duration::from_millis(500)),
        ..CallOptions::default()
    };
    let started = Instant::now();
    let outcome = client
        .exec_with("print('before')\nwhile True:\n    pass", Value::Null, opts)
        .await;
    let elapsed = started.elapsed();
    match outcome {
        Err(error @ BridgeError::TimeLimitExceeded { .. }) => {
            let text = error.to_string();
            assert!(text.contains("time limit of 500ms"), "{text}");
            assert!(text.contains("before"), "{text}");
            assert_eq!(error.remote_code(), Some(&ErrorCode::Timeout));
            let BridgeError::TimeLimitExceeded { limit, stdout, .. } = error else {
                unreachable!()
            };
            assert_eq!(limit, Duration::from_millis(500));
            assert_eq!(stdout, "before\n");
        }
        other => panic!("expected the addon's time limit, got {other:?}"),
    }
    assert!(elapsed >= Duration::from_millis(450), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    let out = client.exec("result = 6 * 7", Value::Null).await.unwrap();
    assert_eq!(out.value, json!(42));
}

#[tokio::test]
async fn the_transport_timeout_is_stretched_past_the_exec_time_limit() {
    // A transport timeout shorter than the time limit would report a bare
    // "no reply"; the client waits for the addon's clearer answer instead.
    let (_blender, client) = launch().await;
    let opts = CallOptions {
        timeout: Some(Duration::from_millis(100)),
        exec_timeout: Some(Duration::from_millis(400)),
        ..CallOptions::default()
    };
    let outcome = client
        .exec_with("while True:\n    pass", Value::Null, opts)
        .await;
    assert!(
        matches!(outcome, Err(BridgeError::TimeLimitExceeded { .. })),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn progress_reports_reach_the_sink_in_order_and_the_last_one_arrives() {
    let (_blender, client) = launch().await;
    let (sink, mut reports) = mpsc::unbounded_channel::<Progress>();
    let opts = CallOptions {
        progress: Some(sink),
        ..CallOptions::default()
    };
    let code = "import time\n\
                for i in range(30):\n    \
                    progress(i + 1, 30, 'step %d' % (i + 1))\n    \
                    time.sleep(0.01)\n\
                result = 'done'";
    let out = client.exec_with(code, Value::Null, opts).await.unwrap();
    assert_eq!(out.value, json!("done"));
    let mut received = Vec::new();
    while let Ok(report) = reports.try_recv() {
        received.push(report);
    }
    assert!(!received.is_empty(), "no progress arrived");
    assert!(received.len() < 30, "not rate-limited: {}", received.len());
    let done: Vec<f64> = received.iter().map(|p| p.done).collect();
    assert!(done.windows(2).all(|w| w[0] < w[1]), "{done:?}");
    assert_eq!(
        received.last().unwrap(),
        &Progress {
            done: 30.0,
            total: Some(30.0),
            message: Some("step 30".into())
        }
    );
}

#[tokio::test]
async fn progress_of_a_snippet_reaches_the_sink_too() {
    static COUNTING: blender_bridge::Snippet =
        blender_bridge::Snippet::new("counting", "progress(1, 1, 'one')\nresult = args['n']");
    let (_blender, client) = launch().await;
    for n in 0..2 {
        // First call sends the code, second only the key: both report.
        let (sink, mut reports) = mpsc::unbounded_channel();
        let opts = CallOptions {
            progress: Some(sink),
            ..CallOptions::default()
        };
        let out = client
            .exec_snippet_with(&COUNTING, json!({ "n": n }), opts)
            .await
            .unwrap();
        assert_eq!(out.value, json!(n));
        assert_eq!(reports.try_recv().unwrap().message.as_deref(), Some("one"));
    }
}

#[tokio::test]
async fn dropping_the_future_of_a_running_call_interrupts_it_in_blender() {
    let (_blender, client) = launch().await;
    let running = client.exec("while True:\n    pass", Value::Null);
    // An outer timeout drops the call's future, as a cancelled MCP request does.
    let outcome = tokio::time::timeout(Duration::from_millis(300), running).await;
    assert!(outcome.is_err(), "an infinite loop cannot finish");
    assert_blender_is_free(&client).await;
    let out = client.exec("result = 'after'", Value::Null).await.unwrap();
    assert_eq!(out.value, json!("after"));
    assert_eq!(client.stats().connects, 1, "cancelling kept the connection");
}

#[tokio::test]
async fn dropping_a_queued_call_means_it_never_runs() {
    let (_blender, client) = launch().await;
    let marker = std::env::temp_dir().join(format!("bmcp-dropped-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    // The blocker holds Blender's main thread; the second call waits behind it.
    let blocker = {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .exec(
                    "import time\ntime.sleep(1.0)\nresult = 'slept'",
                    Value::Null,
                )
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let queued = client.exec(
        "open(args['path'], 'w').write('ran')",
        json!({ "path": marker.to_str().unwrap() }),
    );
    assert!(tokio::time::timeout(Duration::from_millis(200), queued)
        .await
        .is_err());
    assert_eq!(blocker.await.unwrap().unwrap().value, json!("slept"));
    // Anything queued behind the blocker has run by the time this answers.
    client.ping().await.unwrap();
    assert!(!marker.exists(), "the dropped call ran anyway");
}

#[tokio::test]
async fn the_transport_timeout_cancels_the_work_it_gives_up_on() {
    let (_blender, client) = launch().await;
    let opts = CallOptions {
        timeout: Some(Duration::from_millis(300)),
        ..CallOptions::default()
    };
    let outcome = client
        .exec_with("while True:\n    pass", Value::Null, opts)
        .await;
    assert!(
        matches!(outcome, Err(BridgeError::NoReply { .. })),
        "{outcome:?}"
    );
    assert_blender_is_free(&client).await;
}
