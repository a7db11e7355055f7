//! Where the file tools may read and write.
//!
//! A model can be talked into writing anywhere (prompt injection in a file
//! it read, a careless plan), so every path a tool sends to Blender is first
//! confined to a set of allowed root directories. The check runs here, on
//! canonical paths, before Blender sees the path: `..` tricks and symlinks
//! that leave the roots are refused, and the error names the roots so the
//! model can retry with a path that works.
//!
//! Paths are interpreted on Blender's side; the check assumes Blender sees
//! the same filesystem as the server (a launched Blender, or one on the same
//! machine), which is the only case where confinement can be enforced.

use std::io;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

/// Default time limit of `execute_blender_code`: long enough for real work,
/// short enough that a runaway loop does not hold Blender for an afternoon.
pub const DEFAULT_EXEC_TIMEOUT: Duration = Duration::from_secs(300);

use super::ToolError;

/// File-related settings of the tool set.
#[derive(Debug, Clone)]
pub struct ToolConfig {
    /// Directories file tools may read and write under (the output
    /// directory is always allowed as well).
    pub allowed_roots: Vec<PathBuf>,
    /// Where renders and exports go when given a relative path.
    pub output_dir: PathBuf,
    /// Time limit of `execute_blender_code` when the call gives none.
    pub exec_timeout: Duration,
    /// The render farm, when the server has a farm directory.
    pub farm: Option<std::sync::Arc<render_farm::Farm>>,
    /// When calls that would lose work ask the user first.
    pub confirm: super::ConfirmSettings,
}

impl Default for ToolConfig {
    /// The server's working directory and `<tmp>/blender-mcp-rs-output`.
    fn default() -> Self {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        Self {
            allowed_roots: vec![cwd],
            output_dir: std::env::temp_dir().join("blender-mcp-rs-output"),
            exec_timeout: DEFAULT_EXEC_TIMEOUT,
            farm: None,
            confirm: super::ConfirmSettings::default(),
        }
    }
}

impl ToolConfig {
    /// `output_dir` plus `extra_roots`; with no extra roots, the working
    /// directory is allowed too (the documented default).
    pub fn new(output_dir: Option<PathBuf>, extra_roots: Vec<PathBuf>) -> Self {
        let mut config = Self::default();
        if let Some(dir) = output_dir {
            config.output_dir = dir;
        }
        if !extra_roots.is_empty() {
            config.allowed_roots = extra_roots;
        }
        config
    }

    /// Every allowed root, the output directory included.
    pub fn roots(&self) -> Vec<&Path> {
        let mut roots: Vec<&Path> = vec![&self.output_dir];
        roots.extend(self.allowed_roots.iter().map(PathBuf::as_path));
        roots
    }

    /// A path any file tool may use: under one of the roots. Relative paths
    /// are taken relative to the output directory.
    pub fn confine(&self, path: &str) -> Result<PathBuf, ToolError> {
        self.confine_to(path, &self.roots())
    }

    /// A path for output the server produces (renders): under the output
    /// directory only.
    pub fn confine_output(&self, path: &str) -> Result<PathBuf, ToolError> {
        self.confine_to(path, &[self.output_dir.as_path()])
    }

    /// The output directory, created if missing, canonicalised.
    pub fn output_dir(&self) -> Result<PathBuf, ToolError> {
        std::fs::create_dir_all(&self.output_dir).map_err(|e| {
            ToolError::new(format!(
                "cannot create the output directory {}: {e}",
                self.output_dir.display()
            ))
        })?;
        self.output_dir.canonicalize().map_err(|e| {
            ToolError::new(format!(
                "output directory {}: {e}",
                self.output_dir.display()
            ))
        })
    }

