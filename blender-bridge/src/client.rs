//! `BlenderClient`: the async Rust API to a Blender running the addon, usable
//! by any Rust program (the MCP server is one user).

use std::collections::HashSet;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::mpsc;

use crate::connection::{ConnectParams, Connection, Endpoint, ServerInfo};
use crate::error::BridgeError;
use crate::protocol::{ErrorCode, Progress, Snippet};
use crate::token;

mod around;
mod config;
mod connector;

pub use around::{Around, GuardedExec, Step, EXEC_AFTER, EXEC_BEFORE};
pub use config::ClientConfig;
pub use connector::Connector;
use connector::FixedEndpoint;

/// Per-call settings.
///
/// **Cancellation** is dropping the call's future: a call whose future is
/// dropped before the reply (the caller was cancelled, a `select!` took
/// another branch, an outer timeout fired) sends `cancel` for its request,
/// so Blender drops it if still queued or interrupts it if it is running
/// Python (PROTOCOL 4.5). The transport timeout does the same before it
/// fails the call with [`BridgeError::NoReply`]. To cancel on a token:
///
/// ```no_run
/// # use blender_bridge::{BlenderClient, BridgeError, CallOptions, ExecOutput};
/// # use tokio_util::sync::CancellationToken;
/// # async fn run(client: BlenderClient, token: CancellationToken) -> Result<ExecOutput, BridgeError> {
/// let args = serde_json::json!({});
/// tokio::select! {
///     output = client.exec_with("import time; time.sleep(60)", args, CallOptions::default()) => output,
///     _ = token.cancelled() => Err(BridgeError::Cancelled {
///         op: "exec".into(),
///         stdout: String::new(),
///         stderr: String::new(),
///     }),
/// }
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// Overrides [`ClientConfig::request_timeout`] for this call: how long the
    /// client waits for the reply (the transport timeout).
    pub timeout: Option<Duration>,
    /// Time limit for the Python code, enforced inside Blender (the exec
    /// `timeout` param): code still running after it is interrupted and the
    /// call fails with [`BridgeError::TimeLimitExceeded`], with what it printed so far.
    /// The transport timeout is stretched to at least this plus
    /// [`EXEC_TIMEOUT_MARGIN`], so the addon's clearer error wins the race.
    pub exec_timeout: Option<Duration>,
    /// Where the progress reports of the code (`progress(done, total,
    /// message)` in Python) go while it runs; asks the addon for progress
    /// frames. Reports arrive in order, at most one per 50 ms, and the last
    /// one always; the channel is only sent to, never closed by the client.
    pub progress: Option<mpsc::UnboundedSender<Progress>>,
}

/// How much longer than an exec time limit the client waits for the reply.
pub const EXEC_TIMEOUT_MARGIN: Duration = Duration::from_secs(5);

/// The result of running Python: its value and what it printed.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct ExecOutput {
    /// The global `result`, else the last expression's value, else null.
    pub value: Value,
    /// Captured `sys.stdout`.
    #[serde(default)]
    pub stdout: String,
    /// Captured `sys.stderr`.
    #[serde(default)]
    pub stderr: String,
}

/// Counters for diagnostics and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// Successful connects (the first one included).
    pub connects: u64,
    /// Times a snippet had to be re-sent with its code after `snippet_unknown`.
    pub snippet_resends: u64,
}

#[derive(Serialize)]
struct ExecParams<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<&'a str>,
    #[serde(skip_serializing_if = "Value::is_null")]
    args: &'a Value,
    /// Seconds (PROTOCOL 4.3); absent means no limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout: Option<f64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    progress: bool,
    /// A precondition run first, in the same turn (PROTOCOL 4.3).
    #[serde(skip_serializing_if = "Option::is_none")]
    before: Option<around::StepParams<'a>>,
    /// A step run after the code, in the same turn (PROTOCOL 4.3).
    #[serde(skip_serializing_if = "Option::is_none")]
    after: Option<around::StepParams<'a>>,
}

