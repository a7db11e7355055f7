//! Starting a headless Blender with the addon, so that blender-mcp-rs works
//! when no Blender is running.
//!
//! Two kinds of program can host the addon: a Blender executable (run as
//! `blender -b --factory-startup --python keep_alive.py -- FLAGS`) and a Python
//! interpreter with pip's `bpy` module (run as `python -m blender_mcp_addon
//! FLAGS`). The kind is told from the file name: a name starting with
//! "blender" (any case) is a Blender executable, anything else a Python.

mod connector;
mod output;

use std::borrow::Borrow;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};
use tokio::sync::mpsc;

pub use connector::LaunchingConnector;
use output::OutputSink;

use crate::addon_bundle;
use crate::client::{BlenderClient, ClientConfig};
use crate::connection::Endpoint;
use crate::error::BridgeError;
use crate::token::{Token, TOKEN_ENV};

/// Overrides the program [`default_program`] picks.
pub const PROGRAM_ENV: &str = "BLENDER_MCP_BLENDER";

/// How to start a Blender.
#[derive(Clone)]
pub struct LaunchConfig {
    /// A Blender executable or a Python with `bpy` (see the module docs).
    pub program: PathBuf,
    /// The address the addon binds; loopback unless the user chose otherwise.
    pub host: String,
    /// The port; 0 lets the OS pick a free one.
    pub port: u16,
    /// How long to wait for the addon's ready line (importing bpy takes seconds).
    pub startup_timeout: Duration,
    /// Extra environment for the child.
    pub extra_env: Vec<(String, String)>,
    /// Where the child's output goes; `None` sends it to our stderr.
    pub log_file: Option<PathBuf>,
}

impl LaunchConfig {
    /// Defaults: `127.0.0.1`, a free port, 60 s to start, output to stderr.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        LaunchConfig {
            program: program.into(),
            host: "127.0.0.1".to_owned(),
            port: 0,
            startup_timeout: Duration::from_secs(60),
            extra_env: Vec::new(),
            log_file: None,
        }
    }
}

impl std::fmt::Debug for LaunchConfig {
    /// Shows only the names of `extra_env`: its values may be secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let env_names: Vec<&str> = self.extra_env.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("LaunchConfig")
            .field("program", &self.program)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("startup_timeout", &self.startup_timeout)
            .field("extra_env", &env_names)
            .field("log_file", &self.log_file)
            .finish()
    }
}

/// What kind of program hosts the addon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgramKind {
    /// A Blender executable, run in background mode.
    Blender,
    /// A Python interpreter that can `import bpy`.
    PythonWithBpy,
}

impl ProgramKind {
    /// Tells the kind from the file name ("blender*" is Blender, else Python).
    pub fn detect(program: &Path) -> Self {
        let name = program
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if name.starts_with("blender") {
            ProgramKind::Blender
        } else {
            ProgramKind::PythonWithBpy
        }
    }
}

/// The program to launch when none is configured: `$BLENDER_MCP_BLENDER`, then
/// the bpy venv `scripts/setup.sh` links at `$CACHE/venv` (`$CACHE` as the
/// script resolves it: `$BLENDER_MCP_CACHE`, else
/// `$XDG_CACHE_HOME/blender-mcp-rs`, else `~/.cache/blender-mcp-rs`), then
/// `blender` on `PATH`.
pub fn default_program() -> Option<PathBuf> {
    if let Some(program) = std::env::var_os(PROGRAM_ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(program));
    }
    let venv = setup_cache().map(|cache| cache.join("venv/bin/python"));
    if let Some(venv) = venv.filter(|venv| venv.is_file()) {
        return Some(venv);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("blender"))
        .find(|candidate| candidate.is_file())
}

/// Where `scripts/setup.sh` keeps its venvs.
fn setup_cache() -> Option<PathBuf> {
    let set = |name| std::env::var_os(name).filter(|v: &std::ffi::OsString| !v.is_empty());
    if let Some(cache) = set("BLENDER_MCP_CACHE") {
        return Some(PathBuf::from(cache));
    }
    let base = match set("XDG_CACHE_HOME") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(set("HOME")?).join(".cache"),
    };
    Some(base.join("blender-mcp-rs"))
}

/// A folder removed when dropped (holds the ready file).
pub(crate) struct ScratchDir(pub(crate) PathBuf);

