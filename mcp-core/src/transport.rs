//! The command-line choice of which transport(s) a server speaks.

use std::fmt;
use std::str::FromStr;

/// Which MCP transport(s) to serve; parsed from `--transport stdio|http|sse|all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, clap::ValueEnum)]
pub enum Transport {
    /// MCP over stdin/stdout: the default because it is what clients that
    /// spawn the server expect and it opens no network port.
    #[default]
    Stdio,
    /// Streamable HTTP at `/mcp` (protocol 2025-03-26 and later, including
    /// stateless 2026-07-28 clients).
    Http,
    /// Legacy HTTP+SSE at `/sse` + `/messages` (protocol 2024-11-05).
    Sse,
    /// Streamable HTTP and legacy SSE together on one port.
    #[value(name = "all")]
    HttpAndSse,
}

impl Transport {
    /// Whether this choice serves over HTTP at all (and so needs a bind address).
    pub fn is_http(self) -> bool {
        !matches!(self, Transport::Stdio)
    }

    /// Whether the Streamable HTTP endpoint (`/mcp`) is enabled.
    pub fn enables_streamable(self) -> bool {
        matches!(self, Transport::Http | Transport::HttpAndSse)
    }

    /// Whether the legacy SSE endpoints (`/sse`, `/messages`) are enabled.
    pub fn enables_sse(self) -> bool {
        matches!(self, Transport::Sse | Transport::HttpAndSse)
    }

    fn as_str(self) -> &'static str {
        match self {
            Transport::Stdio => "stdio",
            Transport::Http => "http",
            Transport::Sse => "sse",
            Transport::HttpAndSse => "all",
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The string given for a [`Transport`] is not one of the known names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown transport {0:?}: expected one of stdio, http, sse, all")]
pub struct ParseTransportError(String);

impl FromStr for Transport {
    type Err = ParseTransportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "stdio" => Ok(Transport::Stdio),
            "http" | "streamable-http" | "streamable" => Ok(Transport::Http),
            "sse" => Ok(Transport::Sse),
            "all" | "http+sse" => Ok(Transport::HttpAndSse),
            _ => Err(ParseTransportError(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_cli_name_and_round_trips() {
        for t in [
            Transport::Stdio,
            Transport::Http,
            Transport::Sse,
            Transport::HttpAndSse,
        ] {
            assert_eq!(t.to_string().parse::<Transport>().unwrap(), t);
        }
        assert_eq!("ALL".parse::<Transport>().unwrap(), Transport::HttpAndSse);
        assert!("websocket".parse::<Transport>().is_err());
    }

    #[test]
    fn clap_value_names_match_display() {
        use clap::ValueEnum;
        for t in Transport::value_variants() {
            let name = t.to_possible_value().unwrap().get_name().to_string();
            assert_eq!(name, t.to_string());
        }
    }
}
