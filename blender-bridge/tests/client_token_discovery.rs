//! Token discovery order (PROTOCOL section 7), end to end: a real addon that
//! reads its token from the per-user token file, and a client that finds the
//! same file through XDG_CONFIG_HOME. One test in this binary, because it
//! sets process environment variables.

use std::time::Duration;

use serde_json::Value;

use blender_bridge::launcher::default_program;
use blender_bridge::token::{discover, TOKEN_ENV};
use blender_bridge::{BlenderClient, BridgeError, ClientConfig, ErrorCode};

#[tokio::test]
async fn explicit_beats_env_beats_file_and_a_real_addon_accepts_the_file_token() {
    let config_home = std::env::temp_dir().join(format!("bmcp-xdg-{}", std::process::id()));
    let token_dir = config_home.join("blender-mcp-rs");
    std::fs::create_dir_all(&token_dir).unwrap();
    std::fs::write(token_dir.join("token"), "file-token-0123456789abcdef\n").unwrap();
    std::env::set_var("XDG_CONFIG_HOME", &config_home);
    std::env::remove_var(TOKEN_ENV);

    assert_eq!(
        discover(None, None).unwrap().expose(),
        "file-token-0123456789abcdef"
    );
    let explicit_file = config_home.join("explicit");
    std::fs::write(&explicit_file, "explicit-file-token-0123").unwrap();
    assert_eq!(
        discover(None, Some(&explicit_file)).unwrap().expose(),
        "explicit-file-token-0123"
    );
    std::env::set_var(TOKEN_ENV, "env-token-0123456789abcdef");
    assert_eq!(
        discover(None, Some(&explicit_file)).unwrap().expose(),
        "env-token-0123456789abcdef"
    );
    assert_eq!(
        discover(Some("explicit-token-0123456789"), None)
            .unwrap()
            .expose(),
        "explicit-token-0123456789"
    );
    std::env::remove_var(TOKEN_ENV);

    // A real addon with no token in its environment reads the same file.
    let program = default_program().expect("the bpy venv or BLENDER_MCP_BLENDER");
    let addon_dir = blender_bridge::addon_bundle::addon_dir().unwrap();
    let ready = config_home.join("ready.json");
    let mut child = tokio::process::Command::new(program)
        .args(["-m", "blender_mcp_addon", "--port", "0", "--ready-file"])
        .arg(&ready)
        .env("PYTHONPATH", &addon_dir)
        .env("XDG_CONFIG_HOME", &config_home)
        .env_remove(TOKEN_ENV)
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut port = None;
    for _ in 0..600 {
        if let Ok(text) = std::fs::read_to_string(&ready) {
            let json: Value = serde_json::from_str(&text).unwrap();
            port = json["port"].as_u64();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let port = port.expect("the addon became ready") as u16;

    let client = BlenderClient::connect(ClientConfig::new("127.0.0.1", port))
        .await
        .expect("the client found the token file");
    client.ping().await.unwrap();

    let mut wrong = ClientConfig::new("127.0.0.1", port);
    wrong.token_file = Some(explicit_file);
    match BlenderClient::connect(wrong).await {
        Err(error @ BridgeError::Handshake(_)) => {
            assert_eq!(error.remote_code(), Some(&ErrorCode::Unauthorized))
        }
        other => panic!("an explicit file must win over the default one: {other:?}"),
    }

    // No token file: a Blender that answers gets a token error naming the file...
    let empty_home = config_home.join("empty");
    std::fs::create_dir_all(&empty_home).unwrap();
    std::env::set_var("XDG_CONFIG_HOME", &empty_home);
    let error = BlenderClient::connect(ClientConfig::new("127.0.0.1", port))
        .await
        .expect_err("no token file, no token");
    let text = error.to_string();
    assert!(matches!(error, BridgeError::NoToken(_)), "{error:?}");
    assert!(
        text.contains(&format!("127.0.0.1:{port} answers")),
        "{text}"
    );
    assert!(text.contains("blender-mcp-rs/token"), "{text}");

    // ...and where nothing answers, the error is that, not the missing token.
    child.kill().await.unwrap();
    child.wait().await.unwrap();
    let error = BlenderClient::connect(ClientConfig::new("127.0.0.1", port))
        .await
        .expect_err("nothing listens any more");
    assert!(matches!(error, BridgeError::Connect { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .contains(&format!("no Blender answered at 127.0.0.1:{port}")),
        "{error}"
    );
    std::fs::remove_dir_all(&config_home).unwrap();
}
