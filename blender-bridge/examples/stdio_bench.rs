//! MCP over stdio measured against the bridge's own round trip, in one run
//! (part of `scripts/bench.sh`).
//!
//! ```text
//! cargo run --release -p blender-bridge --example stdio_bench -- \
//!     --server target/release/blender-mcp-rs [--server OTHER ...] [--quick] [--json PATH] [--log PATH]
//! ```
//!
//! Each `--server` is attached and measured in the same rounds, so two
//! builds compare on equal terms (the first is the one reported at the top
//! level of the JSON; all are under `servers`).
//!
//! Launches a headless Blender (as `bridge_bench` does), attaches a
//! `blender-mcp-rs` to it over stdio (`--no-launch`), and times three calls
//! on that one Blender: the bridge's `exec None` from this process's own
//! `BlenderClient`, MCP `tools/call` of `execute_blender_code` `None` with
//! `rollback_on_error=false`, and MCP `ping`.
//!
//! Why a separate program: this machine's speed drifts by up to 2x over
//! minutes (docs/BENCHMARKS.md), so figures taken one after the other
//! compare the machine's moods as much as the layers. Here the three run in
//! interleaved blocks, each round in a rotated order, so drift falls on all
//! of them alike. The MCP client is this compiled process, one request at a
//! time, each reply read on the thread that asked: a Python client spends
//! 30-60 µs of CPU of its own per call on a 2-core machine, which the
//! server's figure would otherwise carry. The per-call CPU of the server,
//! Blender and this client is reported beside each figure. Nothing is
//! asserted except that every call succeeds.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use blender_bridge::launcher::{default_program, LaunchConfig, LaunchedBlender};
use blender_bridge::BlenderClient;

type Error = Box<dyn std::error::Error>;

/// Calls completed so far, which the watchdog checks.
static CALLS_DONE: AtomicU64 = AtomicU64::new(0);
/// How long the watchdog lets pass without a completed call.
const STALL_LIMIT: Duration = Duration::from_secs(60);

/// Rounds of interleaved blocks, and calls per block.
struct Plan {
    rounds: usize,
    block: usize,
}

impl Plan {
    fn new(quick: bool) -> Self {
        if quick {
            Plan {
                rounds: 2,
                block: 25,
            }
        } else {
            Plan {
                rounds: 10,
                block: 300,
            }
        }
    }
}

/// A `blender-mcp-rs` child spoken to one JSON-RPC line at a time.
struct StdioServer {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    line: String,
    next_id: u64,
}

impl StdioServer {
    fn spawn(server: &Path, blender: &LaunchedBlender, log: &Log) -> Result<Self, Error> {
        let endpoint = blender.endpoint();
        let mut child = Command::new(server)
            .args(["--no-launch", "--host", &endpoint.host, "--log", "warn"])
            .args(["--port", &endpoint.port.to_string()])
            // In the environment, not the command line: `ps` shows arguments.
            .env("BLENDER_MCP_TOKEN", blender.token().expose())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log.open()?)
            .spawn()?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        Ok(StdioServer {
            child,
            stdin,
            stdout,
            line: String::new(),
            next_id: 0,
        })
    }

    /// Sends one request and returns its `result`; the server's own
    /// notifications and requests read in between are skipped.
    fn request(&mut self, method: &str, params: &Value) -> Result<Value, Error> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = serde_json::to_vec(
            &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        )?;
        message.push(b'\n');
        self.stdin.write_all(&message)?;
        self.stdin.flush()?;
        loop {
            self.line.clear();
            if self.stdout.read_line(&mut self.line)? == 0 {
                return Err(format!("the server closed stdout before answering {method}").into());
            }
            let mut reply: Value = serde_json::from_str(&self.line)?;
            // An error with a null id answers a line the server could not read.
            let unread = reply["id"].is_null() && reply.get("error").is_some();
            if reply.get("method").is_some() || (reply["id"] != json!(id) && !unread) {
                continue;
            }
            if let Some(error) = reply.get("error") {
                return Err(format!("{method} failed: {error}").into());
            }
            return match reply.get_mut("result") {
                Some(result) if result.is_object() => Ok(result.take()),
                _ => Err(format!("{method} answered without a result object: {reply}").into()),
            };
        }
    }

    /// Sends a notification (no answer comes).
    fn notify(&mut self, method: &str) -> Result<(), Error> {
        let message = json!({"jsonrpc": "2.0", "method": method});
        writeln!(self.stdin, "{message}")?;
        Ok(self.stdin.flush()?)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Closes stdin, which ends an MCP stdio server, and waits up to 10 s
    /// for it to exit before killing it.
    fn close(mut self) {
        drop(self.stdin);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!("the server did not exit on EOF within 10 s; killing it");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Ends the process with an error when no call completes for
/// [`STALL_LIMIT`]: a server or Blender that stops answering must fail the
/// benchmark, not hang `scripts/bench.sh`. The servers see stdin close and
/// exit; the launched Blender stops when its launcher is gone.
fn start_watchdog() {
    std::thread::spawn(|| {
        let mut seen = CALLS_DONE.load(Ordering::Relaxed);
        loop {
            std::thread::sleep(STALL_LIMIT);
            let now = CALLS_DONE.load(Ordering::Relaxed);
            if now == seen {
                eprintln!("stdio_bench: no call completed in {STALL_LIMIT:?}; giving up");
                std::process::exit(1);
            }
            seen = now;
        }
    });
}

/// A measured call: the bridge's own, or one of a server's.
#[derive(Clone, Copy)]
enum Kind {
    BridgeExec,
    McpCall(usize),
    McpPing(usize),
}

impl Kind {
    /// Every kind for `servers` servers, in a fixed order.
    fn all(servers: usize) -> Vec<Kind> {
        let mut kinds = vec![Kind::BridgeExec];
        for i in 0..servers {
            kinds.extend([Kind::McpCall(i), Kind::McpPing(i)]);
        }
        kinds
    }

    fn name(self) -> &'static str {
        match self {
            Kind::BridgeExec => "bridge_exec_none",
            Kind::McpCall(_) => "mcp_call_no_rollback",
            Kind::McpPing(_) => "mcp_ping",
        }
    }
}

/// What one call kind measured: latencies, and the CPU time (ns) this
/// process, the server and Blender spent.
#[derive(Default)]
struct Samples {
    latencies: Vec<Duration>,
    cpu_ns: [u64; 3],
}

/// The bridge client, the servers and Blender of one run.
struct Bench<'a> {
    runtime: &'a tokio::runtime::Runtime,
    client: &'a BlenderClient,
    servers: Vec<StdioServer>,
    blender_pid: u32,
}

