//! The bridge wire protocol, version 1 (docs/PROTOCOL.md): framing, messages,
//! error codes, request validation and snippet keys.

mod codec;
mod error_code;
mod message;
mod progress;
mod snippet;
mod validate;

pub use codec::{encode_frame, payload_len, FrameCodec, FrameError, DEFAULT_MAX_FRAME};
pub use error_code::ErrorCode;
pub use message::{OutgoingRequest, RemoteError, Reply, Request, MAX_ID};
pub use progress::{Incoming, Progress, ProgressFrame};
pub use snippet::{snippet_key, Snippet};
pub use validate::{parse_object, parse_request, RequestError};

/// The protocol version this crate speaks.
pub const PROTOCOL_VERSION: u32 = 1;
