//! Embeds the Python addon into the crate so that an installed binary can
//! launch Blender without a source checkout (see src/addon_bundle.rs).
//!
//! Writes `$OUT_DIR/addon_bundle.rs` with one `(relative path, bytes)` entry
//! per file of `../addon/blender_mcp_addon/` plus `../addon/keep_alive.py`.
//! Also writes `ADDON_VERSION`, read from the addon's `bl_info` (its one
//! home), so the server can tell a person's installed addon is out of date.
//! A missing addon is not an error: the crate still builds (with a warning)
//! and the launcher then needs `BLENDER_MCP_ADDON_DIR`.

use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let addon_root = manifest.join("..").join("addon");
    let package = addon_root.join("blender_mcp_addon");
    let keep_alive = addon_root.join("keep_alive.py");
    println!("cargo:rerun-if-changed={}", package.display());
    println!("cargo:rerun-if-changed={}", keep_alive.display());

    let mut files = Vec::new();
    if package.is_dir() {
        collect(&package, "blender_mcp_addon", &mut files);
    }
    if keep_alive.is_file() {
        files.push(("keep_alive.py".to_owned(), keep_alive.clone()));
    }
    files.sort();
    let has_init = files
        .iter()
        .any(|(name, _)| name == "blender_mcp_addon/__init__.py");
    if !has_init || !keep_alive.is_file() {
        println!(
            "cargo:warning=the addon is incomplete at {} (no blender_mcp_addon/__init__.py or \
             keep_alive.py): this build cannot launch Blender unless BLENDER_MCP_ADDON_DIR is set",
            addon_root.display()
        );
    }

    let mut out = String::from(
        "/// Every addon file, as (path relative to the PYTHONPATH dir, contents).\n\
         pub(crate) static ADDON_FILES: &[(&str, &[u8])] = &[\n",
    );
    for (name, path) in &files {
        let absolute = fs::canonicalize(path).unwrap();
        out.push_str(&format!(
            "    ({name:?}, include_bytes!({:?})),\n",
            absolute.display().to_string()
        ));
    }
    out.push_str("];\n");
    let version = fs::read_to_string(package.join("__init__.py"))
        .ok()
        .and_then(|source| bl_info_version(&source))
        .unwrap_or_else(|| "unknown".to_owned());
    out.push_str(&format!(
        "/// The embedded addon's version (`bl_info[\"version\"]`).\n\
         pub const ADDON_VERSION: &str = {version:?};\n"
    ));
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
    fs::write(out_dir.join("addon_bundle.rs"), out).unwrap();
}

/// `"version": (0, 1, 0)` in `bl_info` as "0.1.0". A plain scan rather than
/// a Python parser: bl_info must stay a literal for Blender to read it too.
fn bl_info_version(source: &str) -> Option<String> {
    let after = &source[source.find("bl_info")?..];
    let tuple = &after[after.find("\"version\"")?..];
    let inside = &tuple[tuple.find('(')? + 1..tuple.find(')')?];
    let parts: Vec<&str> = inside.split(',').map(str::trim).collect();
    parts
        .iter()
        .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
        .then(|| parts.join("."))
}

/// Collects the files under `dir`, skipping bytecode caches and hidden files.
fn collect(dir: &Path, prefix: &str, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "__pycache__" || name.ends_with(".pyc") {
            continue;
        }
        let path = entry.path();
        let relative = format!("{prefix}/{name}");
        if path.is_dir() {
            collect(&path, &relative, files);
        } else if path.is_file() {
            files.push((relative, path));
        }
    }
}