impl Bench<'_> {
    /// One call of `kind`; a failure of the call is an error.
    fn call(&mut self, kind: Kind) -> Result<(), Error> {
        match kind {
            Kind::BridgeExec => {
                self.runtime
                    .block_on(self.client.exec("None", Value::Null))?;
            }
            Kind::McpCall(i) => {
                let params = json!({"name": "execute_blender_code", "arguments":
                    {"code": "None", "rollback_on_error": false, "confirm": true}});
                let result = self.servers[i].request("tools/call", &params)?;
                if result["isError"] == json!(true) {
                    return Err(format!("execute_blender_code failed: {result}").into());
                }
            }
            Kind::McpPing(i) => {
                self.servers[i].request("ping", &json!({}))?;
            }
        }
        CALLS_DONE.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// This process, the server a kind calls (none for the bridge's own), Blender.
    fn pids(&self, kind: Kind) -> [u32; 3] {
        let server = match kind {
            Kind::BridgeExec => None,
            Kind::McpCall(i) | Kind::McpPing(i) => Some(self.servers[i].pid()),
        };
        [std::process::id(), server.unwrap_or(0), self.blender_pid]
    }

    /// Warms every kind up, then times them in `plan.rounds` rounds of one
    /// block each, the order rotated every round.
    fn measure(&mut self, kinds: &[Kind], plan: &Plan) -> Result<Vec<Samples>, Error> {
        // The servers' connections, snippet caches, allocators.
        for &kind in kinds {
            for _ in 0..plan.block.min(200) {
                self.call(kind)?;
            }
        }
        let mut samples: Vec<Samples> = kinds.iter().map(|_| Samples::default()).collect();
        for round in 0..plan.rounds {
            for k in 0..kinds.len() {
                let index = (round + k) % kinds.len();
                self.block(kinds[index], plan.block, &mut samples[index])?;
            }
        }
        Ok(samples)
    }

    /// `n` timed calls of `kind`, and the CPU each process spent on them.
    fn block(&mut self, kind: Kind, n: usize, into: &mut Samples) -> Result<(), Error> {
        let pids = self.pids(kind);
        let before = pids.map(cpu_ns);
        for _ in 0..n {
            let started = Instant::now();
            self.call(kind)?;
            into.latencies.push(started.elapsed());
        }
        for (i, pid) in pids.into_iter().enumerate() {
            into.cpu_ns[i] += cpu_ns(pid).saturating_sub(before[i]);
        }
        Ok(())
    }
}

