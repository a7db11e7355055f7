//! Length-prefixed framing (PROTOCOL section 2).
//!
//! The length check happens on the 4 prefix bytes alone, before tokio-util's
//! `LengthDelimitedCodec` reserves room for the payload: a hostile or broken
//! peer can never make us allocate more than `max_frame` bytes.

use std::io;

use bytes::{BufMut, Bytes, BytesMut};
use serde::Serialize;
use tokio_util::codec::{Decoder, LengthDelimitedCodec};

/// The default maximum frame size, 64 MiB (PROTOCOL section 2).
pub const DEFAULT_MAX_FRAME: usize = 64 * 1024 * 1024;

/// Bytes of the length prefix.
const PREFIX_LEN: usize = 4;

/// A fatal frame-level error: the connection cannot be read any further.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The frame is malformed (zero length, or a payload that is not a JSON object).
    #[error("bad frame: {0}")]
    BadFrame(String),
    /// The length prefix exceeds the configured maximum.
    #[error("frame of {length} bytes exceeds the maximum of {max}")]
    TooLarge {
        /// The announced payload length.
        length: u64,
        /// The receiver's maximum.
        max: usize,
    },
    /// The socket failed.
    #[error("i/o error: {0}")]
    Io(#[from] io::Error),
}

/// Decodes frames into their payload bytes, rejecting bad lengths early.
#[derive(Debug)]
pub struct FrameCodec {
    inner: LengthDelimitedCodec,
    max_frame: usize,
    /// True while the next bytes are a length prefix (not yet handed to `inner`).
    at_prefix: bool,
}

impl FrameCodec {
    /// A codec that accepts payloads of at most `max_frame` bytes.
    pub fn new(max_frame: usize) -> Self {
        let inner = LengthDelimitedCodec::builder()
            .big_endian()
            .length_field_length(PREFIX_LEN)
            .max_frame_length(max_frame)
            .new_codec();
        FrameCodec {
            inner,
            max_frame,
            at_prefix: true,
        }
    }

    /// The maximum payload size this codec accepts.
    pub fn max_frame(&self) -> usize {
        self.max_frame
    }
}

impl Decoder for FrameCodec {
    type Item = BytesMut;
    type Error = FrameError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<BytesMut>, FrameError> {
        if self.at_prefix {
            let Some(prefix) = src.get(..PREFIX_LEN) else {
                return Ok(None);
            };
            let length = u32::from_be_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]);
            if length == 0 {
                return Err(FrameError::BadFrame("zero-length frame".into()));
            }
            if length as u64 > self.max_frame as u64 {
                return Err(FrameError::TooLarge {
                    length: length.into(),
                    max: self.max_frame,
                });
            }
        }
        let frame = self.inner.decode(src)?;
        self.at_prefix = frame.is_some();
        Ok(frame)
    }
}

/// Serialises `message` as one frame (prefix + JSON payload) in a single buffer.
///
/// Writing the JSON straight after a placeholder prefix avoids the copy that
/// encoding through `LengthDelimitedCodec` would make of every payload.
pub fn encode_frame<T: Serialize + ?Sized>(
    message: &T,
    size_hint: usize,
) -> Result<Bytes, serde_json::Error> {
    let mut buf = BytesMut::with_capacity(PREFIX_LEN + size_hint);
    buf.put_u32(0);
    serde_json::to_writer((&mut buf).writer(), message)?;
    let length = buf.len() - PREFIX_LEN;
    let length = u32::try_from(length)
        .map_err(|_| <serde_json::Error as serde::ser::Error>::custom("frame longer than 4 GiB"))?;
    buf[..PREFIX_LEN].copy_from_slice(&length.to_be_bytes());
    Ok(buf.freeze())
}

/// Frame payload length of an encoded frame (for checks against the peer's maximum).
pub fn payload_len(frame: &[u8]) -> usize {
    frame.len().saturating_sub(PREFIX_LEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_frames_are_reassembled_and_the_prefix_is_checked_once() {
        let frame = encode_frame(&serde_json::json!({"id": 1, "op": "ping"}), 32).unwrap();
        let mut codec = FrameCodec::new(1024);
        let mut buf = BytesMut::new();
        for byte in frame.iter() {
            assert!(codec.decode(&mut buf).unwrap().is_none());
            buf.put_u8(*byte);
        }
        let payload = codec.decode(&mut buf).unwrap().unwrap();
        assert_eq!(&payload[..], br#"{"id":1,"op":"ping"}"#);
        assert!(buf.is_empty());
    }

    #[test]
    fn a_length_above_the_maximum_is_refused_before_any_payload_arrives() {
        let mut codec = FrameCodec::new(10);
        let mut buf = BytesMut::from(&[0u8, 0, 0, 11][..]);
        match codec.decode(&mut buf) {
            Err(FrameError::TooLarge {
                length: 11,
                max: 10,
            }) => {}
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }
}
