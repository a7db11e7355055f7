//! `BlenderClient::exec_before` and `exec_around` against a real addon in a
//! real bpy: a precondition, the code and an after step in one request
//! (PROTOCOL 4.3, exec `before` and `after`), and what an addon without the
//! `exec_before` and `exec_after` capabilities gets instead. These tests
//! fail, not skip, without the bpy venv or `BLENDER_MCP_BLENDER`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

use blender_bridge::client::{Around, Step, EXEC_AFTER, EXEC_BEFORE};
use blender_bridge::launcher::{default_program, LaunchConfig, LaunchedBlender};
use blender_bridge::{BlenderClient, BridgeError, CallOptions, ErrorCode, Snippet};

/// Records its args where the code can read them, and answers a handle.
static MARK: Snippet = Snippet::new(
    "test_mark",
    "bpy.app.driver_namespace['mark'] = args['tag']\nresult = {'tag': args['tag']}",
);
static FAILING: Snippet = Snippet::new(
    "test_failing",
    "print('trying')\nraise RuntimeError('no checkpoint today')",
);

async fn launch(python_path: Option<&Path>) -> (LaunchedBlender, BlenderClient) {
    let program = default_program().expect(
        "no Blender to test against: create ~/.cache/blender-mcp-rs/venv with bpy, \
         or set BLENDER_MCP_BLENDER",
    );
    let mut config = LaunchConfig::new(program);
    if let Some(path) = python_path {
        config.extra_env = vec![("PYTHONPATH".into(), path.display().to_string())];
    }
    let blender = LaunchedBlender::launch(config)
        .await
        .expect("Blender launches");
    let client = BlenderClient::connect(blender.client_config())
        .await
        .unwrap();
    (blender, client)
}

/// A copy of this repository's addon that advertises neither `exec_before`
/// nor `exec_after`, as an addon from before them would (the rest of the addon is the real one).
fn addon_without_exec_before() -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../addon/blender_mcp_addon");
    let root = std::env::temp_dir().join(format!("old-addon-{}", std::process::id()));
    let package = root.join("blender_mcp_addon");
    std::fs::create_dir_all(&package).unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "py" || e == "toml") {
            let mut text = std::fs::read_to_string(&path).unwrap();
            if path.file_name().unwrap() == "server.py" {
                let features = ", \"exec_before\", \"exec_after\"";
                assert!(text.contains(features), "server.py changed");
                text = text.replace(features, "");
            }
            std::fs::write(package.join(path.file_name().unwrap()), text).unwrap();
        }
    }
    root
}

fn marker_exists(path: &Path) -> bool {
    path.exists()
}