/// CPU time of a process so far in ns: the sum over its threads of the
/// first field of `/proc/PID/task/TID/schedstat` (0 for `pid` 0, or where
/// unreadable). Clock ticks of `/proc/PID/stat` are 10 ms, more than a whole
/// block of calls costs this client. A thread that ends between two
/// readings takes its time with it; the processes measured keep theirs.
fn cpu_ns(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// p50 and p99 in microseconds, and the CPU per call of each process.
fn summary(mut samples: Samples) -> Value {
    samples.latencies.sort();
    let n = samples.latencies.len();
    let at =
        |p: f64| samples.latencies[((n as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e6;
    let per_call = |ns: u64| ns as f64 / 1e3 / n as f64;
    json!({
        "n": n, "p50_us": at(0.5), "p99_us": at(0.99),
        "cpu_us_per_call": {
            "client": per_call(samples.cpu_ns[0]),
            "server": per_call(samples.cpu_ns[1]),
            "blender": per_call(samples.cpu_ns[2]),
        },
    })
}

fn value_after(args: &[String], flag: &str) -> Option<String> {
    let at = args.iter().position(|a| a == flag)?;
    args.get(at + 1).cloned()
}

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let server_paths: Vec<PathBuf> = args
        .windows(2)
        .filter(|pair| pair[0] == "--server")
        .map(|pair| PathBuf::from(&pair[1]))
        .collect();
    if server_paths.is_empty() {
        return Err(
            "usage: stdio_bench --server PATH/blender-mcp-rs [--server OTHER ...] \
                    [--quick] [--json PATH] [--log PATH]; more than one --server compares \
                    builds in the same run"
                .into(),
        );
    }
    let log = match value_after(&args, "--log") {
        Some(path) => Log {
            path: path.into(),
            chosen: true,
        },
        None => Log {
            path: std::env::temp_dir().join(format!("stdio_bench_{}.log", std::process::id())),
            chosen: false,
        },
    };
    start_watchdog();
    // One worker, as blender-mcp-rs runs a stdio session.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let program = default_program().ok_or("no Blender: set BLENDER_MCP_BLENDER")?;
    let blender = runtime.block_on(LaunchedBlender::launch(LaunchConfig::new(program)))?;
    let client = runtime.block_on(BlenderClient::connect(blender.client_config()))?;
    let mut bench = Bench {
        runtime: &runtime,
        client: &client,
        servers: attach(&server_paths, &blender, &log)?,
        blender_pid: blender.pid(),
    };
    let kinds = Kind::all(server_paths.len());
    let plan = Plan::new(quick);
    let samples = bench.measure(&kinds, &plan)?;
    let mut out = figures(&server_paths, &kinds, samples);
    out["rounds"] = plan.rounds.into();
    out["block"] = plan.block.into();
    out["quick"] = quick.into();
    for server in bench.servers {
        server.close();
    }
    runtime.block_on(blender.shutdown());
    println!("{}", serde_json::to_string_pretty(&out)?);
    if let Some(path) = value_after(&args, "--json") {
        std::fs::write(path, serde_json::to_vec(&out)?)?;
    }
    Ok(())
}

/// Where a server's stderr goes: the `--log` path, or a new file in the
/// temporary folder (never an existing one: a link planted there is refused).
struct Log {
    path: PathBuf,
    chosen: bool,
}

impl Log {
    /// The log of the `index`th server: `.2`, `.3`... added after the first.
    fn nth(&self, index: usize) -> Log {
        let path = match index {
            0 => self.path.clone(),
            _ => PathBuf::from(format!("{}.{}", self.path.display(), index + 1)),
        };
        Log {
            path,
            chosen: self.chosen,
        }
    }

    fn open(&self) -> std::io::Result<std::fs::File> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true);
        if self.chosen {
            options.create(true).truncate(true);
        } else {
            options.create_new(true);
        }
        options.open(&self.path)
    }
}

/// A started, initialised server for each of `paths`, attached to `blender`.
fn attach(
    paths: &[PathBuf],
    blender: &LaunchedBlender,
    log: &Log,
) -> Result<Vec<StdioServer>, Error> {
    let mut servers = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let mut server = StdioServer::spawn(path, blender, &log.nth(i))?;
        server.request(
            "initialize",
            &json!({"protocolVersion": "2025-06-18", "capabilities": {},
                    "clientInfo": {"name": "stdio_bench", "version": "0"}}),
        )?;
        server.notify("notifications/initialized")?;
        servers.push(server);
    }
    Ok(servers)
}

/// The JSON of a run: the bridge's figures, each server's under `servers`,
/// and the first server's at the top level (where bench_mcp.py reads them).
fn figures(server_paths: &[PathBuf], kinds: &[Kind], samples: Vec<Samples>) -> Value {
    let mut out = json!({});
    let mut per_server: Vec<Value> = server_paths
        .iter()
        .map(|path| json!({"server": path}))
        .collect();
    for (&kind, samples) in kinds.iter().zip(samples) {
        match kind {
            Kind::BridgeExec => out[kind.name()] = summary(samples),
            Kind::McpCall(i) | Kind::McpPing(i) => per_server[i][kind.name()] = summary(samples),
        }
    }
    for key in ["mcp_call_no_rollback", "mcp_ping"] {
        out[key] = per_server[0][key].clone();
    }
    out["servers"] = per_server.into();
    out
}