impl ScratchDir {
    pub(crate) fn create() -> Result<Self, BridgeError> {
        let token = Token::generate()?;
        let dir = std::env::temp_dir().join(format!(
            "blender-mcp-rs-{}-{}",
            std::process::id(),
            &token.expose()[..12]
        ));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(&dir)
            .map_err(|e| BridgeError::launch(format!("cannot create {}: {e}", dir.display())))?;
        Ok(ScratchDir(dir))
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A Blender this process started; killed when dropped.
pub struct LaunchedBlender {
    child: Mutex<Option<Child>>,
    endpoint: Endpoint,
    token: Token,
    pid: u32,
    kind: ProgramKind,
    output: Arc<OutputSink>,
    _scratch: ScratchDir,
}

impl std::fmt::Debug for LaunchedBlender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LaunchedBlender")
            .field("endpoint", &self.endpoint)
            .field("pid", &self.pid)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl LaunchedBlender {
    /// Starts Blender with a fresh random token and waits until the addon listens.
    pub async fn launch(cfg: impl Borrow<LaunchConfig>) -> Result<Self, BridgeError> {
        let cfg = cfg.borrow();
        let addon_dir = addon_bundle::addon_dir()?;
        let token = Token::generate()?;
        let scratch = ScratchDir::create()?;
        let ready_file = scratch.0.join("ready.json");
        let kind = ProgramKind::detect(&cfg.program);
        let output = OutputSink::new(cfg.log_file.as_deref())
            .map_err(|e| BridgeError::launch(format!("cannot open the Blender log file: {e}")))?;
        let mut child = command(cfg, kind, &addon_dir, &ready_file, &token)
            .spawn()
            .map_err(|e| {
                BridgeError::launch(format!(
                    "cannot run {}: {e} — install Blender, or point {PROGRAM_ENV} at a Blender \
                     executable or at a Python that has the bpy module",
                    cfg.program.display()
                ))
            })?;
        let pid = child.id().unwrap_or_default();
        let ready = wait_until_ready(&mut child, cfg, &ready_file, &output).await?;
        let endpoint = parse_ready(&ready, &cfg.host).map_err(|reason| BridgeError::Launch {
            reason,
            output_tail: output.tail(),
        })?;
        tracing::info!(pid, %endpoint, program = %cfg.program.display(), "launched Blender");
        Ok(LaunchedBlender {
            child: Mutex::new(Some(child)),
            endpoint,
            token,
            pid,
            kind,
            output,
            _scratch: scratch,
        })
    }

    /// Where the addon listens.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The per-launch token the addon expects.
    pub fn token(&self) -> &Token {
        &self.token
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Whether the program is a Blender executable or a Python with bpy.
    pub fn kind(&self) -> ProgramKind {
        self.kind
    }

    /// The last lines Blender printed.
    pub fn output_tail(&self) -> String {
        self.output.tail()
    }

    /// A client config for this Blender (endpoint and token filled in).
    pub fn client_config(&self) -> ClientConfig {
        let mut config = ClientConfig::new(self.endpoint.host.clone(), self.endpoint.port);
        config.token = Some(self.token.expose().to_owned());
        config
    }

    /// Whether the process is still alive (reaps it if it has exited).
    pub fn is_running(&self) -> bool {
        match self.child.lock().unwrap().as_mut() {
            Some(child) => matches!(child.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// The exit status, once the process has ended.
    pub fn exit_status(&self) -> Option<std::process::ExitStatus> {
        self.child.lock().unwrap().as_mut()?.try_wait().ok()?
    }

    /// Stops Blender: the `shutdown` op, up to 5 s to exit, then a kill; always
    /// reaped. Returns the exit status (`None` if it was already collected).
    pub async fn shutdown(self) -> Option<std::process::ExitStatus> {
        let mut child = self.child.lock().unwrap().take()?;
        if matches!(child.try_wait(), Ok(None)) {
            let mut config = self.client_config();
            config.connect_timeout = Duration::from_secs(2);
            config.request_timeout = Duration::from_secs(3);
            if let Err(e) = BlenderClient::new(config).shutdown().await {
                tracing::debug!(pid = self.pid, "graceful shutdown failed: {e}");
            }
        }
        match tokio::time::timeout(Duration::from_secs(5), child.wait()).await {
            Ok(status) => status.ok(),
            Err(_) => {
                tracing::warn!(
                    pid = self.pid,
                    "Blender did not exit within 5 s; killing it"
                );
                let _ = child.start_kill();
                child.wait().await.ok()
            }
        }
    }
}

/// The command line that starts the addon: Blender in background mode running keep_alive.py,
/// or a Python with `bpy` running the addon's module. Its output is piped to the log sink.
fn command(
    cfg: &LaunchConfig,
    kind: ProgramKind,
    addon_dir: &Path,
    ready_file: &Path,
    token: &Token,
) -> Command {
    let mut command = Command::new(&cfg.program);
    if kind == ProgramKind::Blender {
        command
            .args(["-b", "--factory-startup", "--python"])
            .arg(addon_dir.join("keep_alive.py"))
            .arg("--");
    } else {
        command.args(["-m", "blender_mcp_addon"]);
    }
    command
        .args(["--host", &cfg.host, "--port", &cfg.port.to_string()])
        .arg("--ready-file")
        .arg(ready_file)
        .arg("--allow-shutdown")
        // Dies with us even when we are SIGKILLed and cannot shut it down.
        .arg("--exit-with-parent")
        .env("PYTHONPATH", python_path(addon_dir))
        .env("PYTHONUNBUFFERED", "1")
        .env(TOKEN_ENV, token.expose())
        .envs(cfg.extra_env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// Forwards the child's output to `output` and waits for the addon's ready line (on stdout or
/// in the ready file, whichever comes first). Blender exiting first, or the startup timeout,
/// is an error carrying the tail of its output.
async fn wait_until_ready(
    child: &mut Child,
    cfg: &LaunchConfig,
    ready_file: &Path,
    output: &Arc<OutputSink>,
) -> Result<String, BridgeError> {
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel();
    let stdout = child
        .stdout
        .take()
        .map(|s| output::forward(s, "stdout", output.clone(), Some(ready_tx)));
    let stderr = child
        .stderr
        .take()
        .map(|s| output::forward(s, "stderr", output.clone(), None));
    let deadline = Instant::now() + cfg.startup_timeout;
    let failure = |reason: String| BridgeError::Launch {
        reason,
        output_tail: output.tail(),
    };
    loop {
        tokio::select! {
            Some(line) = ready_rx.recv() => return Ok(line),
            status = child.wait() => {
                // Let the output tasks drain so the error shows Blender's last words.
                for task in [stdout, stderr].into_iter().flatten() {
                    let _ = tokio::time::timeout(Duration::from_millis(500), task).await;
                }
                let status = status.map(|s| s.to_string()).unwrap_or_else(|e| e.to_string());
                return Err(failure(format!(
                    "{} exited ({status}) before the addon was ready",
                    cfg.program.display()
                )));
            }
            _ = tokio::time::sleep(Duration::from_millis(25)) => {
                if let Ok(text) = std::fs::read_to_string(ready_file) {
                    return Ok(text);
                }
                if Instant::now() >= deadline {
                    let _ = child.start_kill();
                    let _ = child.wait().await;
                    return Err(failure(format!(
                        "the addon did not report ready within {:?}",
                        cfg.startup_timeout
                    )));
                }
            }
        }
    }
}

/// Where the ready line says the addon listens (its host defaults to the one asked for).
fn parse_ready(text: &str, default_host: &str) -> Result<Endpoint, String> {
    let ready: serde_json::Value = serde_json::from_str(text.trim())
        .map_err(|e| format!("bad ready line from the addon: {e}"))?;
    let port = ready["port"]
        .as_u64()
        .and_then(|p| u16::try_from(p).ok())
        .ok_or("the ready line has no port")?;
    let host = ready["host"].as_str().unwrap_or(default_host).to_owned();
    Ok(Endpoint::new(host, port))
}

/// The addon folder first, then any `PYTHONPATH` we inherited.
fn python_path(addon_dir: &Path) -> std::ffi::OsString {
    let mut paths = vec![addon_dir.to_path_buf()];
    if let Some(existing) = std::env::var_os("PYTHONPATH") {
        paths.extend(std::env::split_paths(&existing));
    }
    std::env::join_paths(paths).unwrap_or_else(|_| addon_dir.as_os_str().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_kind_follows_the_file_name() {
        assert_eq!(
            ProgramKind::detect(Path::new("/opt/blender-4.5/blender")),
            ProgramKind::Blender
        );
        assert_eq!(
            ProgramKind::detect(Path::new("Blender.exe")),
            ProgramKind::Blender
        );
        assert_eq!(
            ProgramKind::detect(Path::new("/venv/bin/python")),
            ProgramKind::PythonWithBpy
        );
        assert_eq!(
            ProgramKind::detect(Path::new("python3.11")),
            ProgramKind::PythonWithBpy
        );
    }
}
