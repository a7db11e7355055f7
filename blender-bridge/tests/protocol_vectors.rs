//! Every shared vector of protocol/vectors.json through the crate's own
//! decoder, reply parser and request validator: the code the client runs.

use bytes::BytesMut;
use serde_json::{json, Value};
use tokio_util::codec::Decoder;

use blender_bridge::protocol::{parse_request, FrameCodec, FrameError, Incoming, Reply};

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../protocol/vectors.json");
    let text = std::fs::read_to_string(path).expect("protocol/vectors.json must exist");
    serde_json::from_str(&text).expect("vectors.json is JSON")
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

/// What the decoder made of a vector, in the vocabulary of `expect`.
/// `as_reply`: a client-side vector (a reply or a progress frame).
fn outcome(bytes: &[u8], max_frame: usize, as_reply: bool) -> Value {
    let mut codec = FrameCodec::new(max_frame);
    let mut buf = BytesMut::from(bytes);
    let payload = match codec.decode(&mut buf) {
        Ok(None) => return json!({"incomplete": true}),
        Ok(Some(payload)) => payload,
        Err(FrameError::BadFrame(_)) => return json!({"frame_error": "bad_frame"}),
        Err(FrameError::TooLarge { .. }) => return json!({"frame_error": "frame_too_large"}),
        Err(FrameError::Io(e)) => panic!("i/o error from a byte buffer: {e}"),
    };
    assert!(buf.is_empty(), "a vector holds exactly one frame");
    if as_reply {
        // The client's reader tells replies from progress with Incoming::parse.
        return match Incoming::parse(&payload).expect("client-side vectors are valid frames") {
            Incoming::Reply(reply) => {
                assert_eq!(Reply::parse(&payload).as_ref(), Ok(&reply));
                json!({ "reply": serde_json::to_value(reply).unwrap() })
            }
            Incoming::Progress(frame) => {
                assert!(
                    Reply::parse(&payload).is_err(),
                    "a progress frame must never pass for a reply"
                );
                json!({ "progress": serde_json::to_value(frame).unwrap() })
            }
        };
    }
    match parse_request(&payload) {
        Ok(request) => json!({ "request": serde_json::to_value(request).unwrap() }),
        Err(e) if e.code.as_str() == "bad_frame" => json!({"frame_error": "bad_frame"}),
        Err(e) => json!({"request_error": {"code": e.code.as_str(), "id": e.id}}),
    }
}

#[test]
fn every_vector_decodes_as_specified() {
    let vectors = vectors();
    let max_frame = vectors["max_frame"].as_u64().unwrap() as usize;
    let frames = vectors["frames"].as_array().unwrap();
    assert!(frames.len() >= 30, "the vector file lost entries");
    let mut kinds = std::collections::BTreeSet::new();
    for frame in frames {
        let name = frame["name"].as_str().unwrap();
        let expect = &frame["expect"];
        let kind = expect.as_object().unwrap().keys().next().unwrap().clone();
        let got = outcome(
            &hex(frame["hex"].as_str().unwrap()),
            max_frame,
            kind == "reply" || kind == "progress",
        );
        assert_eq!(
            numbers_as_f64(&got),
            numbers_as_f64(expect),
            "vector {name}"
        );
        kinds.insert(kind);
    }
    let expected: std::collections::BTreeSet<String> = [
        "request",
        "reply",
        "progress",
        "frame_error",
        "request_error",
        "incomplete",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(kinds, expected, "every kind of vector is exercised");
}

#[test]
fn vectors_fed_byte_by_byte_decode_the_same() {
    // The client reads from a socket in arbitrary chunks; a frame split at
    // every byte must still give the same payload.
    let vectors = vectors();
    let max_frame = vectors["max_frame"].as_u64().unwrap() as usize;
    for frame in vectors["frames"].as_array().unwrap() {
        if frame["expect"].get("request").is_none() {
            continue;
        }
        let bytes = hex(frame["hex"].as_str().unwrap());
        let mut codec = FrameCodec::new(max_frame);
        let mut buf = BytesMut::new();
        let mut decoded = None;
        for byte in &bytes {
            assert!(decoded.is_none(), "{}: frame ended early", frame["name"]);
            buf.extend_from_slice(&[*byte]);
            decoded = codec.decode(&mut buf).unwrap();
        }
        let request = parse_request(&decoded.expect("frame complete")).unwrap();
        assert_eq!(
            serde_json::to_value(request).unwrap(),
            frame["expect"]["request"],
            "{}",
            frame["name"]
        );
    }
}

/// Progress numbers are `f64` on the Rust side: `3` and `3.0` are the same value.
fn numbers_as_f64(value: &Value) -> Value {
    match value {
        Value::Number(n) => json!(n.as_f64().unwrap()),
        Value::Array(items) => Value::Array(items.iter().map(numbers_as_f64).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), numbers_as_f64(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}
