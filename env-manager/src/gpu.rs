//! GPU selection: `--gpus auto|all|none|<count>|device=<ids>`.
//!
//! `docker run --gpus all` sends one device request with driver "", count -1 and capabilities
//! `[["gpu"]]`; the daemon hands it to its NVIDIA driver, which exists only when
//! `nvidia-container-runtime-hook` was on dockerd's PATH at startup. Without it, container
//! *create* succeeds and *start* fails with `could not select device driver "" with capabilities:
//! [[gpu]]`, leaving a dead container behind. envmgr removes that container; in `auto` it then
//! retries without GPUs, in `all` (or a count / device list) it fails with one line saying how to
//! fix it.

use std::fmt;
use std::str::FromStr;

use bollard::models::{DeviceRequest, SystemInfo};

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum GpuMode {
    /// GPUs when the daemon reports the NVIDIA runtime, none otherwise (the default).
    #[default]
    Auto,
    /// Every GPU (`--gpus all`); fails when the daemon has no NVIDIA runtime.
    All,
    /// No GPU.
    None,
    /// The first N GPUs.
    Count(u32),
    /// The GPUs with these indexes or UUIDs.
    Devices(Vec<String>),
}

impl FromStr for GpuMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        match s {
            "auto" => Ok(GpuMode::Auto),
            "all" => Ok(GpuMode::All),
            "none" | "0" => Ok(GpuMode::None),
            _ => {
                if let Some(ids) = s.strip_prefix("device=") {
                    let ids: Vec<String> = ids
                        .split(',')
                        .map(|i| i.trim().to_string())
                        .filter(|i| !i.is_empty())
                        .collect();
                    if ids.is_empty() {
                        return Err("--gpus device= needs at least one id, e.g. device=0,1".into());
                    }
                    Ok(GpuMode::Devices(ids))
                } else if let Ok(n) = s.parse::<u32>() {
                    Ok(GpuMode::Count(n))
                } else {
                    Err(format!(
                        "--gpus `{s}` is not one of auto, all, none, <count>, device=<ids>"
                    ))
                }
            }
        }
    }
}

impl fmt::Display for GpuMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GpuMode::Auto => write!(f, "auto"),
            GpuMode::All => write!(f, "all"),
            GpuMode::None => write!(f, "none"),
            GpuMode::Count(n) => write!(f, "{n}"),
            GpuMode::Devices(ids) => write!(f, "device={}", ids.join(",")),
        }
    }
}

impl GpuMode {
    /// The device request for an explicit mode; `None` for `none` and for `auto` (which needs the
    /// daemon's info first, see [`resolve`]).
    pub fn explicit_request(&self) -> Option<DeviceRequest> {
        let (count, device_ids) = match self {
            GpuMode::Auto | GpuMode::None => return None,
            GpuMode::All => (Some(-1), None),
            GpuMode::Count(n) => (Some(i64::from(*n)), None),
            GpuMode::Devices(ids) => (None, Some(ids.clone())),
        };
        Some(DeviceRequest {
            driver: Some(String::new()),
            count,
            device_ids,
            capabilities: Some(vec![vec!["gpu".to_string()]]),
            options: None,
        })
    }
}

/// The GPU request to create the container with, given the daemon's info.
pub fn resolve(mode: &GpuMode, info: &SystemInfo) -> Option<DeviceRequest> {
    match mode {
        GpuMode::Auto if nvidia_runtime_present(info) => GpuMode::All.explicit_request(),
        other => other.explicit_request(),
    }
}

/// True when the daemon lists an NVIDIA runtime (what the NVIDIA Container Toolkit's
/// `nvidia-ctk runtime configure` registers).
pub fn nvidia_runtime_present(info: &SystemInfo) -> bool {
    info.runtimes
        .as_ref()
        .is_some_and(|r| r.keys().any(|k| k.contains("nvidia")))
}

/// True for the start error a GPU request gets from a daemon without the NVIDIA toolkit.
pub fn is_missing_driver_error(err: &bollard::errors::Error) -> bool {
    err.to_string().contains("could not select device driver")
}

/// Label value describing the request actually used.
pub fn describe(request: Option<&DeviceRequest>) -> String {
    match request {
        None => "none".into(),
        Some(r) => match (&r.count, &r.device_ids) {
            (_, Some(ids)) => format!("device={}", ids.join(",")),
            (Some(-1), _) => "all".into(),
            (Some(n), _) => n.to_string(),
            (None, None) => "all".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn parses_every_form() {
        assert_eq!("auto".parse::<GpuMode>().unwrap(), GpuMode::Auto);
        assert_eq!("all".parse::<GpuMode>().unwrap(), GpuMode::All);
        assert_eq!("none".parse::<GpuMode>().unwrap(), GpuMode::None);
        assert_eq!("2".parse::<GpuMode>().unwrap(), GpuMode::Count(2));
        assert_eq!(
            "device=0,GPU-abc".parse::<GpuMode>().unwrap(),
            GpuMode::Devices(vec!["0".into(), "GPU-abc".into()])
        );
        assert!("some".parse::<GpuMode>().is_err());
        assert!("device=".parse::<GpuMode>().is_err());
    }

    #[test]
    fn all_is_what_docker_run_gpus_all_sends() {
        let r = GpuMode::All.explicit_request().unwrap();
        assert_eq!(r.count, Some(-1));
        assert_eq!(r.driver.as_deref(), Some(""));
        assert_eq!(r.capabilities, Some(vec![vec!["gpu".to_string()]]));
        assert_eq!(r.device_ids, None);
        assert_eq!(describe(Some(&r)), "all");
        let d = GpuMode::Devices(vec!["1".into()])
            .explicit_request()
            .unwrap();
        assert_eq!(
            (d.count, d.device_ids.clone()),
            (None, Some(vec!["1".into()]))
        );
        assert_eq!(describe(Some(&d)), "device=1");
    }

    #[test]
    fn auto_follows_the_daemons_runtimes() {
        let mut info = SystemInfo::default();
        assert_eq!(resolve(&GpuMode::Auto, &info), None);
        info.runtimes = Some(HashMap::from([("nvidia".to_string(), Default::default())]));
        assert_eq!(resolve(&GpuMode::Auto, &info).unwrap().count, Some(-1));
        assert_eq!(resolve(&GpuMode::None, &info), None);
    }
}
