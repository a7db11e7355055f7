//! The build context: the tar archive `build` sends to the daemon.
//!
//! The classic builder (the only one Engine 20.10 offers without BuildKit's session protocol)
//! receives the whole context, so what is left out matters: the project's `target/` alone is
//! gigabytes. envmgr honours `.dockerignore` at the context root and, like BuildKit, a
//! `<Dockerfile>.dockerignore` next to the Dockerfile, which takes precedence; that is how
//! `env-manager/Dockerfile` sends only what it copies from the repository root.
//!
//! Pattern subset: `*` and `?` within one path segment, `**` across segments, a leading `!`
//! re-includes, the last matching line wins, and a pattern matching a folder covers all of it.

use std::path::{Path, PathBuf};

use crate::error::{EnvError, Result};

/// Name of the Dockerfile inside the archive when it lives outside the context.
const OUTSIDE_DOCKERFILE: &str = ".envmgr.Dockerfile";

/// One `.dockerignore` line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    segments: Vec<String>,
    include: bool,
}

/// Parsed ignore rules.
#[derive(Debug, Clone, Default)]
pub struct IgnoreRules {
    rules: Vec<Rule>,
}

impl IgnoreRules {
    /// Reads `.dockerignore` text: `#` comments, `!` exceptions, `*`/`**` globs, last match wins.
    pub fn parse(text: &str) -> Self {
        let rules = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| {
                let (include, pat) = match l.strip_prefix('!') {
                    Some(p) => (true, p.trim()),
                    None => (false, l),
                };
                let segments = pat
                    .trim_start_matches("./")
                    .trim_matches('/')
                    .split('/')
                    .filter(|s| !s.is_empty() && *s != ".")
                    .map(String::from)
                    .collect();
                Rule { segments, include }
            })
            .collect();
        IgnoreRules { rules }
    }

    /// True when the `/`-separated relative `path` is left out of the context.
    pub fn is_excluded(&self, path: &str) -> bool {
        let parts: Vec<&str> = path.split('/').collect();
        let mut excluded = false;
        for rule in &self.rules {
            // A rule matching the path or any of its parent folders applies.
            let hit = (1..=parts.len()).any(|n| glob_segments(&rule.segments, &parts[..n]));
            if hit {
                excluded = !rule.include;
            }
        }
        excluded
    }

    /// True when some re-include rule may match below the folder `dir`, so the walk must enter
    /// an excluded folder.
    fn may_include_below(&self, dir: &str) -> bool {
        let parts: Vec<&str> = dir.split('/').collect();
        self.rules.iter().filter(|r| r.include).any(|r| {
            r.segments.iter().any(|s| s == "**")
                || (r.segments.len() > parts.len()
                    && glob_segments(&r.segments[..parts.len()], &parts))
        })
    }
}

fn glob_segments(pattern: &[String], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((first, rest)) if first == "**" => {
            (0..=path.len()).any(|skip| glob_segments(rest, &path[skip..]))
        }
        Some((first, rest)) => match path.split_first() {
            Some((p, prest)) => {
                glob_one(first.as_bytes(), p.as_bytes()) && glob_segments(rest, prest)
            }
            None => false,
        },
    }
}

fn glob_one(pattern: &[u8], text: &[u8]) -> bool {
    match (pattern.first(), text.first()) {
        (None, None) => true,
        (Some(b'*'), _) => {
            glob_one(&pattern[1..], text) || (!text.is_empty() && glob_one(pattern, &text[1..]))
        }
        (Some(b'?'), Some(_)) => glob_one(&pattern[1..], &text[1..]),
        (Some(a), Some(b)) if a == b => glob_one(&pattern[1..], &text[1..]),
        _ => false,
    }
}

/// The archive and the Dockerfile's name inside it.
pub struct BuildContext {
    /// The uncompressed tar sent as the build's body.
    pub tar: Vec<u8>,
    /// The Dockerfile's path inside `tar` (it is added when it lies outside the context).
    pub dockerfile_in_tar: String,
    /// Files archived, after `.dockerignore`.
    pub files: usize,
}

