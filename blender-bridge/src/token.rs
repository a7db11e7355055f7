//! The shared secret and where the client finds it (PROTOCOL section 7).

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::BridgeError;

/// The environment variable holding the token on both sides.
pub const TOKEN_ENV: &str = "BLENDER_MCP_TOKEN";

/// A token: opaque, never printed (its `Debug` and `Display` are redacted) so
/// that it cannot leak into logs by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps a token string.
    pub fn new(token: impl Into<String>) -> Self {
        Token(token.into())
    }

    /// A fresh random token: 32 bytes from the OS, hex-encoded, as the addon makes them.
    pub fn generate() -> Result<Self, BridgeError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| BridgeError::launch(format!("no randomness for a token: {e}")))?;
        Ok(Token(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    /// The secret itself, for the `hello` request or a child's environment.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The per-user token file: `$XDG_CONFIG_HOME/blender-mcp-rs/token`, or
/// `~/.config/blender-mcp-rs/token`.
pub fn default_token_file() -> Option<PathBuf> {
    let config = match std::env::var_os("XDG_CONFIG_HOME") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(std::env::var_os("HOME")?).join(".config"),
    };
    Some(config.join("blender-mcp-rs").join("token"))
}

/// Finds the token; first match wins: `explicit`, env `BLENDER_MCP_TOKEN`,
/// `token_file`, the per-user token file.
pub fn discover(explicit: Option<&str>, token_file: Option<&Path>) -> Result<Token, BridgeError> {
    if let Some(token) = explicit.filter(|t| !t.is_empty()) {
        return Ok(Token::new(token));
    }
    if let Ok(token) = std::env::var(TOKEN_ENV) {
        if !token.is_empty() {
            return Ok(Token(token));
        }
    }
    if let Some(path) = token_file {
        return read_token_file(path);
    }
    let Some(path) = default_token_file() else {
        return Err(BridgeError::NoToken(format!(
            "no token: set {TOKEN_ENV} (neither HOME nor XDG_CONFIG_HOME is set to find the token file)"
        )));
    };
    read_token_file(&path)
}

fn read_token_file(path: &Path) -> Result<Token, BridgeError> {
    match std::fs::read_to_string(path) {
        Ok(text) if !text.trim().is_empty() => Ok(Token(text.trim().to_owned())),
        Ok(_) => Err(BridgeError::NoToken(format!(
            "the token file {} is empty — delete it and restart Blender's addon to make a new one, \
             or set {TOKEN_ENV}",
            path.display()
        ))),
        Err(e) => Err(BridgeError::NoToken(format!(
            "no token: cannot read {} ({e}) — start Blender with the addon once (it creates this \
             file), or set {TOKEN_ENV} to the addon's token",
            path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_never_print() {
        let token = Token::new("super-secret-value-123");
        assert!(!format!("{token:?} {token}").contains("super-secret"));
        let generated = Token::generate().unwrap();
        assert_eq!(generated.expose().len(), 64);
        assert_ne!(generated, Token::generate().unwrap());
    }

    #[test]
    fn explicit_token_wins_and_files_are_trimmed() {
        assert_eq!(
            discover(Some("explicit-token-0123"), None)
                .unwrap()
                .expose(),
            "explicit-token-0123"
        );
        let dir = std::env::temp_dir().join(format!("bmcp-token-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("token");
        std::fs::write(&file, "abcdefabcdefabcdef\n").unwrap();
        // Env may hold a token in CI; only assert the file path when it does not.
        if std::env::var(TOKEN_ENV).is_err() {
            assert_eq!(
                discover(None, Some(&file)).unwrap().expose(),
                "abcdefabcdefabcdef"
            );
            let missing = dir.join("missing");
            let err = discover(None, Some(&missing)).unwrap_err().to_string();
            assert!(err.contains("cannot read"), "{err}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