impl<'a> ExecParams<'a> {
    fn new(
        code: Option<&'a str>,
        snippet: Option<&'a str>,
        args: &'a Value,
        opts: &CallOptions,
    ) -> Self {
        ExecParams {
            code,
            snippet,
            args,
            timeout: opts.exec_timeout.map(|t| t.as_secs_f64()),
            progress: opts.progress.is_some(),
            before: None,
            after: None,
        }
    }
}

/// Failed connects so far, to space out the next attempt.
#[derive(Default)]
struct Backoff {
    failures: u32,
    next_attempt: Option<tokio::time::Instant>,
}

struct Inner {
    config: ClientConfig,
    connector: Arc<dyn Connector>,
    current: Mutex<Option<Arc<Connection>>>,
    connecting: tokio::sync::Mutex<Backoff>,
    last_info: Mutex<Option<ServerInfo>>,
    last_endpoint: Mutex<Option<Endpoint>>,
    /// Snippet keys the addon is believed to hold (it may have restarted since).
    known_snippets: Mutex<HashSet<String>>,
    connects: AtomicU64,
    snippet_resends: AtomicU64,
}

/// A handle to Blender; cheap to clone, all clones share one connection.
///
/// The connection is made on first use and remade after it dies, so a client
/// outlives Blender restarts: calls in flight when Blender goes away fail with
/// [`BridgeError::ConnectionLost`], the next call reconnects.
#[derive(Clone)]
pub struct BlenderClient {
    inner: Arc<Inner>,
}

impl fmt::Debug for BlenderClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlenderClient")
            .field("endpoint", &self.endpoint_description())
            .finish_non_exhaustive()
    }
}

impl BlenderClient {
    /// A client for `config.endpoint`; does no I/O until the first call.
    pub fn new(config: ClientConfig) -> Self {
        let connector = Arc::new(FixedEndpoint(config.endpoint.clone()));
        Self::with_connector(connector, config)
    }

    /// A client that asks `connector` where to connect at each (re)connect.
    pub fn with_connector(connector: Arc<dyn Connector>, config: ClientConfig) -> Self {
        BlenderClient {
            inner: Arc::new(Inner {
                config,
                connector,
                current: Mutex::new(None),
                connecting: tokio::sync::Mutex::new(Backoff::default()),
                last_info: Mutex::new(None),
                last_endpoint: Mutex::new(None),
                known_snippets: Mutex::new(HashSet::new()),
                connects: AtomicU64::new(0),
                snippet_resends: AtomicU64::new(0),
            }),
        }
    }

    /// A client that has connected and said hello, so misconfiguration shows now.
    pub async fn connect(config: ClientConfig) -> Result<Self, BridgeError> {
        let client = Self::new(config);
        client.connection().await?;
        Ok(client)
    }

    /// Round trip through Blender's main thread; returns how long it took.
    pub async fn ping(&self) -> Result<Duration, BridgeError> {
        let connection = self.connection().await?;
        let started = Instant::now();
        let timeout = self.inner.config.request_timeout;
        connection
            .request("ping", &EmptyParams {}, 0, timeout)
            .await?;
        Ok(started.elapsed())
    }

    /// Runs Python `code` with the global `args`.
    pub async fn exec(&self, code: &str, args: Value) -> Result<ExecOutput, BridgeError> {
        self.exec_with(code, args, CallOptions::default()).await
    }

    /// [`BlenderClient::exec`] with per-call options.
    pub async fn exec_with(
        &self,
        code: &str,
        args: Value,
        opts: CallOptions,
    ) -> Result<ExecOutput, BridgeError> {
        let connection = self.connection().await?;
        let params = ExecParams::new(Some(code), None, &args, &opts);
        let value = connection
            .request_with(
                "exec",
                &params,
                code.len(),
                self.timeout(&opts),
                opts.progress.clone(),
            )
            .await?;
        exec_output(value)
    }

    /// Runs a snippet, sending only its key once the addon has cached it.
    pub async fn exec_snippet(
        &self,
        snippet: &Snippet,
        args: Value,
    ) -> Result<ExecOutput, BridgeError> {
        self.exec_snippet_with(snippet, args, CallOptions::default())
            .await
    }

