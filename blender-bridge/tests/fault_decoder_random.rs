//! The CI stand-in for the cargo-fuzz targets in `fuzz/`: replays their
//! corpus and runs the same properties over seeded random inputs, with no
//! nightly toolchain and no instrumented build.
//!
//! Properties (the same as `fuzz/fuzz_targets/*.rs`):
//! - the frame decoder never panics, never yields a payload that is empty or
//!   above the maximum, yields exactly the frames an independent parse finds,
//!   and yields the same frames however the bytes are chunked;
//! - the request validator never panics, accepts only requests obeying
//!   PROTOCOL 3.1 and refuses with `bad_frame` exactly the non-objects;
//! - the reply parser never accepts a reply whose `ok` disagrees with it.

use std::path::Path;

use bytes::BytesMut;
use serde_json::{json, Value};
use tokio_util::codec::Decoder;

use blender_bridge::protocol::{
    encode_frame, parse_object, parse_request, ErrorCode, FrameCodec, FrameError, Reply, MAX_ID,
};

#[path = "support/frame_reference.rs"]
mod frame_reference;

const MAX_FRAME: usize = 1024;

/// xorshift64*: deterministic, dependency-free randomness (a failure prints its seed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

fn decode(data: &[u8], cuts: &[usize]) -> (Vec<Vec<u8>>, bool) {
    let mut codec = FrameCodec::new(MAX_FRAME);
    let mut buf = BytesMut::new();
    let mut payloads = Vec::new();
    let mut rest = data;
    let mut cut = cuts.iter().cycle();
    loop {
        let take = cut.next().map_or(rest.len(), |c| (*c).min(rest.len()));
        buf.extend_from_slice(&rest[..take]);
        rest = &rest[take..];
        loop {
            match codec.decode(&mut buf) {
                Ok(Some(payload)) => {
                    assert!(!payload.is_empty() && payload.len() <= MAX_FRAME);
                    payloads.push(payload.to_vec());
                }
                Ok(None) => break,
                Err(FrameError::Io(e)) => panic!("i/o error from a byte buffer: {e}"),
                Err(_) => return (payloads, true),
            }
        }
        if rest.is_empty() {
            return (payloads, false);
        }
    }
}

fn check_frames(data: &[u8], cuts: &[usize]) {
    let whole = decode(data, &[]);
    let chunked = decode(data, cuts);
    assert_eq!(whole, chunked, "chunking {cuts:?} changed the frames");
    assert_eq!(
        whole,
        frame_reference::reference(data, MAX_FRAME),
        "frames differ from an independent parse"
    );
}

fn check_message(payload: &[u8]) {
    match parse_request(payload) {
        Ok(request) => {
            assert!(request.id <= MAX_ID);
            let object = parse_object(payload).expect("a valid request is an object");
            assert_eq!(object.get("id").and_then(Value::as_u64), Some(request.id));
            assert_eq!(
                object.get("op").and_then(Value::as_str),
                Some(request.op.as_str())
            );
        }
        Err(error) => match error.code {
            ErrorCode::BadFrame => assert!(error.id.is_none() && parse_object(payload).is_err()),
            ErrorCode::BadRequest => {
                assert!(parse_object(payload).is_ok());
                assert!(error.id.is_none_or(|id| id <= MAX_ID));
            }
            other => panic!("undefined refusal code {other}"),
        },
    }
    if let Ok(reply) = Reply::parse(payload) {
        assert_eq!(reply.ok, reply.error.is_none());
        assert_eq!(reply.ok, reply.result.is_some());
    }
}

/// Valid frames to mutate: requests and replies of every shape.
fn valid_messages() -> Vec<Value> {
    vec![
        json!({"id": 1, "op": "hello", "params": {"protocol": 1, "token": "t".repeat(32)}}),
        json!({"id": 2, "op": "ping"}),
        json!({"id": 3, "op": "exec", "params": {"code": "1 + 1", "args": {"a": [1, 2.5, null]}}}),
        json!({"id": MAX_ID, "op": "exec", "params": {"snippet": "k-0123456789abcdef"}}),
        json!({"id": 4, "ok": true, "result": {"value": "\u{2603}", "stdout": "", "stderr": ""}}),
        json!({"id": null, "ok": false, "error": {"code": "bad_frame", "message": "m"}}),
        json!({"id": 5, "ok": false, "error": {"code": "python_error", "message": "E", "details": {"type": "E"}}}),
    ]
}

