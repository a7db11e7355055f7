//! BlenderClient against a real addon in a real bpy (module mode), launched
//! through the crate's own launcher. These tests fail, not skip, without
//! the bpy venv (~/.cache/blender-mcp-rs/venv) or `BLENDER_MCP_BLENDER`.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use blender_bridge::launcher::{default_program, LaunchConfig, LaunchedBlender};
use blender_bridge::{BlenderClient, BridgeError, CallOptions, ErrorCode, Snippet};

async fn launch_with(env: &[(&str, &str)]) -> LaunchedBlender {
    let program = default_program().expect(
        "no Blender to test against: create ~/.cache/blender-mcp-rs/venv with bpy, \
         or set BLENDER_MCP_BLENDER",
    );
    let mut config = LaunchConfig::new(program);
    config.extra_env = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    LaunchedBlender::launch(config)
        .await
        .expect("Blender launches")
}

async fn launch() -> LaunchedBlender {
    launch_with(&[]).await
}

#[tokio::test]
async fn hello_reports_the_server_and_a_wrong_token_is_refused() {
    let blender = launch().await;
    let client = BlenderClient::connect(blender.client_config())
        .await
        .unwrap();
    let info = client.server_info().await.expect("hello happened");
    assert_eq!(info.protocol, 1);
    assert_eq!(info.mode, "module");
    assert_eq!(info.pid, blender.pid());
    assert!(info.max_frame >= 1024 * 1024);
    for op in ["hello", "ping", "exec", "snippets", "shutdown"] {
        assert!(
            info.capabilities.iter().any(|c| c == op),
            "capability {op}: {info:?}"
        );
    }
    assert!(client.ping().await.unwrap() > Duration::ZERO);

    let mut wrong = blender.client_config();
    wrong.token = Some("not-the-token-not-the-token".into());
    match BlenderClient::connect(wrong).await {
        Err(error @ BridgeError::Handshake(_)) => {
            assert_eq!(error.remote_code(), Some(&ErrorCode::Unauthorized));
            let text = error.to_string();
            assert!(text.contains("unauthorized"), "{text}");
            assert!(!text.contains("not-the-token"), "the token leaked: {text}");
            assert!(
                !text.contains(blender.token().expose()),
                "the token leaked: {text}"
            );
        }
        other => panic!("expected a handshake refusal, got {other:?}"),
    }
    // The refusal affected only that connection.
    client.ping().await.unwrap();
}

#[tokio::test]
async fn exec_returns_values_output_and_python_errors() {
    let blender = launch().await;
    let client = BlenderClient::new(blender.client_config());

    let out = client
        .exec("print('hi')\nresult = args['a'] + 1", json!({"a": 41}))
        .await
        .unwrap();
    assert_eq!(out.value, json!(42));
    assert_eq!(out.stdout, "hi\n");

    let out = client.exec("x = 2\nx * 3", Value::Null).await.unwrap();
    assert_eq!(out.value, json!(6), "value of the last expression");
    let out = client.exec("x = 2", Value::Null).await.unwrap();
    assert_eq!(out.value, Value::Null);

    let out = client
        .exec("import bpy\nresult = bpy.app.version_string", Value::Null)
        .await
        .unwrap();
    assert!(
        out.value.as_str().unwrap().starts_with("4."),
        "{:?}",
        out.value
    );

    let out = client
        .exec("result = args['s'][::-1]", json!({"s": "žluťoučký 🐍"}))
        .await
        .unwrap();
    assert_eq!(out.value, json!("🐍 ýkčuoťulž"));

    match client.exec("print('before')\n1 / 0", Value::Null).await {
        Err(BridgeError::Python(py)) => {
            assert_eq!(py.exc_type, "ZeroDivisionError");
            assert_eq!(py.message, "division by zero");
            assert!(
                py.traceback.contains("ZeroDivisionError"),
                "{}",
                py.traceback
            );
            assert_eq!(py.stdout, "before\n");
            let text = BridgeError::Python(py).to_string();
            assert!(
                text.contains("ZeroDivisionError: division by zero"),
                "{text}"
            );
        }
        other => panic!("expected a Python error, got {other:?}"),
    }
    match client.exec("def broken(:\n", Value::Null).await {
        Err(BridgeError::Python(py)) => assert_eq!(py.exc_type, "SyntaxError"),
        other => panic!("expected a SyntaxError, got {other:?}"),
    }
    match client.exec("result = float('nan')", Value::Null).await {
        Err(BridgeError::Remote(e)) => assert_eq!(e.code, ErrorCode::ResultNotJson),
        other => panic!("expected result_not_json, got {other:?}"),
    }
    match client
        .call("frobnicate", Value::Null, CallOptions::default())
        .await
    {
        Err(BridgeError::Remote(e)) => assert_eq!(e.code, ErrorCode::UnknownOp),
        other => panic!("expected unknown_op, got {other:?}"),
    }
    // None of the failures hurt the connection.
    assert_eq!(client.exec("1", Value::Null).await.unwrap().value, json!(1));
    assert_eq!(client.stats().connects, 1);
}

static DOUBLE: Snippet = Snippet::new("double", "result = args['n'] * 2");

