//! Recognising the text block that mirrors a result's structured content,
//! without serialising the content again to compare.
//!
//! A tool answer carries its structured content twice: as JSON and as a
//! text block with the same JSON (rmcp's `CallToolResult::structured`).
//! Adding `changes` must rewrite that text; finding it by building the
//! content's string cost one more copy of a large result (16 MiB for a
//! 16 MiB reply), where this streams the serialisation against the text.

use std::io::{self, Write};

use serde::Serialize;

/// Whether `text` is exactly `value` in serde_json's compact form.
pub(super) fn is_json_of<T: Serialize + ?Sized>(text: &str, value: &T) -> bool {
    let mut expected = Expected(text.as_bytes());
    serde_json::to_writer(&mut expected, value).is_ok() && expected.0.is_empty()
}

/// What is left to match; a write that does not continue it fails, which
/// stops the serialisation at the first difference.
struct Expected<'a>(&'a [u8]);

impl Write for Expected<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match self.0.strip_prefix(data) {
            Some(rest) => {
                self.0 = rest;
                Ok(data.len())
            }
            None => Err(io::ErrorKind::InvalidData.into()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_exact_compact_form_matches() {
        let value = json!({"result": "x\"é", "n": [1, 2.5, null]});
        assert!(is_json_of(&value.to_string(), &value));
        assert!(!is_json_of(&format!("{value} "), &value));
        assert!(!is_json_of(r#"{"result":"x"}"#, &value));
        assert!(!is_json_of("", &value));
        assert!(!is_json_of(
            &serde_json::to_string_pretty(&value).unwrap(),
            &value
        ));
    }
}
