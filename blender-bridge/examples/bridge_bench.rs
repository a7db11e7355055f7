//! Bridge benchmarks against a real headless Blender (part of `scripts/bench.sh`).
//!
//! ```text
//! cargo run --release -p blender-bridge --example bridge_bench [-- --quick] [--json PATH]
//! ```
//!
//! Launches the default program (see `launcher::default_program`, normally
//! the bpy venv, i.e. module mode) and measures: sequential `ping` and
//! `exec None` round trips, throughput with 16 requests in flight, 1/4/16 MiB
//! replies, and the CPU an idle Blender with the addon uses. Prints a human
//! summary; `--json` also writes the figures for the suite's table. Nothing
//! is asserted: figures are compared with their targets in docs/BENCHMARKS.md.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use blender_bridge::launcher::{default_program, LaunchConfig, LaunchedBlender};
use blender_bridge::BlenderClient;

/// How much work each measurement does.
struct Plan {
    round_trips: usize,
    in_flight_ops: usize,
    reply_repeats: usize,
    idle_seconds: u64,
}

impl Plan {
    fn new(quick: bool) -> Self {
        if quick {
            Plan {
                round_trips: 50,
                in_flight_ops: 400,
                reply_repeats: 1,
                idle_seconds: 1,
            }
        } else {
            Plan {
                round_trips: 5000,
                in_flight_ops: 40_000,
                reply_repeats: 10,
                idle_seconds: 10,
            }
        }
    }
}

/// p50 and p99 of `samples`, in microseconds.
fn percentiles(mut samples: Vec<Duration>) -> Value {
    samples.sort();
    let at = |p: f64| {
        let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
        samples[index].as_secs_f64() * 1e6
    };
    json!({"n": samples.len(), "p50_us": at(0.50), "p99_us": at(0.99)})
}

async fn round_trips<F, Fut>(n: usize, mut call: F) -> Result<Value, Box<dyn std::error::Error>>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), blender_bridge::BridgeError>>,
{
    for _ in 0..n.min(200) {
        call().await?; // warm-up: snippet caches, allocator, TCP window
    }
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        call().await?;
        samples.push(started.elapsed());
    }
    Ok(percentiles(samples))
}

/// Ops per second with `in_flight` callers sharing one connection.
async fn throughput(
    client: &BlenderClient,
    ops: usize,
    in_flight: usize,
    exec: bool,
) -> Result<f64, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let workers = (0..in_flight).map(|_| {
        let client = client.clone();
        async move {
            for _ in 0..ops / in_flight {
                if exec {
                    client.exec("None", Value::Null).await?;
                } else {
                    client.ping().await?;
                }
            }
            Ok::<_, blender_bridge::BridgeError>(())
        }
    });
    for result in futures::future::join_all(workers).await {
        result?;
    }
    Ok((ops / in_flight * in_flight) as f64 / started.elapsed().as_secs_f64())
}

/// utime + stime of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let json_path = args
        .iter()
        .position(|a| a == "--json")
        .and_then(|i| args.get(i + 1).cloned());
    let plan = Plan::new(quick);
    // Two workers, as blender-mcp-rs runs an HTTP server (a stdio session
    // has one: stdio_bench measures that).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let program = default_program().ok_or("no Blender: set BLENDER_MCP_BLENDER")?;
        let blender = LaunchedBlender::launch(LaunchConfig::new(program)).await?;
        let client = BlenderClient::connect(blender.client_config()).await?;
        let info = client.server_info().await.ok_or("no hello")?;
        eprintln!(
            "addon {} in Blender {} ({} mode)",
            info.addon_version, info.blender_version, info.mode
        );
        let mut out = json!({"blender": info.blender_version, "mode": info.mode, "quick": quick});

        out["ping"] =
            round_trips(plan.round_trips, || async { client.ping().await.map(drop) }).await?;
        out["exec_none"] = round_trips(plan.round_trips, || async {
            client.exec("None", Value::Null).await.map(drop)
        })
        .await?;
        out["in_flight_16_ping_ops_s"] = throughput(&client, plan.in_flight_ops, 16, false)
            .await?
            .into();
        out["in_flight_16_exec_ops_s"] = throughput(&client, plan.in_flight_ops, 16, true)
            .await?
            .into();

        for mib in [1usize, 4, 16] {
            let mut samples = Vec::new();
            for _ in 0..plan.reply_repeats {
                let started = Instant::now();
                let reply = client
                    .exec("result = 'x' * args['n']", json!({"n": mib << 20}))
                    .await?;
                samples.push(started.elapsed());
                assert_eq!(reply.value.as_str().map(str::len), Some(mib << 20));
            }
            out[format!("reply_{mib}_mib")] = percentiles(samples);
        }

        // Idle: connected, nothing asked. The addon must block, not poll.
        let before = cpu_ticks(blender.pid()).ok_or("no /proc stat for Blender")?;
        let started = Instant::now();
        tokio::time::sleep(Duration::from_secs(plan.idle_seconds)).await;
        let ticks = cpu_ticks(blender.pid()).ok_or("no /proc stat for Blender")? - before;
        // Linux reports in USER_HZ, 100 per second on every mainstream configuration.
        let busy = ticks as f64 / 100.0;
        out["blender_idle_cpu_percent"] = (100.0 * busy / started.elapsed().as_secs_f64()).into();

        blender.shutdown().await;
        println!("{}", serde_json::to_string_pretty(&out)?);
        if let Some(path) = json_path {
            std::fs::write(path, serde_json::to_vec(&out)?)?;
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}