    /// [`BlenderClient::exec_snippet`] with per-call options (e.g. a long render).
    pub async fn exec_snippet_with(
        &self,
        snippet: &Snippet,
        args: Value,
        opts: CallOptions,
    ) -> Result<ExecOutput, BridgeError> {
        let connection = self.connection().await?;
        let key = snippet.key();
        let timeout = self.timeout(&opts);
        let known = self.inner.known_snippets.lock().unwrap().contains(key);
        if known {
            let params = ExecParams::new(None, Some(key), &args, &opts);
            match connection
                .request_with("exec", &params, key.len(), timeout, opts.progress.clone())
                .await
            {
                Err(BridgeError::Remote(e)) if e.code == ErrorCode::SnippetUnknown => {
                    tracing::debug!(snippet = key, "addon lost the snippet; sending its code");
                    self.inner.known_snippets.lock().unwrap().remove(key);
                    self.inner.snippet_resends.fetch_add(1, Ordering::Relaxed);
                }
                other => return exec_output(other?),
            }
        }
        let params = ExecParams::new(Some(snippet.code()), Some(key), &args, &opts);
        let outcome = connection
            .request_with(
                "exec",
                &params,
                snippet.code().len(),
                timeout,
                opts.progress.clone(),
            )
            .await;
        if addon_cached_it(&outcome) {
            self.inner
                .known_snippets
                .lock()
                .unwrap()
                .insert(key.to_owned());
        }
        exec_output(outcome?)
    }

    /// Any op with any params; the raw result value.
    pub async fn call(
        &self,
        op: &str,
        params: Value,
        opts: CallOptions,
    ) -> Result<Value, BridgeError> {
        let connection = self.connection().await?;
        let timeout = self.timeout(&opts);
        let progress = opts.progress.clone();
        if params.is_null() {
            connection
                .request_with(op, &EmptyParams {}, 0, timeout, progress)
                .await
        } else {
            connection
                .request_with(op, &params, 256, timeout, progress)
                .await
        }
    }

    /// Asks the addon to stop its host process (only if started with shutdown allowed).
    pub async fn shutdown(&self) -> Result<(), BridgeError> {
        let connection = self.connection().await?;
        let timeout = self.inner.config.request_timeout;
        connection
            .request("shutdown", &EmptyParams {}, 0, timeout)
            .await?;
        self.inner.current.lock().unwrap().take();
        Ok(())
    }

    /// What the addon said in the last successful `hello`.
    pub async fn server_info(&self) -> Option<ServerInfo> {
        self.inner.last_info.lock().unwrap().clone()
    }

    /// Where this client connects, for messages ("Blender at 127.0.0.1:9876").
    pub fn endpoint_description(&self) -> String {
        let described = self.inner.connector.describe();
        match &*self.inner.last_endpoint.lock().unwrap() {
            Some(endpoint) if !described.contains(&endpoint.to_string()) => {
                format!("{described} (last at {endpoint})")
            }
            _ => described,
        }
    }

    /// Counters since the client was made.
    pub fn stats(&self) -> ClientStats {
        ClientStats {
            connects: self.inner.connects.load(Ordering::Relaxed),
            snippet_resends: self.inner.snippet_resends.load(Ordering::Relaxed),
        }
    }

    /// The transport timeout of a call: its own or the default, and never
    /// shorter than its exec time limit plus a margin (PROTOCOL 4.5).
    fn timeout(&self, opts: &CallOptions) -> Duration {
        let timeout = opts.timeout.unwrap_or(self.inner.config.request_timeout);
        match opts.exec_timeout {
            Some(limit) => timeout.max(limit.saturating_add(EXEC_TIMEOUT_MARGIN)),
            None => timeout,
        }
    }

    fn live_connection(&self) -> Option<Arc<Connection>> {
        let current = self.inner.current.lock().unwrap();
        current.as_ref().filter(|c| c.is_alive()).cloned()
    }

