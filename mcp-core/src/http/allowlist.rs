//! `Origin` and `Host` allowlists: the DNS-rebinding and cross-site defence.
//!
//! A browser page on any site can make requests to `127.0.0.1`; the only
//! things it cannot forge are the `Origin` header it sends and (after a DNS
//! rebinding) the attacker's name in `Host`. So both are checked on every
//! request, before any MCP processing.

use std::net::SocketAddr;

/// Names that always refer to this machine.
const LOOPBACK_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// The port part of an origin pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PortPattern {
    /// No port written: the scheme's default port.
    Default,
    /// `:*`: any port.
    Any,
    /// An explicit port.
    Exact(u16),
}

/// A parsed `scheme://host[:port]`, lower-cased, IPv6 without brackets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    scheme: String,
    host: String,
    port: PortPattern,
}

impl Origin {
    /// The same origin with its port spelled out, the form rmcp matches
    /// exactly (rmcp reads a missing port as "any port").
    fn with_explicit_port(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        match (self.port, self.effective_port()) {
            (PortPattern::Any, _) | (_, None) => format!("{}://{host}:*", self.scheme),
            (_, Some(port)) => format!("{}://{host}:{port}", self.scheme),
        }
    }

    fn effective_port(&self) -> Option<u16> {
        match self.port {
            PortPattern::Exact(port) => Some(port),
            PortPattern::Default => default_port(&self.scheme),
            PortPattern::Any => None,
        }
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

/// Parses an origin (`Origin` header value or allowlist entry). Returns `None`
/// for anything that is not `scheme://host[:port]` (paths, `null`, garbage).
pub(crate) fn parse_origin(value: &str) -> Option<Origin> {
    let (scheme, authority) = value.trim().split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    let authority = authority.strip_suffix('/').unwrap_or(authority);
    if authority.is_empty() || authority.contains(['/', '?', '#', '@', ' ']) {
        return None;
    }
    let (host, port) = split_host_port(authority)?;
    let port = match port {
        None => PortPattern::Default,
        Some("*") => PortPattern::Any,
        Some(port) => PortPattern::Exact(port.parse().ok()?),
    };
    Some(Origin {
        scheme: scheme.to_ascii_lowercase(),
        host,
        port,
    })
}

/// Splits `host[:port]` / `[v6][:port]`, lower-casing the host and dropping
/// IPv6 brackets. `None` for an empty host or unbalanced brackets.
fn split_host_port(authority: &str) -> Option<(String, Option<&str>)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':')?)),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) if !host.contains(':') => (host, Some(port)),
            Some(_) => return None,
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return None;
    }
    Some((host.to_ascii_lowercase(), port))
}

fn is_loopback_name(host: &str) -> bool {
    LOOPBACK_NAMES.contains(&host)
}

/// The allowed origins and hosts of one HTTP endpoint.
#[derive(Debug, Clone)]
pub(crate) struct Allowlist {
    origins: Vec<Origin>,
    hosts: Vec<String>,
}

impl Allowlist {
    /// Builds the allowlist: loopback always, plus the configured extras, plus
    /// the bind address itself when it is a specific non-loopback address
    /// (clients reach it by that IP).
    pub(crate) fn new(origins: &[String], hosts: &[String], bind: SocketAddr) -> Self {
        let mut host_list: Vec<String> = LOOPBACK_NAMES.iter().map(|h| h.to_string()).collect();
        host_list.extend(hosts.iter().map(|h| {
            let h = h.trim().to_ascii_lowercase();
            h.trim_start_matches('[').trim_end_matches(']').to_string()
        }));
        let ip = bind.ip();
        if !ip.is_loopback() && !ip.is_unspecified() {
            host_list.push(ip.to_string());
        }
        Allowlist {
            origins: origins.iter().filter_map(|o| parse_origin(o)).collect(),
            hosts: host_list,
        }
    }

    /// Origin rule: absent is fine (non-browser clients send none); loopback
    /// http(s) origins on any port are fine; otherwise it must match an entry.
    pub(crate) fn origin_allowed(&self, header: Option<&str>) -> bool {
        let Some(value) = header else {
            return true;
        };
        let Some(origin) = parse_origin(value) else {
            return false;
        };
        if matches!(origin.scheme.as_str(), "http" | "https") && is_loopback_name(&origin.host) {
            return true;
        }
        self.origins.iter().any(|allowed| {
            allowed.scheme == origin.scheme
                && allowed.host == origin.host
                && (allowed.port == PortPattern::Any
                    || allowed.effective_port() == origin.effective_port())
        })
    }

    /// Host rule: the name (port ignored) must be loopback, configured, or the
    /// bind address. A missing or malformed `Host` is refused.
    pub(crate) fn host_allowed(&self, header: Option<&str>) -> bool {
        let Some((host, _)) = header.and_then(|h| split_host_port(h.trim())) else {
            return false;
        };
        self.hosts.contains(&host)
    }