fn mutate(rng: &mut Rng, input: &mut Vec<u8>) {
    for _ in 0..=rng.below(4) {
        if input.is_empty() {
            input.push(rng.next() as u8);
            continue;
        }
        let at = rng.below(input.len());
        match rng.below(5) {
            0 => input[at] = rng.next() as u8,
            1 => input[at] ^= 1 << rng.below(8),
            2 => {
                input.remove(at);
            }
            3 => {
                const TOKENS: &[u8] = b"{}[]\",:0-1e\\\x00\xff";
                input.insert(at, TOKENS[rng.below(TOKENS.len())]);
            }
            _ => input.truncate(at),
        }
    }
}

#[test]
fn the_fuzz_corpus_replays_clean() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut replayed = 0;
    let mut seeds = 0;
    for (target, check) in [
        (
            "frame_decoder",
            (|d: &[u8]| check_frames(d, &[1, 3, 7])) as fn(&[u8]),
        ),
        ("message_parser", check_message as fn(&[u8])),
    ] {
        // The committed seeds, plus whatever a local `cargo fuzz run` found.
        for dir in [
            fuzz.join("seeds").join(target),
            fuzz.join("corpus").join(target),
        ] {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let is_seeds = dir.starts_with(fuzz.join("seeds"));
            for entry in entries {
                let data = std::fs::read(entry.unwrap().path()).unwrap();
                check(&data);
                replayed += 1;
                seeds += usize::from(is_seeds);
            }
        }
    }
    assert!(
        seeds >= 60,
        "the seed corpus is committed ({seeds} seeds found)"
    );
    assert!(replayed >= seeds);
}

/// Every frame of the shared vectors is a committed seed of both targets
/// (the whole frame for the decoder, its payload for the parser), so a
/// protocol change that adds vectors also gives the fuzzers a start there.
#[test]
fn every_protocol_vector_is_a_fuzz_seed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("protocol/vectors.json")).unwrap();
    let vectors: Value = serde_json::from_str(&text).unwrap();
    let mut missing = Vec::new();
    for frame in vectors["frames"].as_array().unwrap() {
        let name = frame["name"].as_str().unwrap();
        let hex = frame["hex"].as_str().unwrap();
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        let seed =
            |target: &str| std::fs::read(root.join("fuzz/seeds").join(target).join(name)).ok();
        if seed("frame_decoder").as_deref() != Some(&bytes[..]) {
            missing.push(format!("frame_decoder/{name}"));
        }
        if bytes.len() > 4 && seed("message_parser").as_deref() != Some(&bytes[4..]) {
            missing.push(format!("message_parser/{name}"));
        }
    }
    assert!(
        missing.is_empty(),
        "fuzz/seeds/ lacks or differs from these vectors (write the frame's bytes, \
         and its payload for message_parser): {missing:?}"
    );
}

#[test]
fn random_and_mutated_frames_keep_the_decoder_properties() {
    let seed = 0x5EED_F4A3_u64;
    let mut rng = Rng(seed);
    let valid: Vec<Vec<u8>> = valid_messages()
        .iter()
        .map(|m| encode_frame(m, 64).unwrap().to_vec())
        .collect();
    for case in 0..20_000 {
        let mut data = match case % 3 {
            0 => {
                let len = rng.below(64);
                rng.bytes(len)
            }
            1 => {
                let mut data = Vec::new();
                for _ in 0..=rng.below(4) {
                    data.extend_from_slice(&valid[rng.below(valid.len())]);
                }
                data
            }
            _ => valid[rng.below(valid.len())].clone(),
        };
        if case % 3 != 1 || rng.below(2) == 0 {
            mutate(&mut rng, &mut data);
        }
        let cuts: Vec<usize> = (0..=rng.below(4)).map(|_| 1 + rng.below(9)).collect();
        check_frames(&data, &cuts);
    }
}

#[test]
fn random_and_mutated_payloads_keep_the_parser_properties() {
    let mut rng = Rng(0xC0FF_EE00_1234_5678);
    let valid: Vec<Vec<u8>> = valid_messages()
        .iter()
        .map(|m| serde_json::to_vec(m).unwrap())
        .collect();
    let mut accepted = 0;
    for case in 0..50_000 {
        let mut payload = if case % 4 == 0 {
            let len = rng.below(48);
            rng.bytes(len)
        } else {
            valid[rng.below(valid.len())].clone()
        };
        mutate(&mut rng, &mut payload);
        check_message(&payload);
        accepted += usize::from(parse_request(&payload).is_ok());
    }
    // Mutation keeps many payloads valid: the accepting branch really ran.
    assert!(
        accepted > 1000,
        "only {accepted} mutated payloads were valid requests"
    );
}