    /// The live connection, or a new one.
    ///
    /// Failed connects are spaced out by a doubling backoff, remembered across
    /// calls so a missing Blender is not hammered. A call that finds the
    /// backoff clear (the last connection was healthy, or this is the first)
    /// tries a few times before giving up: right after a crash the old process
    /// can still hold its port for a moment, and the retry reaches the connector
    /// again, which then sees the process gone and relaunches it.
    async fn connection(&self) -> Result<Arc<Connection>, BridgeError> {
        const ATTEMPTS_AFTER_HEALTHY: u32 = 3;
        if let Some(connection) = self.live_connection() {
            return Ok(connection);
        }
        let mut backoff = self.inner.connecting.lock().await;
        let attempts = if backoff.failures == 0 {
            ATTEMPTS_AFTER_HEALTHY
        } else {
            1
        };
        let mut attempt = 0;
        loop {
            if let Some(connection) = self.live_connection() {
                return Ok(connection);
            }
            if let Some(at) = backoff.next_attempt {
                tokio::time::sleep_until(at).await;
            }
            attempt += 1;
            match self.open().await {
                Ok(connection) => {
                    *backoff = Backoff::default();
                    let connection = Arc::new(connection);
                    if let Some(info) = connection.info() {
                        crate::addon_package::warn_if_other_version(info);
                    }
                    *self.inner.last_info.lock().unwrap() = connection.info().cloned();
                    *self.inner.current.lock().unwrap() = Some(connection.clone());
                    self.inner.connects.fetch_add(1, Ordering::Relaxed);
                    return Ok(connection);
                }
                Err(error) => {
                    backoff.failures = backoff.failures.saturating_add(1);
                    let config = &self.inner.config;
                    let doubling = 2u32.saturating_pow(backoff.failures - 1);
                    let wait = config
                        .backoff_initial
                        .saturating_mul(doubling)
                        .min(config.backoff_max);
                    backoff.next_attempt = Some(tokio::time::Instant::now() + wait);
                    // A refused token or a launch failure will not change by retrying.
                    let retryable = matches!(
                        error,
                        BridgeError::Connect { .. } | BridgeError::ConnectionLost { .. }
                    );
                    if attempt >= attempts || !retryable {
                        return Err(error);
                    }
                    tracing::debug!("connecting to Blender failed ({error}); retrying");
                }
            }
        }
    }

    async fn open(&self) -> Result<Connection, BridgeError> {
        let config = &self.inner.config;
        let endpoint = self.inner.connector.endpoint().await?;
        *self.inner.last_endpoint.lock().unwrap() = Some(endpoint.clone());
        // Reach Blender before looking for the token: when nothing answers,
        // a missing token file is not the problem to tell the user about.
        let stream = Connection::dial(&endpoint, config.connect_timeout).await?;
        let token = match self.inner.connector.token() {
            Some(token) => token,
            None => token::discover(config.token.as_deref(), config.token_file.as_deref())
                .map_err(|e| BridgeError::NoToken(format!("{endpoint} answers, but {e}")))?,
        };
        Connection::open(
            stream,
            ConnectParams {
                endpoint: &endpoint,
                token: &token,
                client_name: &config.client_name,
                connect_timeout: config.connect_timeout,
                max_frame: config.max_frame,
            },
        )
        .await
    }
}

#[derive(Serialize)]
struct EmptyParams {}

fn exec_output(value: Value) -> Result<ExecOutput, BridgeError> {
    serde_json::from_value(value)
        .map_err(|e| BridgeError::Protocol(format!("bad exec result: {e}")))
}

/// Whether the addon now caches the snippet: it compiles and caches before
/// running, so only a compile error (a `SyntaxError`) leaves it uncached.
fn addon_cached_it(outcome: &Result<Value, BridgeError>) -> bool {
    match outcome {
        Ok(_) => true,
        Err(BridgeError::Python(e)) => e.exc_type != "SyntaxError",
        Err(BridgeError::Remote(e)) => e.code == ErrorCode::ResultNotJson,
        Err(_) => false,
    }
}
