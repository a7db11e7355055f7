//! The stable error codes of PROTOCOL section 5.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An error code carried in an error reply.
///
/// Clients branch on these strings, so they are an enum rather than free text;
/// [`ErrorCode::Other`] keeps codes added by a newer addon instead of failing to
/// parse the reply (PROTOCOL 5: an unknown code is a generic failure).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// Zero length, invalid UTF-8, not JSON or not a JSON object.
    BadFrame,
    /// A length prefix above the receiver's maximum frame size.
    FrameTooLarge,
    /// A JSON object that is not a valid request, or a second `hello`.
    BadRequest,
    /// The id is already in flight on this connection.
    DuplicateId,
    /// An op other than `hello` before a successful `hello`.
    NotAuthenticated,
    /// Wrong or missing token.
    Unauthorized,
    /// A `hello` with a protocol version the addon does not speak.
    UnsupportedProtocol,
    /// An op the addon does not serve.
    UnknownOp,
    /// `exec` with a snippet key that is not cached and no code.
    SnippetUnknown,
    /// User code raised.
    PythonError,
    /// The value of the code is not JSON-serialisable.
    ResultNotJson,
    /// `shutdown` is not enabled on this addon.
    Forbidden,
    /// A `cancel` named the request (PROTOCOL 4.5).
    Cancelled,
    /// An `exec` ran past its `timeout` and was interrupted (PROTOCOL 4.3).
    Timeout,
    /// The addon is stopping.
    ShuttingDown,
    /// A bug in the addon.
    Internal,
    /// An exec's `before` raised or gave no JSON; the code was not run (PROTOCOL 4.3).
    PreconditionFailed,
    /// A code this client does not know (from a newer addon).
    Other(String),
}

impl ErrorCode {
    /// The wire string of this code.
    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::BadFrame => "bad_frame",
            ErrorCode::FrameTooLarge => "frame_too_large",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::DuplicateId => "duplicate_id",
            ErrorCode::NotAuthenticated => "not_authenticated",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::UnsupportedProtocol => "unsupported_protocol",
            ErrorCode::UnknownOp => "unknown_op",
            ErrorCode::SnippetUnknown => "snippet_unknown",
            ErrorCode::PythonError => "python_error",
            ErrorCode::ResultNotJson => "result_not_json",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::Timeout => "timeout",
            ErrorCode::ShuttingDown => "shutting_down",
            ErrorCode::Internal => "internal",
            ErrorCode::PreconditionFailed => "precondition_failed",
            ErrorCode::Other(code) => code,
        }
    }

    /// Parses a wire string; never fails, unknown codes become [`ErrorCode::Other`].
    pub fn parse(code: &str) -> Self {
        match code {
            "bad_frame" => ErrorCode::BadFrame,
            "frame_too_large" => ErrorCode::FrameTooLarge,
            "bad_request" => ErrorCode::BadRequest,
            "duplicate_id" => ErrorCode::DuplicateId,
            "not_authenticated" => ErrorCode::NotAuthenticated,
            "unauthorized" => ErrorCode::Unauthorized,
            "unsupported_protocol" => ErrorCode::UnsupportedProtocol,
            "unknown_op" => ErrorCode::UnknownOp,
            "snippet_unknown" => ErrorCode::SnippetUnknown,
            "python_error" => ErrorCode::PythonError,
            "result_not_json" => ErrorCode::ResultNotJson,
            "forbidden" => ErrorCode::Forbidden,
            "cancelled" => ErrorCode::Cancelled,
            "timeout" => ErrorCode::Timeout,
            "shutting_down" => ErrorCode::ShuttingDown,
            "internal" => ErrorCode::Internal,
            "precondition_failed" => ErrorCode::PreconditionFailed,
            other => ErrorCode::Other(other.to_owned()),
        }
    }

    /// Whether the sender closes the connection after an error with this code
    /// (the "connection" column of PROTOCOL section 5).
    pub fn closes_connection(&self) -> bool {
        matches!(
            self,
            ErrorCode::BadFrame
                | ErrorCode::FrameTooLarge
                | ErrorCode::NotAuthenticated
                | ErrorCode::Unauthorized
                | ErrorCode::UnsupportedProtocol
                | ErrorCode::ShuttingDown
        )
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(ErrorCode::parse(&code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_code_round_trips_and_unknown_codes_are_kept() {
        for code in [
            "bad_frame",
            "frame_too_large",
            "bad_request",
            "duplicate_id",
            "not_authenticated",
            "unauthorized",
            "unsupported_protocol",
            "unknown_op",
            "snippet_unknown",
            "python_error",
            "result_not_json",
            "forbidden",
            "cancelled",
            "timeout",
            "shutting_down",
            "internal",
            "precondition_failed",
        ] {
            let parsed = ErrorCode::parse(code);
            assert!(!matches!(parsed, ErrorCode::Other(_)), "{code} is known");
            assert_eq!(parsed.as_str(), code);
        }
        assert_eq!(
            ErrorCode::parse("brand_new"),
            ErrorCode::Other("brand_new".into())
        );
    }
}
