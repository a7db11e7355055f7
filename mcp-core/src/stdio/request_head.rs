//! The id of a request known only by its first bytes.
//!
//! A message over the size limit is never read whole, yet its caller is
//! waiting for an answer to that id. JSON objects are read key by key, so
//! the members before the cut (`jsonrpc`, `id`, `method` in every SDK's
//! output) can still be read from a truncated message.

use std::fmt;

use rmcp::model::RequestId;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use crate::rejection::answerable_id;

/// The id to answer a truncated message with, if its first bytes show it is
/// a request with a usable id.
pub(crate) fn request_id_in_head(head: &[u8]) -> Option<RequestId> {
    let mut seen = Seen::default();
    let mut reader = serde_json::Deserializer::from_slice(head);
    // The error is expected (the input stops mid-message); what was seen
    // before it is the answer.
    let _ = (&mut reader).deserialize_map(Members(&mut seen));
    let id = seen.id.filter(|_| seen.id_is_whole);
    answerable_id(id.as_ref(), seen.method.as_ref())
}

#[derive(Default)]
struct Seen {
    id: Option<Value>,
    /// A later member (or the closing brace) was read after the id, so the
    /// id was not cut: `12` at the very end of the head may have been `123`.
    id_is_whole: bool,
    method: Option<Value>,
}

/// Records `id` and `method` as the object's members go by, skipping the
/// others without building them.
struct Members<'a>(&'a mut Seen);

impl<'de> Visitor<'de> for Members<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON-RPC message object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        loop {
            let key = map.next_key::<String>()?;
            self.0.id_is_whole |= self.0.id.is_some();
            let Some(key) = key else { return Ok(()) };
            match key.as_str() {
                "id" => self.0.id = Some(map.next_value()?),
                "method" => self.0.method = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
    }
}

impl<'de> DeserializeSeed<'de> for Members<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::model::NumberOrString;

    #[test]
    fn the_id_is_found_before_the_cut() {
        let head = br##"{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"x","arguments":{"code":"# aaaa"##;
        assert_eq!(request_id_in_head(head), Some(NumberOrString::Number(42)));
        let head = br##" { "method" : "tools/call", "id" : "req-\u0031", "params": [1, {"a": "##;
        assert_eq!(
            request_id_in_head(head),
            Some(NumberOrString::String("req-1".into()))
        );
    }

    #[test]
    fn no_id_when_it_is_cut_off_missing_or_not_a_request() {
        // The id comes after the cut.
        let head = br#"{"jsonrpc":"2.0","params":{"code":"xxxxxxxx"#;
        assert_eq!(request_id_in_head(head), None);
        // Cut right after the id: the number may have had more digits.
        assert_eq!(request_id_in_head(br#"{"method":"a","id":12"#), None);
        assert_eq!(
            request_id_in_head(br#"{"method":"a","id":12}"#),
            Some(NumberOrString::Number(12))
        );
        // A response (no method) is never answered by id.
        assert_eq!(request_id_in_head(br#"{"id":3,"result":{"x":"#), None);
        assert_eq!(request_id_in_head(b"[1,2,3"), None);
        assert_eq!(request_id_in_head(b"\xff\xfe"), None);
        assert_eq!(request_id_in_head(b""), None);
    }
}
