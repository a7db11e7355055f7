//! The addon embedded at build time, extracted on demand so that Blender can
//! import it wherever the binary is installed.
//!
//! Files go to `~/.cache/blender-mcp-rs/addon/<hash>/` (or under
//! `$XDG_CACHE_HOME`). The folder name is a hash of the contents, so each
//! build's addon is extracted once, different builds never mix files, and a
//! half-written folder is never used (it is written elsewhere, then renamed).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::error::BridgeError;

include!(concat!(env!("OUT_DIR"), "/addon_bundle.rs"));

/// Names a folder holding `blender_mcp_addon/` and `keep_alive.py` to use
/// instead of the embedded copy (for developing the addon).
pub const ADDON_DIR_ENV: &str = "BLENDER_MCP_ADDON_DIR";

/// The embedded files: (path relative to the PYTHONPATH folder, contents).
pub fn files() -> &'static [(&'static str, &'static [u8])] {
    ADDON_FILES
}

/// First 16 hex digits of a SHA-256 over every embedded path and content.
pub fn bundle_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        let mut hasher = Sha256::new();
        for (name, contents) in ADDON_FILES {
            hasher.update(name.as_bytes());
            hasher.update([0]);
            hasher.update((contents.len() as u64).to_be_bytes());
            hasher.update(contents);
        }
        hasher.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    })
}

/// The folder to put on `PYTHONPATH`: `BLENDER_MCP_ADDON_DIR` if set, else the
/// extracted embedded addon.
pub fn addon_dir() -> Result<PathBuf, BridgeError> {
    if let Some(dir) = std::env::var_os(ADDON_DIR_ENV).filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        if !dir.join("blender_mcp_addon").join("__init__.py").is_file() {
            return Err(BridgeError::launch(format!(
                "{ADDON_DIR_ENV}={} holds no blender_mcp_addon/__init__.py",
                dir.display()
            )));
        }
        return Ok(dir);
    }
    let root = cache_root().ok_or_else(|| {
        BridgeError::launch(
            "cannot find a cache folder: set HOME, XDG_CACHE_HOME or BLENDER_MCP_ADDON_DIR",
        )
    })?;
    extract_to(&root)
}

/// `$XDG_CACHE_HOME/blender-mcp-rs/addon`, or `~/.cache/blender-mcp-rs/addon`.
pub fn cache_root() -> Option<PathBuf> {
    let cache = match std::env::var_os("XDG_CACHE_HOME") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(std::env::var_os("HOME")?).join(".cache"),
    };
    Some(cache.join("blender-mcp-rs").join("addon"))
}

/// Extracts the embedded addon into `root/<hash>/` unless already there.
pub fn extract_to(root: &Path) -> Result<PathBuf, BridgeError> {
    if !ADDON_FILES
        .iter()
        .any(|(name, _)| *name == "blender_mcp_addon/__init__.py")
    {
        return Err(BridgeError::launch(format!(
            "this build embeds no addon (addon/ was missing when it was compiled); set \
             {ADDON_DIR_ENV} to a folder holding blender_mcp_addon/"
        )));
    }
    let target = root.join(bundle_hash());
    if target.join(COMPLETE_MARKER).is_file() {
        return Ok(target);
    }
    let io_error = |what: &str, path: &Path, e: std::io::Error| {
        BridgeError::launch(format!("cannot {what} {}: {e}", path.display()))
    };
    std::fs::create_dir_all(root).map_err(|e| io_error("create", root, e))?;
    let staging = root.join(format!(
        ".{}.tmp-{}-{:?}",
        bundle_hash(),
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&staging);
    for (name, contents) in ADDON_FILES {
        let path = staging.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error("create", parent, e))?;
        }
        std::fs::write(&path, contents).map_err(|e| io_error("write", &path, e))?;
    }
    let marker = staging.join(COMPLETE_MARKER);
    std::fs::write(&marker, bundle_hash()).map_err(|e| io_error("write", &marker, e))?;
    match std::fs::rename(&staging, &target) {
        Ok(()) => Ok(target),
        // Another process extracted the same bundle first: theirs is identical.
        Err(_) if target.join(COMPLETE_MARKER).is_file() => {
            let _ = std::fs::remove_dir_all(&staging);
            Ok(target)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            Err(io_error("move the addon into", &target, e))
        }
    }
}

/// Written last, so a folder without it is known to be incomplete.
const COMPLETE_MARKER: &str = ".complete";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extraction_writes_every_file_once_and_is_idempotent() {
        let root = std::env::temp_dir().join(format!("bmcp-bundle-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let dir = extract_to(&root).expect("the addon is embedded in this build");
        for (name, contents) in files() {
            assert_eq!(&std::fs::read(dir.join(name)).unwrap(), contents, "{name}");
        }
        assert!(dir.join("keep_alive.py").is_file());
        assert_eq!(extract_to(&root).unwrap(), dir);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
