//! The router mounted inside another axum app, driven in-process: the legacy
//! SSE endpoint event must name the mounted path, and the guards must still
//! apply under a prefix.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use futures::StreamExt;
use mcp_core::http::{router, ConfigError, HttpConfig, Secret};
use tower::ServiceExt;

/// A handler with rmcp's defaults: these tests exercise routing, not tools.
#[derive(Clone)]
struct Minimal;

impl rmcp::ServerHandler for Minimal {}

fn mounted(config: &HttpConfig) -> Router {
    Router::new().nest("/api/v1", router(|| Minimal, config).expect("valid config"))
}

#[tokio::test]
async fn sse_endpoint_event_names_the_mounted_messages_path() {
    let app = mounted(&HttpConfig::default());
    let response = app
        .oneshot(
            Request::get("/api/v1/sse")
                .header(header::HOST, "localhost:8765")
                .header(header::ACCEPT, "text/event-stream")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body().into_data_stream();
    let first = body.next().await.expect("an event").expect("readable");
    let text = String::from_utf8(first.to_vec()).unwrap();
    assert!(text.starts_with("event: endpoint\n"), "{text}");
    assert!(text.contains("data: /api/v1/messages?sessionId="), "{text}");
}

#[tokio::test]
async fn guards_apply_under_a_prefix() {
    let config = HttpConfig {
        token: Some(Secret::new("prefix-token")),
        ..HttpConfig::default()
    };
    let app = mounted(&config);
    let bad_host = Request::post("/api/v1/mcp")
        .header(header::HOST, "evil.example")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(
        app.clone().oneshot(bad_host).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let no_token = Request::get("/api/v1/sse")
        .header(header::HOST, "127.0.0.1")
        .body(Body::empty())
        .unwrap();
    let response = app.oneshot(no_token).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers().contains_key(header::WWW_AUTHENTICATE));
}

#[tokio::test]
async fn router_refuses_an_insecure_config() {
    let config = HttpConfig {
        bind: "0.0.0.0:8765".parse().unwrap(),
        ..HttpConfig::default()
    };
    let error = router(|| Minimal, &config).unwrap_err();
    assert_eq!(error, ConfigError::NonLoopbackWithoutToken(config.bind));
}