async fn guarded_calls_behave_alike(client: &BlenderClient) {
    let code = "print('user')\nresult = [bpy.app.driver_namespace.pop('mark'), args['own']]";
    let ok = client
        .exec_before(
            code,
            json!({"own": 1}),
            &MARK,
            json!({"tag": "a"}),
            CallOptions::default(),
        )
        .await;
    assert_eq!(ok.before, Some(json!({"tag": "a"})));
    let output = ok.outcome.unwrap();
    assert_eq!(output.value, json!(["a", 1]));
    assert_eq!(output.stdout, "user\n");

    // The code raised: its error, and the handle to undo what it did.
    let raised = client
        .exec_before(
            "1 / 0",
            Value::Null,
            &MARK,
            json!({"tag": "b"}),
            CallOptions::default(),
        )
        .await;
    assert_eq!(raised.before, Some(json!({"tag": "b"})));
    match raised.outcome {
        Err(BridgeError::Python(e)) => assert_eq!(e.exc_type, "ZeroDivisionError"),
        other => panic!("{other:?}"),
    }

    // The precondition raised: precondition_failed with its traceback, no
    // handle, and the code never ran.
    let marker = std::env::temp_dir().join(format!("precondition-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    let failed = client
        .exec_before(
            "open(args['path'], 'w').close()",
            json!({"path": marker.display().to_string()}),
            &FAILING,
            Value::Null,
            CallOptions::default(),
        )
        .await;
    assert_eq!(failed.before, None);
    match failed.outcome {
        Err(BridgeError::Remote(e)) => {
            assert_eq!(e.code, ErrorCode::PreconditionFailed);
            assert_eq!(e.detail_str("type"), Some("RuntimeError"));
            assert!(
                e.detail_str("traceback")
                    .unwrap()
                    .contains("no checkpoint today"),
                "{e:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        !marker_exists(&marker),
        "the code ran after a failed precondition"
    );

    // Stopped at its time limit: the handle comes back with the timeout.
    let opts = CallOptions {
        exec_timeout: Some(Duration::from_millis(300)),
        ..CallOptions::default()
    };
    let timed_out = client
        .exec_before(
            "print('looping')\nwhile True:\n    pass",
            Value::Null,
            &MARK,
            json!({"tag": "c"}),
            opts,
        )
        .await;
    assert_eq!(timed_out.before, Some(json!({"tag": "c"})));
    match timed_out.outcome {
        Err(BridgeError::TimeLimitExceeded { stdout, .. }) => assert_eq!(stdout, "looping\n"),
        other => panic!("{other:?}"),
    }
    client.ping().await.unwrap();
}

#[tokio::test]
async fn one_request_carries_the_precondition_and_its_value_comes_back() {
    let (_blender, client) = launch(None).await;
    let info = client.server_info().await.unwrap();
    assert!(
        info.capabilities.iter().any(|c| c == EXEC_BEFORE),
        "{info:?}"
    );
    guarded_calls_behave_alike(&client).await;
    assert_eq!(client.stats().snippet_resends, 0);
}

#[tokio::test]
async fn a_precondition_the_addon_forgot_is_sent_again_with_its_code() {
    let (_blender, client) = launch(None).await;
    let run = |tag: &'static str| {
        client.exec_before(
            "bpy.app.driver_namespace.pop('mark')",
            Value::Null,
            &MARK,
            json!({ "tag": tag }),
            CallOptions::default(),
        )
    };
    assert_eq!(run("first").await.outcome.unwrap().value, json!("first"));
    // Push it out of the addon's snippet cache (256 entries), behind the
    // client's back: the client still sends the key alone.
    for i in 0..300 {
        let params = json!({"code": "None", "snippet": format!("filler-{i}")});
        client
            .call("exec", params, CallOptions::default())
            .await
            .unwrap();
    }
    let again = run("second").await;
    assert_eq!(again.before, Some(json!({"tag": "second"})));
    assert_eq!(again.outcome.unwrap().value, json!("second"));
    assert_eq!(client.stats().snippet_resends, 1);
}

/// The code of `exec_snippet_before`: reads what the precondition marked.
static POP_MARK: Snippet = Snippet::new(
    "test_pop_mark",
    "result = [bpy.app.driver_namespace.pop('mark'), args['own']]",
);

#[tokio::test]
async fn a_snippet_and_its_precondition_the_addon_forgot_are_both_sent_again() {
    let (_blender, client) = launch(None).await;
    let run = |tag: &'static str| {
        client.exec_snippet_before(
            &POP_MARK,
            json!({ "own": tag.len() }),
            &MARK,
            json!({ "tag": tag }),
            CallOptions::default(),
        )
    };
    let first = run("first").await;
    assert_eq!(first.before, Some(json!({"tag": "first"})));
    assert_eq!(first.outcome.unwrap().value, json!(["first", 5]));
    assert_eq!(
        run("again").await.outcome.unwrap().value,
        json!(["again", 5])
    );
    assert_eq!(client.stats().snippet_resends, 0, "both were sent by key");
    for i in 0..300 {
        let params = json!({"code": "None", "snippet": format!("filler-{i}")});
        client
            .call("exec", params, CallOptions::default())
            .await
            .unwrap();
    }
    let later = run("later").await;
    assert_eq!(later.before, Some(json!({"tag": "later"})));
    assert_eq!(later.outcome.unwrap().value, json!(["later", 5]));
    assert_eq!(client.stats().snippet_resends, 2, "each was resent once");
}

/// The after step: what the code left in the driver namespace.
static READ_SEEN: Snippet = Snippet::new(
    "test_read_seen",
    "result = [bpy.app.driver_namespace.pop('seen', None), args['tag']]",
);

/// A mark, the code, and the after step around it.
fn marked_and_read(tag: &str) -> Around<'static> {
    Around {
        before: Some(Step {
            snippet: &MARK,
            args: json!({ "tag": tag }),
        }),
        after: Some(Step {
            snippet: &READ_SEEN,
            args: json!({ "tag": tag }),
        }),
    }
}

#[tokio::test]
async fn the_after_step_reads_what_the_code_did_in_the_same_request() {
    let (_blender, client) = launch(None).await;
    let seen = "bpy.app.driver_namespace['seen'] = bpy.app.driver_namespace.pop('mark')
";
    let done = client
        .exec_around(
            &format!("{seen}'ok'"),
            Value::Null,
            marked_and_read("a"),
            CallOptions::default(),
        )
        .await;
    assert_eq!(done.before, Some(json!({"tag": "a"})));
    assert_eq!(done.after, Some(Ok(json!(["a", "a"]))));
    assert_eq!(done.outcome.unwrap().value, json!("ok"));
    // A failing code still gets its after step, and keeps its own error.
    let failed = client
        .exec_around(
            &format!("{seen}1 / 0"),
            Value::Null,
            marked_and_read("b"),
            CallOptions::default(),
        )
        .await;
    assert_eq!(failed.after, Some(Ok(json!(["b", "b"]))));
    assert!(
        matches!(failed.outcome, Err(BridgeError::Python(_))),
        "{:?}",
        failed.outcome
    );
    // A failing after step leaves the code's answer alone.
    static BROKEN: Snippet = Snippet::new("test_broken_after", "raise KeyError('gone')");
    let around = Around {
        before: None,
        after: Some(Step {
            snippet: &BROKEN,
            args: Value::Null,
        }),
    };
    let broken = client
        .exec_around("6 * 7", Value::Null, around, CallOptions::default())
        .await;
    assert_eq!(broken.after, Some(Err("KeyError: 'gone'".into())));
    assert_eq!(broken.before, None);
    assert_eq!(broken.outcome.unwrap().value, json!(42));
    // Snippets the addon forgot are sent again, the after step's included.
    for i in 0..300 {
        let params = json!({"code": "None", "snippet": format!("filler-{i}")});
        client
            .call("exec", params, CallOptions::default())
            .await
            .unwrap();
    }
    let resends = client.stats().snippet_resends;
    let later = client
        .exec_around(
            &format!("{seen}'ok'"),
            Value::Null,
            marked_and_read("c"),
            CallOptions::default(),
        )
        .await;
    assert_eq!(later.after, Some(Ok(json!(["c", "c"]))));
    assert_eq!(
        client.stats().snippet_resends,
        resends + 2,
        "before and after resent once each"
    );
}

#[tokio::test]
async fn an_addon_without_exec_before_gets_two_requests_with_the_same_answers() {
    let old_addon = addon_without_exec_before();
    let (_blender, client) = launch(Some(&old_addon)).await;
    let info = client.server_info().await.unwrap();
    assert!(
        !info
            .capabilities
            .iter()
            .any(|c| c == EXEC_BEFORE || c == EXEC_AFTER),
        "{info:?}"
    );
    guarded_calls_behave_alike(&client).await;
    // No after step there: the answer says it did not run.
    let code = "bpy.app.driver_namespace['seen'] = bpy.app.driver_namespace.pop('mark')";
    let around = client
        .exec_around(
            code,
            Value::Null,
            marked_and_read("old"),
            CallOptions::default(),
        )
        .await;
    assert_eq!(around.before, Some(json!({"tag": "old"})));
    assert_eq!(around.after, None);
    around.outcome.unwrap();
    let _ = std::fs::remove_dir_all(old_addon);
}

fn signal(name: &str, pid: u32) {
    let status = std::process::Command::new("kill")
        .args([format!("-{name}"), pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{name} {pid}");
}

#[tokio::test]
async fn a_stopped_blender_fails_a_long_guarded_call_within_the_request_timeout() {
    // What a separate checkpoint request showed: a Blender that answers
    // nothing fails the call within the request timeout, although the
    // code's own time limit (and so its transport timeout) is far longer.
    let (blender, _) = launch(None).await;
    let mut config = blender.client_config();
    config.request_timeout = Duration::from_secs(1);
    let client = BlenderClient::connect(config).await.unwrap();
    let opts = || CallOptions {
        exec_timeout: Some(Duration::from_secs(120)),
        ..CallOptions::default()
    };
    // A long call on a live Blender is not cut short by the check.
    let slow = client
        .exec_before(
            "import time\ntime.sleep(1.5)\n'slept'",
            Value::Null,
            &MARK,
            json!({"tag": "s"}),
            opts(),
        )
        .await;
    assert_eq!(slow.outcome.unwrap().value, json!("slept"));

    signal("STOP", blender.pid());
    let started = std::time::Instant::now();
    let stalled = client
        .exec_before(
            "1",
            Value::Null,
            &MARK,
            json!({"tag": "t"}),
            CallOptions::default(),
        )
        .await;
    let elapsed = started.elapsed();
    signal("CONT", blender.pid());
    assert_eq!(stalled.before, None);
    match stalled.outcome {
        Err(BridgeError::NoReply { after, .. }) => assert_eq!(after, Duration::from_secs(1)),
        other => panic!("{other:?}"),
    }
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
    client.ping().await.unwrap();
}