/// Archives `context` for a build of `dockerfile`.
pub fn archive(context: &Path, dockerfile: &Path) -> Result<BuildContext> {
    let io = |what: &str, p: &Path| {
        let what = format!("{what} {}", p.display());
        move |e| EnvError::io(what, e)
    };
    let context = context
        .canonicalize()
        .map_err(io("opening build context", context))?;
    let dockerfile = dockerfile
        .canonicalize()
        .map_err(io("opening Dockerfile", dockerfile))?;

    let mut ignore_text =
        std::fs::read_to_string(context.join(".dockerignore")).unwrap_or_default();
    let mut beside = dockerfile.clone().into_os_string();
    beside.push(".dockerignore");
    if let Ok(text) = std::fs::read_to_string(PathBuf::from(beside)) {
        ignore_text = text;
    }
    let rules = IgnoreRules::parse(&ignore_text);

    let mut builder = tar::Builder::new(Vec::new());
    builder.follow_symlinks(false);
    // Docker's tar reader rejects GNU sparse entries (type 'S'), which the tar crate writes for
    // files with holes, such as some linker outputs.
    builder.sparse(false);
    let mut files = 0;
    walk(&context, &context, &rules, &mut builder, &mut files)?;

    let dockerfile_in_tar = match dockerfile.strip_prefix(&context) {
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => OUTSIDE_DOCKERFILE.to_string(),
    };
    // The Dockerfile always travels, whatever the ignore rules say.
    if dockerfile_in_tar == OUTSIDE_DOCKERFILE || rules.is_excluded(&dockerfile_in_tar) {
        builder
            .append_path_with_name(&dockerfile, &dockerfile_in_tar)
            .map_err(io("archiving", &dockerfile))?;
        files += 1;
    }
    let tar = builder.into_inner().map_err(io("archiving", &context))?;
    Ok(BuildContext {
        tar,
        dockerfile_in_tar,
        files,
    })
}

fn walk(
    root: &Path,
    dir: &Path,
    rules: &IgnoreRules,
    builder: &mut tar::Builder<Vec<u8>>,
    files: &mut usize,
) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| EnvError::io(format!("reading {}", dir.display()), e))?
        .filter_map(|e| e.ok())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let rel = path
            .strip_prefix(root)
            .expect("walked paths are under the root")
            .to_string_lossy()
            .replace('\\', "/");
        let kind = entry
            .file_type()
            .map_err(|e| EnvError::io(format!("reading {}", path.display()), e))?;
        let excluded = rules.is_excluded(&rel);
        if kind.is_dir() {
            if !excluded || rules.may_include_below(&rel) {
                walk(root, &path, rules, builder, files)?;
            }
        } else if !excluded {
            builder
                .append_path_with_name(&path, &rel)
                .map_err(|e| EnvError::io(format!("archiving {}", path.display()), e))?;
            *files += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_rule_wins_and_folders_cover_their_contents() {
        let r = IgnoreRules::parse("*\n!addon\n!env-manager/container/\n!target/release/blender-mcp-rs\naddon/**/__pycache__\n");
        assert!(r.is_excluded("target/debug/foo"));
        assert!(r.is_excluded("README.md"));
        assert!(!r.is_excluded("addon/blender_mcp_addon/server.py"));
        assert!(r.is_excluded("addon/blender_mcp_addon/__pycache__/x.pyc"));
        assert!(!r.is_excluded("env-manager/container/entrypoint.sh"));
        assert!(r.is_excluded("env-manager/src/lib.rs"));
        assert!(!r.is_excluded("target/release/blender-mcp-rs"));
        assert!(r.is_excluded("target/release/deps"));
        assert!(r.may_include_below("target"));
        assert!(r.may_include_below("target/release"));
        assert!(!r.may_include_below("mcp-core"));
    }

    #[test]
    fn globs() {
        let r = IgnoreRules::parse("*.log\n**/node_modules\n?.tmp\n");
        assert!(r.is_excluded("a.log"));
        assert!(!r.is_excluded("sub/a.log"));
        assert!(r.is_excluded("x/y/node_modules/z.js"));
        assert!(r.is_excluded("b.tmp"));
        assert!(!r.is_excluded("bb.tmp"));
    }

    #[test]
    fn archive_honours_the_dockerfile_ignore_and_always_sends_the_dockerfile() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("keep")).unwrap();
        std::fs::create_dir_all(root.join("skip")).unwrap();
        std::fs::create_dir_all(root.join("docker")).unwrap();
        std::fs::write(root.join("keep/a.txt"), "a").unwrap();
        std::fs::write(root.join("skip/b.txt"), "b").unwrap();
        std::fs::write(root.join("docker/Dockerfile"), "FROM scratch\n").unwrap();
        std::fs::write(root.join("docker/Dockerfile.dockerignore"), "*\n!keep\n").unwrap();
        let ctx = archive(root, &root.join("docker/Dockerfile")).unwrap();
        assert_eq!(ctx.dockerfile_in_tar, "docker/Dockerfile");
        let mut names: Vec<String> = tar::Archive::new(&ctx.tar[..])
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["docker/Dockerfile", "keep/a.txt"]);
        assert_eq!(ctx.files, 2);
    }
}
