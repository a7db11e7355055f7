//! Requests and replies (PROTOCOL section 3).

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ErrorCode;

/// The largest request id: ids must survive a round trip through a JSON
/// implementation that stores numbers as doubles (2^53 − 1).
pub const MAX_ID: u64 = (1 << 53) - 1;

/// A request as the addon sees it after validation (PROTOCOL 3.1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Request {
    /// The client-chosen id, `0..=MAX_ID`.
    pub id: u64,
    /// The operation name.
    pub op: String,
    /// The operation's parameters (`{}` when absent).
    pub params: Map<String, Value>,
}

/// A request as the client writes it: borrowed, so sending costs no copies of
/// the code or arguments.
#[derive(Debug, Serialize)]
pub struct OutgoingRequest<'a, P: Serialize + ?Sized> {
    /// The request id.
    pub id: u64,
    /// The operation name.
    pub op: &'a str,
    /// The parameters, any value serialising to a JSON object.
    pub params: &'a P,
}

/// The error object of a failed reply: what the addon refused or what failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteError {
    /// The stable code to branch on.
    pub code: ErrorCode,
    /// One human sentence.
    pub message: String,
    /// Code-specific extra data (e.g. `supported` for `unsupported_protocol`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

impl RemoteError {
    /// A string field of `details`, if present.
    pub fn detail_str(&self, key: &str) -> Option<&str> {
        self.details.as_ref()?.get(key)?.as_str()
    }
}

impl fmt::Display for RemoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

/// A reply from the addon (PROTOCOL 3.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// The request's id; `None` for errors tied to no request (the connection is closing).
    pub id: Option<u64>,
    /// Which of `result` and `error` is present.
    pub ok: bool,
    /// The result of a successful request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    /// The error of a failed request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<RemoteError>,
}

impl Reply {
    /// Parses and checks a reply payload: `ok` must agree with `result`/`error`.
    pub fn parse(payload: &[u8]) -> Result<Reply, String> {
        let reply: Reply =
            serde_json::from_slice(payload).map_err(|e| format!("bad reply: {e}"))?;
        reply.checked()
    }

    /// Checks that `ok` agrees with `result`/`error`.
    pub(crate) fn checked(self) -> Result<Reply, String> {
        let reply = self;
        match (reply.ok, &reply.result, &reply.error) {
            (true, Some(_), None) | (false, None, Some(_)) => Ok(reply),
            // A successful reply whose result is JSON null deserialises to None.
            (true, None, None) => Ok(Reply {
                result: Some(Value::Null),
                ..reply
            }),
            _ => Err(format!(
                "bad reply: `ok` is {} but the reply has {}",
                reply.ok,
                if reply.error.is_some() {
                    "an error"
                } else {
                    "no error"
                }
            )),
        }
    }

    /// Turns the reply into its result or its error.
    pub fn into_result(self) -> Result<Value, RemoteError> {
        match (self.ok, self.result, self.error) {
            (true, result, _) => Ok(result.unwrap_or(Value::Null)),
            (false, _, Some(error)) => Err(error),
            (false, _, None) => Err(RemoteError {
                code: ErrorCode::Internal,
                message: "the addon sent a failed reply without an error".into(),
                details: None,
            }),
        }
    }
}
