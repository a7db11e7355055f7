//! CPU, memory and pids limits: auto-detected from the Docker host, overridable from `.env`.
//!
//! Why headroom: a container that may take every CPU and all memory can starve the host (and the
//! Docker daemon itself) during a big render or `cargo build`. The defaults leave one CPU out of
//! every eight (none on hosts of one or two CPUs, where there is nothing to spare) and an eighth
//! of the memory, at least 1 GiB.

use crate::dotenv::DotEnv;
use crate::security::DEFAULT_PIDS_LIMIT;

const GIB: i64 = 1024 * 1024 * 1024;

/// The container's resource limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceLimits {
    /// CPUs in billionths (Docker's `NanoCpus`).
    pub nano_cpus: i64,
    /// The memory limit in bytes.
    pub memory_bytes: i64,
    /// The most processes the container may run.
    pub pids: i64,
}

impl ResourceLimits {
    /// Limits for a host with `host_cpus` CPUs and `host_memory` bytes.
    pub fn auto(host_cpus: i64, host_memory: i64) -> Self {
        let cpus = host_cpus.max(1);
        let cpu_headroom = if cpus <= 2 { 0 } else { (cpus + 7) / 8 };
        let mem_headroom = (host_memory / 8).max(GIB);
        let memory = (host_memory - mem_headroom).max(512 * 1024 * 1024);
        ResourceLimits {
            nano_cpus: (cpus - cpu_headroom) * 1_000_000_000,
            memory_bytes: memory,
            pids: DEFAULT_PIDS_LIMIT,
        }
    }

    /// Applies `DOCKER_CPUS` (e.g. `3.5`) and `DOCKER_MEMORY` (e.g. `8g`, `512m`, bytes).
    pub fn with_overrides(mut self, env: &DotEnv) -> Result<Self, String> {
        if let Some(cpus) = env.get("DOCKER_CPUS").filter(|v| !v.is_empty()) {
            let parsed: f64 = cpus
                .parse()
                .ok()
                .filter(|c: &f64| *c > 0.0)
                .ok_or_else(|| {
                    format!("DOCKER_CPUS=`{cpus}` is not a positive number such as 4 or 2.5")
                })?;
            self.nano_cpus = (parsed * 1e9) as i64;
        }
        if let Some(mem) = env.get("DOCKER_MEMORY").filter(|v| !v.is_empty()) {
            self.memory_bytes = parse_bytes(mem).ok_or_else(|| {
                format!("DOCKER_MEMORY=`{mem}` is not a size such as 8g, 512m or 1073741824")
            })?;
        }
        Ok(self)
    }
}

/// Parses Docker-style sizes: `123`, `64k`, `512m`, `8g` (binary units, case-insensitive).
pub fn parse_bytes(text: &str) -> Option<i64> {
    let t = text.trim().to_ascii_lowercase();
    let t = t.strip_suffix('b').unwrap_or(&t);
    let (digits, unit) = match t.char_indices().last()? {
        (i, 'k') => (&t[..i], 1024),
        (i, 'm') => (&t[..i], 1024 * 1024),
        (i, 'g') => (&t[..i], GIB),
        (i, 't') => (&t[..i], GIB * 1024),
        _ => (t, 1),
    };
    let value: f64 = digits.trim().parse().ok()?;
    (value > 0.0).then_some((value * unit as f64) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn auto_leaves_headroom() {
        let l = ResourceLimits::auto(16, 64 * GIB);
        assert_eq!(l.nano_cpus, 14_000_000_000);
        assert_eq!(l.memory_bytes, 56 * GIB);
        assert_eq!(l.pids, 4096);
        let small = ResourceLimits::auto(2, 2 * GIB);
        assert_eq!(small.nano_cpus, 2_000_000_000);
        assert_eq!(small.memory_bytes, GIB);
    }

    #[test]
    fn dotenv_overrides() {
        let env =
            DotEnv::parse("DOCKER_CPUS=2.5\nDOCKER_MEMORY=512m\n", Path::new(".env")).unwrap();
        let l = ResourceLimits::auto(8, 16 * GIB)
            .with_overrides(&env)
            .unwrap();
        assert_eq!(l.nano_cpus, 2_500_000_000);
        assert_eq!(l.memory_bytes, 512 * 1024 * 1024);
        let bad = DotEnv::parse("DOCKER_MEMORY=lots\n", Path::new(".env")).unwrap();
        assert!(ResourceLimits::auto(8, 16 * GIB)
            .with_overrides(&bad)
            .is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_bytes("8g"), Some(8 * GIB));
        assert_eq!(parse_bytes("8GB"), Some(8 * GIB));
        assert_eq!(parse_bytes("1024"), Some(1024));
        assert_eq!(parse_bytes("1.5k"), Some(1536));
        assert_eq!(parse_bytes("-1"), None);
        assert_eq!(parse_bytes("x"), None);
    }
}