    fn confine_to(&self, path: &str, roots: &[&Path]) -> Result<PathBuf, ToolError> {
        if path.trim().is_empty() {
            return Err(ToolError::new("path is empty"));
        }
        let given = Path::new(path);
        let absolute = if given.is_absolute() {
            given.to_path_buf()
        } else {
            self.output_dir()?.join(given)
        };
        let resolved = resolve(&absolute)
            .map_err(|e| ToolError::new(format!("cannot use path {path}: {e}")))?;
        let canonical_roots: Vec<PathBuf> =
            roots.iter().filter_map(|r| r.canonicalize().ok()).collect();
        if canonical_roots
            .iter()
            .any(|root| resolved.starts_with(root))
        {
            return Ok(resolved);
        }
        let listed: Vec<String> = roots.iter().map(|r| r.display().to_string()).collect();
        Err(ToolError::new(format!(
            "path {path} resolves to {}, which is outside the allowed directories ({}). \
             Use a path under one of them (relative paths go under {}); the server's \
             --allow-root and --output-dir flags set them.",
            resolved.display(),
            listed.join(", "),
            self.output_dir.display()
        )))
    }
}

/// The canonical form of `path`, which need not exist yet: the deepest
/// existing ancestor is canonicalised (resolving symlinks and `..`) and the
/// missing rest appended, which may hold plain names only.
fn resolve(path: &Path) -> io::Result<PathBuf> {
    if std::fs::symlink_metadata(path).is_ok() {
        // Exists (or is a symlink: a dangling one fails here, as it should,
        // since writing through it would land wherever it points).
        return path.canonicalize();
    }
    let mut missing = Vec::new();
    let mut ancestor = path;
    while let Some(parent) = ancestor.parent() {
        missing.push(ancestor.file_name().map(|n| n.to_os_string()));
        ancestor = parent;
        if std::fs::symlink_metadata(ancestor).is_ok() {
            break;
        }
    }
    let mut resolved = ancestor.canonicalize()?;
    for name in missing.into_iter().rev() {
        let name = name.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "`..` after a directory that does not exist",
            )
        })?;
        if !matches!(
            Path::new(&name).components().next(),
            Some(Component::Normal(_))
        ) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "unexpected path component",
            ));
        }
        resolved.push(name);
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("blender-mcp-config-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("out")).unwrap();
        std::fs::create_dir_all(dir.join("assets")).unwrap();
        dir.canonicalize().unwrap()
    }

    fn config(dir: &Path) -> ToolConfig {
        ToolConfig::new(Some(dir.join("out")), vec![dir.join("assets")])
    }

    #[test]
    fn relative_paths_land_in_the_output_dir() {
        let dir = scratch("relative");
        let got = config(&dir).confine("renders/a.png").unwrap();
        assert_eq!(got, dir.join("out/renders/a.png"));
    }

    #[test]
    fn paths_under_an_allowed_root_pass() {
        let dir = scratch("allowed");
        let asset = dir.join("assets/model.glb");
        assert_eq!(
            config(&dir).confine(asset.to_str().unwrap()).unwrap(),
            asset
        );
    }

    #[test]
    fn dotdot_escapes_are_refused_with_the_roots_named() {
        let dir = scratch("dotdot");
        let err = config(&dir).confine("../escape.png").unwrap_err();
        assert!(
            err.message().contains("outside the allowed directories"),
            "{err}"
        );
        assert!(
            err.message()
                .contains(&dir.join("assets").display().to_string()),
            "{err}"
        );
        assert!(config(&dir).confine("missing/../../../x.png").is_err());
        assert!(config(&dir).confine("/etc/passwd").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_leaving_the_roots_are_refused() {
        let dir = scratch("symlink");
        std::os::unix::fs::symlink("/etc", dir.join("out/etc")).unwrap();
        assert!(config(&dir).confine("etc/passwd").is_err());
        std::os::unix::fs::symlink("/nonexistent/target", dir.join("out/dangling")).unwrap();
        assert!(config(&dir).confine("dangling").is_err());
    }

    #[test]
    fn render_output_is_confined_to_the_output_dir() {
        let dir = scratch("output");
        let cfg = config(&dir);
        assert!(cfg
            .confine_output(dir.join("assets/a.png").to_str().unwrap())
            .is_err());
        assert!(cfg.confine_output("a.png").is_ok());
    }
}
