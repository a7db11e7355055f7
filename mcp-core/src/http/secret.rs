//! A bearer token that cannot leak through logs.

use std::fmt;
use std::path::Path;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A shared secret (the HTTP bearer token).
///
/// `Debug` and `Display` print a fixed placeholder so that logging a config or
/// an error can never reveal it. Comparison is constant-time over SHA-256
/// digests, so neither the content nor the length of the expected token leaks
/// through response timing.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a token. Surrounding whitespace (a trailing newline from a file)
    /// is not part of the token.
    pub fn new(token: impl Into<String>) -> Self {
        Secret(token.into().trim().to_string())
    }

    /// Reads a token from a file (e.g. one written with `0600` permissions),
    /// so it never has to appear on a command line where `ps` would show it.
    pub fn from_file(path: &Path) -> std::io::Result<Self> {
        Ok(Secret::new(std::fs::read_to_string(path)?))
    }

    /// Whether the token is empty, which is never an acceptable secret.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The raw token, for handing to a client; never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Constant-time check of a presented token against this secret.
    pub fn matches(&self, presented: &str) -> bool {
        let expected = Sha256::digest(self.0.as_bytes());
        let given = Sha256::digest(presented.as_bytes());
        bool::from(expected.ct_eq(&given))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_only_the_exact_token() {
        let secret = Secret::new("s3cret-token\n");
        assert!(secret.matches("s3cret-token"));
        assert!(!secret.matches("s3cret-toke"));
        assert!(!secret.matches("s3cret-token2"));
        assert!(!secret.matches(""));
        assert!(!secret.matches("S3CRET-TOKEN"));
    }

    #[test]
    fn debug_and_display_never_show_the_token() {
        let secret = Secret::new("hunter2-very-secret");
        assert!(!format!("{secret:?}").contains("hunter2"));
        assert!(!format!("{secret}").contains("hunter2"));
    }

    #[test]
    fn whitespace_only_is_empty() {
        assert!(Secret::new(" \n").is_empty());
    }
}