    /// The same rules in the form rmcp's Streamable HTTP service takes, so
    /// its own check (which runs after ours) agrees with ours.
    pub(crate) fn rmcp_hosts(&self) -> Vec<String> {
        // rmcp strips IPv6 brackets itself and ignores the port for bare names.
        self.hosts.clone()
    }

    /// Origin patterns for rmcp's check: loopback on any port plus the
    /// configured ones.
    pub(crate) fn rmcp_origins(&self) -> Vec<String> {
        let mut origins = Vec::new();
        for scheme in ["http", "https"] {
            for host in ["localhost", "127.0.0.1", "[::1]"] {
                origins.push(format!("{scheme}://{host}:*"));
            }
        }
        origins.extend(self.origins.iter().map(Origin::with_explicit_port));
        origins
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(origins: &[&str], hosts: &[&str], bind: &str) -> Allowlist {
        let origins: Vec<String> = origins.iter().map(|s| s.to_string()).collect();
        let hosts: Vec<String> = hosts.iter().map(|s| s.to_string()).collect();
        Allowlist::new(&origins, &hosts, bind.parse().unwrap())
    }

    #[test]
    fn loopback_origins_any_port_are_allowed() {
        let allow = list(&[], &[], "127.0.0.1:8765");
        for origin in [
            "http://localhost:3000",
            "https://localhost",
            "http://127.0.0.1:8765",
            "http://[::1]:9",
            "HTTP://LOCALHOST:1",
        ] {
            assert!(allow.origin_allowed(Some(origin)), "{origin}");
        }
        assert!(allow.origin_allowed(None));
    }

    #[test]
    fn foreign_and_malformed_origins_are_refused() {
        let allow = list(&[], &[], "127.0.0.1:8765");
        for origin in [
            "http://evil.example",
            "http://localhost.evil.example",
            "http://127.0.0.1.evil.example",
            "null",
            "",
            "localhost:3000",
            "ftp://localhost",
            "http://user@localhost",
            "http://[::1",
        ] {
            assert!(!allow.origin_allowed(Some(origin)), "{origin}");
        }
    }

    #[test]
    fn configured_origins_match_scheme_host_and_port() {
        let allow = list(
            &[
                "https://app.example",
                "http://dev.example:*",
                "http://x.example:8080",
            ],
            &[],
            "127.0.0.1:1",
        );
        assert!(allow.origin_allowed(Some("https://app.example")));
        assert!(allow.origin_allowed(Some("https://APP.example:443")));
        assert!(!allow.origin_allowed(Some("https://app.example:8443")));
        assert!(!allow.origin_allowed(Some("http://app.example")));
        assert!(allow.origin_allowed(Some("http://dev.example:1234")));
        assert!(allow.origin_allowed(Some("http://x.example:8080")));
        assert!(!allow.origin_allowed(Some("http://x.example:8081")));
    }

    #[test]
    fn loopback_hosts_with_or_without_port_are_allowed() {
        let allow = list(&[], &[], "127.0.0.1:8765");
        for host in [
            "localhost",
            "localhost:8765",
            "127.0.0.1:8765",
            "[::1]:8765",
            "LocalHost",
        ] {
            assert!(allow.host_allowed(Some(host)), "{host}");
        }
    }

    #[test]
    fn foreign_missing_and_malformed_hosts_are_refused() {
        let allow = list(&[], &[], "127.0.0.1:8765");
        for host in [
            Some("evil.example"),
            Some("evil.example:8765"),
            Some("localhost.evil.example"),
            Some("10.0.0.5:8765"),
            Some(""),
            Some(":8765"),
            Some("[::1"),
            Some("localhost."),
            None,
        ] {
            assert!(!allow.host_allowed(host), "{host:?}");
        }
    }

    #[test]
    fn configured_hosts_and_specific_bind_address_are_allowed() {
        let allow = list(&[], &["mcp.example"], "192.168.1.20:8765");
        assert!(allow.host_allowed(Some("mcp.example:8765")));
        assert!(allow.host_allowed(Some("192.168.1.20:8765")));
        assert!(!allow.host_allowed(Some("192.168.1.21:8765")));
        let unspecified = list(&[], &[], "0.0.0.0:8765");
        assert!(!unspecified.host_allowed(Some("0.0.0.0:8765")));
    }

    #[test]
    fn rmcp_patterns_spell_out_ports() {
        let allow = list(
            &[
                "https://app.example",
                "http://dev.example:*",
                "http://[fd00::1]:8080",
            ],
            &[],
            "127.0.0.1:1",
        );
        let patterns = allow.rmcp_origins();
        assert!(patterns.contains(&"https://app.example:443".to_string()));
        assert!(patterns.contains(&"http://dev.example:*".to_string()));
        assert!(patterns.contains(&"http://[fd00::1]:8080".to_string()));
        assert!(patterns.contains(&"http://localhost:*".to_string()));
    }

    #[test]
    fn parse_origin_rejects_paths_and_bad_ports() {
        assert!(parse_origin("https://a.example/path").is_none());
        assert!(parse_origin("https://a.example:99999").is_none());
        assert!(parse_origin("https://a.example/").is_some());
    }
}
