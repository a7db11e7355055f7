//! Parsing of the project's `.env` file.
//!
//! Why our own parser: the file holds API keys, and a general-purpose crate may echo a bad line in
//! its error. Here errors name the line number only, and the [`DotEnv`] type's `Debug` prints
//! variable names, never values.

use std::fmt;
use std::path::Path;

use crate::error::{EnvError, Result};

/// The variables of a `.env` file, in file order (a later duplicate replaces the earlier value).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct DotEnv {
    entries: Vec<(String, String)>,
}

impl fmt::Debug for DotEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.entries.iter().map(|(k, _)| format!("{k}=<set>")))
            .finish()
    }
}

impl DotEnv {
    /// Reads `path`; a missing file is an empty `.env` (the container then runs without keys).
    pub fn load(path: &Path) -> Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(EnvError::io(format!("reading {}", path.display()), e)),
        }
    }

    /// Parses `.env` text. `origin` only names the file in errors.
    ///
    /// Accepted: `NAME=value`, `export NAME=value`, values in single quotes (taken literally) or
    /// double quotes (`\n`, `\"`, `\\` escapes), blank lines, `#` comments, and ` #` comments after
    /// unquoted values.
    pub fn parse(text: &str, origin: &Path) -> Result<Self> {
        let mut env = DotEnv::default();
        for (index, raw) in text.lines().enumerate() {
            let bad = |problem: &str| EnvError::BadDotEnvLine {
                path: origin.to_path_buf(),
                line: index + 1,
                problem: problem.to_string(),
            };
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
            let Some((name, value)) = line.split_once('=') else {
                return Err(bad("missing `=`"));
            };
            let name = name.trim();
            if !is_valid_name(name) {
                return Err(bad(
                    "the name must be letters, digits and `_`, not starting with a digit",
                ));
            }
            let value = parse_value(value.trim()).map_err(bad)?;
            env.set(name, &value);
        }
        Ok(env)
    }

    /// Sets or replaces one variable.
    pub fn set(&mut self, name: &str, value: &str) {
        match self.entries.iter_mut().find(|(k, _)| k == name) {
            Some(entry) => entry.1 = value.to_string(),
            None => self.entries.push((name.to_string(), value.to_string())),
        }
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The variable names, in file order: what `status` shows instead of the values.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    /// `NAME=value` strings for the container's environment.
    pub fn to_container_env(&self) -> Vec<String> {
        self.entries
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect()
    }

    /// True when the file had no variables (or did not exist).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn parse_value(value: &str) -> std::result::Result<String, &'static str> {
    if let Some(rest) = value.strip_prefix('\'') {
        let end = rest.find('\'').ok_or("unterminated single quote")?;
        ensure_only_comment(&rest[end + 1..])?;
        return Ok(rest[..end].to_string());
    }
    if let Some(rest) = value.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    ensure_only_comment(&rest[i + 1..])?;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, other)) => out.push(other),
                    None => return Err("unterminated double quote"),
                },
                other => out.push(other),
            }
        }
        return Err("unterminated double quote");
    }
    let unquoted = match value.find(" #") {
        Some(i) => &value[..i],
        None => value,
    };
    Ok(unquoted.trim_end().to_string())
}

fn ensure_only_comment(rest: &str) -> std::result::Result<(), &'static str> {
    let rest = rest.trim();
    if rest.is_empty() || rest.starts_with('#') {
        Ok(())
    } else {
        Err("text after the closing quote")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<DotEnv> {
        DotEnv::parse(text, Path::new(".env"))
    }

    #[test]
    fn reads_plain_quoted_exported_and_commented_lines() {
        let env = parse(
            "# keys\nANTHROPIC_API_KEY=sk-123\nexport GITHUB_TOKEN = 'a b#c'\nX=\"l1\\nl2\" # note\nY=v # c\n\nEMPTY=\n",
        )
        .unwrap();
        assert_eq!(env.get("ANTHROPIC_API_KEY"), Some("sk-123"));
        assert_eq!(env.get("GITHUB_TOKEN"), Some("a b#c"));
        assert_eq!(env.get("X"), Some("l1\nl2"));
        assert_eq!(env.get("Y"), Some("v"));
        assert_eq!(env.get("EMPTY"), Some(""));
        assert_eq!(
            env.names().collect::<Vec<_>>(),
            ["ANTHROPIC_API_KEY", "GITHUB_TOKEN", "X", "Y", "EMPTY"]
        );
    }

    #[test]
    fn later_duplicate_wins() {
        let env = parse("A=1\nA=2\n").unwrap();
        assert_eq!(env.to_container_env(), ["A=2"]);
    }

    #[test]
    fn bad_line_names_the_line_but_never_the_secret() {
        let err = parse("OK=1\nsk-secret-value-without-name\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(".env:2"), "{msg}");
        assert!(!msg.contains("sk-secret"), "{msg}");
        let err = parse("1BAD=sk-secret").unwrap_err().to_string();
        assert!(err.contains(":1:") && !err.contains("sk-secret"), "{err}");
        let err = parse("A='sk-secret").unwrap_err().to_string();
        assert!(
            err.contains("unterminated") && !err.contains("sk-secret"),
            "{err}"
        );
    }

    #[test]
    fn debug_shows_names_only() {
        let env = parse("ANTHROPIC_API_KEY=sk-very-secret").unwrap();
        let shown = format!("{env:?}");
        assert!(shown.contains("ANTHROPIC_API_KEY=<set>"));
        assert!(!shown.contains("sk-very-secret"));
    }
}
