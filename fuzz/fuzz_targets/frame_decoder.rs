//! Arbitrary bytes, cut into arbitrary chunks, through `FrameCodec`.
//!
//! The decoder sits on a socket anyone local can write to, so beyond "never
//! panics" it must keep its promises: no payload above the maximum, every
//! payload exactly as long as its prefix said, and the same frames whatever
//! the chunking (TCP gives no message boundaries).
#![no_main]

use blender_bridge::protocol::{FrameCodec, FrameError};
use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use tokio_util::codec::Decoder;

#[path = "../../blender-bridge/tests/support/frame_reference.rs"]
mod frame_reference;

const MAX_FRAME: usize = 1024;

/// Decodes `data` fed in pieces of the given sizes; returns the payloads and
/// whether a frame error ended the stream.
fn decode(data: &[u8], cuts: &[u8]) -> (Vec<Vec<u8>>, Option<String>) {
    let mut codec = FrameCodec::new(MAX_FRAME);
    let mut buf = BytesMut::new();
    let mut payloads = Vec::new();
    let mut rest = data;
    let mut cut = cuts.iter().cycle();
    loop {
        // A cut of 0 would make no progress: every piece is at least 1 byte.
        let take = cut
            .next()
            .map_or(rest.len(), |c| (*c as usize).max(1).min(rest.len()));
        buf.extend_from_slice(&rest[..take]);
        rest = &rest[take..];
        loop {
            match codec.decode(&mut buf) {
                Ok(Some(payload)) => {
                    assert!(!payload.is_empty(), "zero-length payload returned");
                    assert!(payload.len() <= MAX_FRAME, "payload above the maximum");
                    payloads.push(payload.to_vec());
                }
                Ok(None) => break,
                Err(FrameError::Io(e)) => panic!("i/o error from a pure decoder: {e}"),
                Err(e) => return (payloads, Some(e.to_string())),
            }
        }
        if rest.is_empty() {
            return (payloads, None);
        }
    }
}

fuzz_target!(|input: (Vec<u8>, Vec<u8>)| {
    let (data, cuts) = input;
    let (whole, whole_error) = decode(&data, &[]);
    let (chunked, chunked_error) = decode(&data, &cuts);
    assert_eq!(whole, chunked, "chunking changed the frames");
    assert_eq!(whole_error.is_some(), chunked_error.is_some());
    let (expected, expected_error) = frame_reference::reference(&data, MAX_FRAME);
    assert_eq!(whole, expected, "frames differ from an independent parse");
    assert_eq!(whole_error.is_some(), expected_error);
});
