//! The checks every HTTP request passes before it reaches MCP code.
//!
//! Order matters: `Host` and `Origin` first (a rebinding page must learn
//! nothing, not even whether a token is needed), then the bearer token, then
//! the body is read under a size cap and a deadline so that neither a huge
//! nor a trickling upload can pin memory.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::BytesMut;
use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use super::allowlist::Allowlist;
use super::Secret;
use crate::rejection::http_refusal;

/// Everything the guard needs, shared by all requests of one router.
#[derive(Debug)]
pub(crate) struct Guard {
    pub(crate) allowlist: Allowlist,
    pub(crate) token: Option<Secret>,
    pub(crate) max_body_bytes: usize,
    pub(crate) body_timeout: Duration,
    pub(crate) stopping: CancellationToken,
}

/// A refusal as a JSON-RPC error body (no id: the request was not read),
/// so that every client can parse what went wrong.
pub(crate) fn error_response(status: StatusCode, message: &str) -> Response {
    let body = serde_json::to_string(&http_refusal(status.as_u16(), message))
        .expect("a JSON-RPC error serialises");
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// `Some(None)`: header absent; `None`: present but not valid text.
fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<Option<&str>> {
    match headers.get(name) {
        None => Some(None),
        Some(value) => value.to_str().ok().map(Some),
    }
}

impl Guard {
    /// Host/Origin/token verdict for a request's headers; `None` means allowed.
    fn reject_headers(&self, headers: &HeaderMap) -> Option<Response> {
        let host = header_str(headers, header::HOST).flatten();
        if !self.allowlist.host_allowed(host) {
            tracing::warn!(host = ?host, "refused request: Host not allowed (possible DNS rebinding)");
            return Some(error_response(
                StatusCode::FORBIDDEN,
                "Forbidden: Host header is not allowed",
            ));
        }
        let origin_ok = match header_str(headers, header::ORIGIN) {
            Some(origin) => self.allowlist.origin_allowed(origin),
            None => false,
        };
        if !origin_ok {
            tracing::warn!(origin = ?headers.get(header::ORIGIN), "refused request: Origin not allowed");
            return Some(error_response(
                StatusCode::FORBIDDEN,
                "Forbidden: Origin is not allowed",
            ));
        }
        if let Some(secret) = &self.token {
            if !bearer_matches(headers, secret) {
                tracing::warn!("refused request: missing or wrong bearer token");
                let mut response = error_response(
                    StatusCode::UNAUTHORIZED,
                    "Unauthorized: bearer token required",
                );
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"mcp\""),
                );
                return Some(response);
            }
        }
        None
    }
}

/// Whether `Authorization: Bearer <token>` carries the expected token.
pub(crate) fn bearer_matches(headers: &HeaderMap, secret: &Secret) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, token)) = value.trim().split_once(' ') else {
        return false;
    };
    scheme.eq_ignore_ascii_case("bearer") && secret.matches(token.trim())
}

/// Reads the whole body, refusing more than `limit` bytes or taking longer
/// than `timeout`; the rebuilt request carries the buffered bytes.
async fn buffer_body(
    request: Request,
    limit: usize,
    timeout: Duration,
) -> Result<Request, Response> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(too_large(limit));
    }
    let (parts, body) = request.into_parts();
    let read = async {
        let mut stream = body.into_data_stream();
        let mut buffer = BytesMut::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|error| {
                tracing::debug!(%error, "request body read failed");
                error_response(StatusCode::BAD_REQUEST, "Bad Request: unreadable body")
            })?;
            if buffer.len() + chunk.len() > limit {
                return Err(too_large(limit));
            }
            buffer.extend_from_slice(&chunk);
        }
        Ok(buffer.freeze())
    };
    match tokio::time::timeout(timeout, read).await {
        Ok(Ok(bytes)) => Ok(Request::from_parts(parts, Body::from(bytes))),
        Ok(Err(response)) => Err(response),
        Err(_) => Err(error_response(
            StatusCode::REQUEST_TIMEOUT,
            "Request Timeout: body not received in time",
        )),
    }
}

fn too_large(limit: usize) -> Response {
    tracing::warn!(limit, "refused request: body too large");
    error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("Payload Too Large: the limit is {limit} bytes"),
    )
}

/// axum middleware applying [`Guard`] to every request of the router.
pub(crate) async fn check(
    State(guard): State<Arc<Guard>>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(rejection) = guard.reject_headers(request.headers()) {
        return rejection;
    }
    if guard.stopping.is_cancelled() {
        return error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "Service Unavailable: server is shutting down",
        );
    }
    let request = if request.method() == Method::POST {
        match buffer_body(request, guard.max_body_bytes, guard.body_timeout).await {
            Ok(request) => request,
            Err(response) => return response,
        }
    } else {
        request
    };
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(auth: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(auth) = auth {
            headers.insert(header::AUTHORIZATION, HeaderValue::from_str(auth).unwrap());
        }
        headers
    }

    #[test]
    fn bearer_token_must_match_exactly() {
        let secret = Secret::new("abc123");
        assert!(bearer_matches(&headers(Some("Bearer abc123")), &secret));
        assert!(bearer_matches(&headers(Some("bearer abc123")), &secret));
        assert!(!bearer_matches(&headers(Some("Bearer abc124")), &secret));
        assert!(!bearer_matches(&headers(Some("Basic abc123")), &secret));
        assert!(!bearer_matches(&headers(Some("abc123")), &secret));
        assert!(!bearer_matches(&headers(None), &secret));
    }
}
