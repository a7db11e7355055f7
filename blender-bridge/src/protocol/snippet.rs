//! Named, cacheable Python snippets (PROTOCOL 4.3).

use std::fmt;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

/// A piece of Python that the client sends once and then names by key.
///
/// Tools are snippets: declaring them as `static` items keeps their source in
/// the binary and computes each key only once, on first use.
pub struct Snippet {
    name: &'static str,
    code: &'static str,
    key: OnceLock<String>,
}

impl Snippet {
    /// A snippet named `name` (used in its cache key and in logs).
    pub const fn new(name: &'static str, code: &'static str) -> Self {
        Snippet {
            name,
            code,
            key: OnceLock::new(),
        }
    }

    /// The snippet's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The Python source.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The cache key: `<name>-<first 16 hex digits of sha256(code)>`, so that a
    /// changed source never runs a stale cached code object.
    pub fn key(&self) -> &str {
        self.key.get_or_init(|| snippet_key(self.name, self.code))
    }
}

impl fmt::Debug for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snippet").field("key", &self.key()).finish()
    }
}

/// Computes the cache key of a snippet (see [`Snippet::key`]).
pub fn snippet_key(name: &str, code: &str) -> String {
    let digest = Sha256::digest(code.as_bytes());
    let mut key = String::with_capacity(name.len() + 17);
    key.push_str(name);
    key.push('-');
    for byte in &digest[..8] {
        key.push_str(&format!("{byte:02x}"));
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    static STATIC_SNIPPET: Snippet = Snippet::new("answer", "result = 42");

    #[test]
    fn key_is_name_and_sha256_prefix() {
        // sha256("result = 42") computed independently with Python's hashlib.
        assert_eq!(STATIC_SNIPPET.key(), "answer-adeeaab9e1c01f82");
        assert_eq!(
            snippet_key("answer", "result = 43").len(),
            "answer-".len() + 16
        );
        assert_ne!(snippet_key("answer", "result = 43"), STATIC_SNIPPET.key());
    }
}
