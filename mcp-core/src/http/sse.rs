//! Legacy HTTP+SSE transport (MCP 2024-11-05) at `/sse` + `/messages`.
//!
//! `GET /sse` opens an event stream whose first event (`endpoint`) names the
//! URL to POST to, `…/messages?sessionId=<id>`; each POSTed JSON-RPC message
//! is accepted with 202 and its reply arrives on the stream as a `message`
//! event. Older clients (and `claude mcp add --transport sse`) still use it.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{OriginalUri, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use futures::Stream;
use rmcp::service::{ServerInitializeError, ServiceExt};
use rmcp::ServerHandler;

use super::guard::error_response;
use super::jsonrpc::parse_messages;
use super::lifecycle::Lifecycle;
use super::sse_session::{SessionStream, SseSessions};
use super::HttpConfig;

/// Path of the event stream.
pub(crate) const SSE_PATH: &str = "/sse";
/// Path clients POST their messages to.
pub(crate) const MESSAGES_PATH: &str = "/messages";

struct SseState<F> {
    factory: F,
    sessions: Arc<SseSessions>,
    lifecycle: Lifecycle,
    keep_alive: std::time::Duration,
}

/// The `/sse` and `/messages` routes.
pub(crate) fn routes<S, F>(factory: F, config: &HttpConfig, lifecycle: &Lifecycle) -> Router
where
    S: ServerHandler,
    F: Fn() -> S + Send + Sync + Clone + 'static,
{
    let state = Arc::new(SseState {
        factory,
        sessions: Arc::new(SseSessions::new(
            config.max_sse_sessions,
            config.sse_channel_capacity,
            config.sse_send_timeout,
        )),
        lifecycle: lifecycle.clone(),
        keep_alive: config.sse_keep_alive,
    });
    Router::new()
        .route(SSE_PATH, get(open_stream::<S, F>))
        .route(MESSAGES_PATH, post(post_message::<S, F>))
        .with_state(state)
}

/// The path prefix this router is mounted under (`/api` when nested at
/// `/api`), so the advertised endpoint is reachable from outside.
fn mount_prefix(original: &Uri, local: &Uri) -> String {
    original
        .path()
        .strip_suffix(local.path())
        .unwrap_or("")
        .to_string()
}

async fn open_stream<S, F>(
    State(state): State<Arc<SseState<F>>>,
    OriginalUri(original): OriginalUri,
    uri: Uri,
) -> Response
where
    S: ServerHandler,
    F: Fn() -> S + Send + Sync + Clone + 'static,
{
    let cancel = state.lifecycle.force.child_token();
    let Some((transport, session)) = state.sessions.open(cancel.clone()) else {
        tracing::warn!("refused legacy SSE session: session limit reached");
        return error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "Service Unavailable: too many SSE sessions",
        );
    };
    let endpoint = format!(
        "{}{}?sessionId={}",
        mount_prefix(&original, &uri),
        MESSAGES_PATH,
        session.id
    );
    tracing::info!(session = %session.id, "legacy SSE session opened");

    let handler = (state.factory)();
    let session_id = session.id.clone();
    tokio::spawn(async move {
        match handler.serve_with_ct(transport, cancel).await {
            Ok(running) => {
                let _ = running.waiting().await;
            }
            Err(ServerInitializeError::Cancelled | ServerInitializeError::ConnectionClosed(_)) => {}
            Err(error) => {
                tracing::warn!(session = %session_id, %error, "legacy SSE handshake failed")
            }
        }
        tracing::info!(session = %session_id, "legacy SSE session task ended");
    });

    let events = event_stream(endpoint, session, state.lifecycle.clone());
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(state.keep_alive))
        .into_response()
}

/// The stream ends when the server side goes away, when shutdown begins and
/// no request of this session is still being answered, or when the drain
/// deadline passes. Dropping it (client gone) closes the session.
fn event_stream(
    endpoint: String,
    session: SessionStream,
    lifecycle: Lifecycle,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let state = (Some(endpoint), session, lifecycle);
    futures::stream::unfold(state, |(endpoint, mut session, lifecycle)| async move {
        if let Some(endpoint) = endpoint {
            let event = Event::default().event("endpoint").data(endpoint);
            return Some((Ok(event), (None, session, lifecycle)));
        }
        let in_flight = session.in_flight.clone();
        let stopping = lifecycle.stopping.clone();
        let drained = async move {
            stopping.cancelled().await;
            in_flight.wait_idle().await;
        };
        tokio::pin!(drained);
        loop {
            tokio::select! {
                biased;
                message = session.outbound.recv() => {
                    let message = message?;
                    match serde_json::to_string(&message) {
                        Ok(json) => {
                            let event = Event::default().event("message").data(json);
                            return Some((Ok(event), (None, session, lifecycle)));
                        }
                        Err(error) => tracing::error!(%error, "could not encode server message"),
                    }
                }
                _ = lifecycle.force.cancelled() => return None,
                _ = &mut drained => return None,
            }
        }
    })
}

async fn post_message<S, F>(
    State(state): State<Arc<SseState<F>>>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response
where
    S: ServerHandler,
    F: Fn() -> S + Send + Sync + Clone + 'static,
{
    let Some(session_id) = query.get("sessionId") else {
        return error_response(
            StatusCode::BAD_REQUEST,
            "Bad Request: sessionId is required",
        );
    };
    let Some(session) = state.sessions.get(session_id) else {
        return error_response(StatusCode::NOT_FOUND, "Not Found: no such session");
    };
    let messages = match parse_messages(&body) {
        Ok(messages) => messages,
        Err(rejection) => {
            tracing::debug!(?rejection, "refused malformed legacy SSE message");
            return rejection.into_response();
        }
    };
    for message in messages {
        let send = session.inbound.send(message);
        match tokio::time::timeout(state.sessions.send_timeout(), send).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => {
                return error_response(StatusCode::NOT_FOUND, "Not Found: session closed")
            }
            Err(_) => {
                return error_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Service Unavailable: session is not keeping up",
                )
            }
        }
    }
    (StatusCode::ACCEPTED, "Accepted").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_prefix_is_the_nesting_path() {
        let original: Uri = "/api/v1/sse".parse().unwrap();
        let local: Uri = "/sse".parse().unwrap();
        assert_eq!(mount_prefix(&original, &local), "/api/v1");
        assert_eq!(mount_prefix(&local, &local), "");
    }
}