#[tokio::test]
async fn snippets_are_cached_by_the_addon_and_shared_across_connections() {
    let blender = launch().await;
    let client = BlenderClient::new(blender.client_config());
    for n in 0..3 {
        let out = client.exec_snippet(&DOUBLE, json!({"n": n})).await.unwrap();
        assert_eq!(out.value, json!(n * 2));
    }
    assert_eq!(client.stats().snippet_resends, 0);

    // Another connection runs it by key alone: the addon cached the code.
    let other = BlenderClient::new(blender.client_config());
    let by_key = json!({"snippet": DOUBLE.key(), "args": {"n": 21}});
    let value = other
        .call("exec", by_key, CallOptions::default())
        .await
        .unwrap();
    assert_eq!(value["value"], json!(42));

    // A key the addon never saw is refused, so the client must send code.
    let unknown = json!({"snippet": "never-sent-0000000000000000"});
    match other.call("exec", unknown, CallOptions::default()).await {
        Err(BridgeError::Remote(e)) => assert_eq!(e.code, ErrorCode::SnippetUnknown),
        other => panic!("expected snippet_unknown, got {other:?}"),
    }
}

#[tokio::test]
async fn two_hundred_concurrent_calls_on_one_client_are_all_matched() {
    let blender = launch().await;
    let client = BlenderClient::connect(blender.client_config())
        .await
        .unwrap();
    let calls = (0..200).map(|i| {
        let client = client.clone();
        async move {
            if i % 5 == 0 {
                client.ping().await.map(|_| json!(i * 2))
            } else {
                client
                    .exec("result = args['i'] * 2", json!({"i": i}))
                    .await
                    .map(|out| out.value)
            }
        }
    });
    let results = futures::future::join_all(calls).await;
    for (i, result) in results.into_iter().enumerate() {
        assert_eq!(result.unwrap(), json!(i * 2), "call {i}");
    }
    assert_eq!(client.stats().connects, 1, "all on one connection");
}

#[tokio::test]
async fn a_timed_out_request_leaves_the_client_usable() {
    let blender = launch().await;
    let client = BlenderClient::connect(blender.client_config())
        .await
        .unwrap();
    let started = Instant::now();
    let opts = CallOptions {
        timeout: Some(Duration::from_millis(200)),
        ..CallOptions::default()
    };
    match client
        .exec_with(
            "import time\ntime.sleep(2)\nresult = 'late'",
            Value::Null,
            opts,
        )
        .await
    {
        Err(BridgeError::NoReply { op, after }) => {
            assert_eq!(op, "exec");
            assert_eq!(after, Duration::from_millis(200));
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "did not wait for the sleep"
    );
    // The late reply arrives on the same connection and must not be taken
    // for the answer to this call.
    let out = client.exec("result = 'fresh'", Value::Null).await.unwrap();
    assert_eq!(out.value, json!("fresh"));
    assert_eq!(client.stats().connects, 1);
}

#[tokio::test]
async fn sixteen_mebibyte_replies_and_eight_mebibyte_requests_round_trip() {
    let blender = launch().await;
    let client = BlenderClient::connect(blender.client_config())
        .await
        .unwrap();
    let out = client
        .exec("result = 'x' * (16 * 1024 * 1024)", Value::Null)
        .await
        .unwrap();
    let text = out.value.as_str().unwrap();
    assert_eq!(text.len(), 16 * 1024 * 1024);
    assert!(text.bytes().all(|b| b == b'x'));

    let big = "y".repeat(8 * 1024 * 1024);
    let out = client
        .exec(
            "result = [len(args['s']), args['s'][-3:]]",
            json!({"s": big}),
        )
        .await
        .unwrap();
    assert_eq!(out.value, json!([8 * 1024 * 1024, "yyy"]));
}

#[tokio::test]
async fn frames_above_either_maximum_fail_cleanly() {
    let blender = launch_with(&[("BLENDER_MCP_MAX_FRAME", "1048576")]).await;
    let client = BlenderClient::connect(blender.client_config())
        .await
        .unwrap();
    assert_eq!(client.server_info().await.unwrap().max_frame, 1_048_576);
    // A request above the addon's maximum is refused before it is sent.
    let big = "z".repeat(2 * 1024 * 1024);
    match client.exec("result = 1", json!({"s": big})).await {
        Err(BridgeError::FrameTooLarge {
            what: "request",
            max: 1_048_576,
            ..
        }) => {}
        other => panic!("expected a local frame_too_large, got {other:?}"),
    }
    client.ping().await.unwrap();

    // A reply above our maximum closes the connection; the next call reconnects.
    let mut small = blender.client_config();
    small.max_frame = 64 * 1024;
    let client = BlenderClient::connect(small).await.unwrap();
    match client.exec("result = 'r' * 100000", Value::Null).await {
        Err(error @ BridgeError::FrameTooLarge { what: "reply", .. }) => {
            assert!(error.to_string().contains("65536"), "{error}");
        }
        other => panic!("expected a reply frame_too_large, got {other:?}"),
    }
    assert_eq!(
        client.exec("result = 5", Value::Null).await.unwrap().value,
        json!(5)
    );
    assert_eq!(client.stats().connects, 2);
}
