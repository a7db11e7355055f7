//! The configuration of one environment: which image, which container, and how to run it.
//!
//! A [`Config`] is plain data gathered from the command line, the environment and `.env`; the
//! container-create request is derived from it by a pure function (`create_request.rs`), so what
//! envmgr asks Docker for can be unit-tested field by field.

use std::path::{Path, PathBuf};

use crate::dotenv::DotEnv;
use crate::error::{EnvError, Result};
use crate::gpu::GpuMode;
use crate::limits::ResourceLimits;
use crate::security::SecurityProfile;

/// Image used when neither `--image` nor `ENVMGR_IMAGE` is given.
pub const DEFAULT_IMAGE: &str = "blender-mcp-rs/devenv:latest";
/// Container name used when neither `--name` nor `ENVMGR_CONTAINER` is given.
pub const DEFAULT_CONTAINER: &str = "blender-mcp-dev";
/// The Blender bridge's port inside the container.
pub const BRIDGE_PORT: u16 = 9876;

/// One published port: container port → host port on the profile's host address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortMapping {
    /// `None`: Docker picks a free host port.
    pub host: Option<u16>,
    /// The port inside the container.
    pub container: u16,
}

impl std::str::FromStr for PortMapping {
    type Err = String;

    /// `HOST:CONTAINER` or `CONTAINER` (host port chosen by Docker).
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let bad = || format!("port `{s}` is not HOST:CONTAINER or CONTAINER (e.g. 9876:9876)");
        let (host, container) = match s.split_once(':') {
            Some((h, c)) => (Some(h.parse::<u16>().map_err(|_| bad())?), c),
            None => (None, s),
        };
        let container = container.parse::<u16>().map_err(|_| bad())?;
        if container == 0 {
            return Err(bad());
        }
        Ok(PortMapping {
            host: host.filter(|h| *h != 0),
            container,
        })
    }
}

/// Everything needed to create the container.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Where `.env` and `.agent-mount/` live (absolute).
    pub project_dir: PathBuf,
    /// The image to run.
    pub image: String,
    /// The container's name (one container per name).
    pub container_name: String,
    /// Published ports; the bridge's by default.
    pub ports: Vec<PortMapping>,
    /// The GPUs to request.
    pub gpus: GpuMode,
    /// The default profile plus the opt-ins asked for.
    pub security: SecurityProfile,
    /// CPU, memory and process limits.
    pub limits: ResourceLimits,
    /// The `.env` variables, passed to the container (never printed).
    pub env: DotEnv,
    /// `EXTERNAL_DIR`: mounted at `/workspace/ext` instead of `.agent-mount/ext`.
    pub external_dir: Option<PathBuf>,
    /// The host's `~/.ssh` (used only with the `mount-ssh-keys` opt-in).
    pub ssh_dir: Option<PathBuf>,
    /// The host's `$SSH_AUTH_SOCK` (used only with the `ssh-agent` opt-in).
    pub ssh_auth_sock: Option<PathBuf>,
}

impl Config {
    /// A configuration with the defaults for `project_dir`, before `.env` and limits are known.
    pub fn new(project_dir: &Path) -> Self {
        Config {
            project_dir: project_dir.to_path_buf(),
            image: DEFAULT_IMAGE.into(),
            container_name: DEFAULT_CONTAINER.into(),
            ports: vec![PortMapping {
                host: Some(BRIDGE_PORT),
                container: BRIDGE_PORT,
            }],
            gpus: GpuMode::Auto,
            security: SecurityProfile::default(),
            limits: ResourceLimits::auto(1, 0),
            env: DotEnv::default(),
            external_dir: None,
            ssh_dir: None,
            ssh_auth_sock: None,
        }
    }

    /// The `.env` path of this project.
    pub fn dotenv_path(&self) -> PathBuf {
        self.project_dir.join(".env")
    }

    /// Loads `.env`, reads `EXTERNAL_DIR` from it and applies the limits overrides on top of
    /// limits auto-detected for a host with `host_cpus` CPUs and `host_memory` bytes.
    pub fn load_dotenv(&mut self, host_cpus: i64, host_memory: i64) -> Result<()> {
        self.env = DotEnv::load(&self.dotenv_path())?;
        self.limits = ResourceLimits::auto(host_cpus, host_memory)
            .with_overrides(&self.env)
            .map_err(EnvError::InvalidSetting)?;
        if let Some(dir) = self.env.get("EXTERNAL_DIR").filter(|d| !d.is_empty()) {
            let dir = PathBuf::from(dir);
            if !dir.is_absolute() || !dir.is_dir() {
                return Err(EnvError::InvalidSetting(format!(
                    "EXTERNAL_DIR in {} must be the absolute path of an existing folder",
                    self.dotenv_path().display()
                )));
            }
            self.external_dir = Some(dir);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_parse() {
        assert_eq!(
            "9876:9876".parse::<PortMapping>().unwrap(),
            PortMapping {
                host: Some(9876),
                container: 9876
            }
        );
        assert_eq!(
            "8080".parse::<PortMapping>().unwrap(),
            PortMapping {
                host: None,
                container: 8080
            }
        );
        assert_eq!("0:80".parse::<PortMapping>().unwrap().host, None);
        assert!("a:80".parse::<PortMapping>().is_err());
        assert!("80:0".parse::<PortMapping>().is_err());
    }

    #[test]
    fn external_dir_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".env"),
            "EXTERNAL_DIR=/definitely/not/here\n",
        )
        .unwrap();
        let mut cfg = Config::new(dir.path());
        let err = cfg.load_dotenv(4, 8 << 30).unwrap_err().to_string();
        assert!(err.contains("EXTERNAL_DIR"), "{err}");
        std::fs::write(
            dir.path().join(".env"),
            format!("EXTERNAL_DIR={}\nDOCKER_CPUS=1\n", dir.path().display()),
        )
        .unwrap();
        cfg.load_dotenv(4, 8 << 30).unwrap();
        assert_eq!(cfg.external_dir.as_deref(), Some(dir.path()));
        assert_eq!(cfg.limits.nano_cpus, 1_000_000_000);
    }
}
