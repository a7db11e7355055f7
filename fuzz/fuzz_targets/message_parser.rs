//! Arbitrary payloads through the request validator and the reply parser.
//!
//! Beyond "never panics": every accepted request obeys PROTOCOL 3.1 (id in
//! range, params an object), every refusal carries a defined code, and every
//! accepted reply has exactly one of result and error.
#![no_main]

use blender_bridge::protocol::{parse_object, parse_request, ErrorCode, Reply, MAX_ID};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|payload: &[u8]| {
    match parse_request(payload) {
        Ok(request) => {
            assert!(request.id <= MAX_ID);
            let object = parse_object(payload).expect("a valid request is a JSON object");
            assert_eq!(object.get("id").and_then(Value::as_u64), Some(request.id));
            assert_eq!(
                object.get("op").and_then(Value::as_str),
                Some(request.op.as_str())
            );
        }
        Err(error) => match error.code {
            ErrorCode::BadFrame => {
                assert!(error.id.is_none());
                assert!(
                    parse_object(payload).is_err(),
                    "bad_frame only for non-objects"
                );
            }
            ErrorCode::BadRequest => {
                assert!(
                    parse_object(payload).is_ok(),
                    "bad_request only for objects"
                );
                if let Some(id) = error.id {
                    assert!(id <= MAX_ID);
                }
            }
            other => panic!("undefined refusal code {other}"),
        },
    }
    if let Ok(reply) = Reply::parse(payload) {
        let ok = reply.ok;
        let has_error = reply.error.is_some();
        assert_eq!(ok, !has_error, "ok disagrees with the error field");
        assert!(
            ok == reply.result.is_some(),
            "ok disagrees with the result field"
        );
        match reply.into_result() {
            Ok(_) => assert!(ok),
            Err(_) => assert!(!ok),
        }
    }
});
