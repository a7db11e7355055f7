//! Bridge latency benchmark against a real addon.
//!
//! ```text
//! cargo run --release -p blender-bridge --example bridge_bench [-- CALLS]
//! ```
//!
//! Launches the default program (see `launcher::default_program`, normally the
//! bpy venv, i.e. module mode), then measures sequential round trips of `ping`
//! and of `exec` of `None`, a 16 MiB reply, and 200 concurrent execs.
//! Output goes to stdout; Blender's own output to stderr.

use std::time::{Duration, Instant};

use serde_json::Value;

use blender_bridge::launcher::{default_program, LaunchConfig, LaunchedBlender};
use blender_bridge::BlenderClient;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{name:<28} n={:<5} p50={:>8.1?} p99={:>8.1?} min={:>8.1?} max={:>8.1?}",
        samples.len(),
        percentile(&samples, 0.50),
        percentile(&samples, 0.99),
        samples[0],
        samples[samples.len() - 1],
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let calls: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(2000);
    // Two workers, as the blender-mcp-rs binary uses.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let program = default_program().ok_or("no Blender: set BLENDER_MCP_BLENDER")?;
        let blender = LaunchedBlender::launch(LaunchConfig::new(program)).await?;
        let client = BlenderClient::connect(blender.client_config()).await?;
        let info = client.server_info().await.unwrap_or_else(|| unreachable!());
        println!(
            "addon {} in Blender {} ({} mode), {calls} calls each",
            info.addon_version, info.blender_version, info.mode
        );

        for _ in 0..200 {
            client.ping().await?;
        }
        let mut samples = Vec::with_capacity(calls);
        for _ in 0..calls {
            let started = Instant::now();
            client.ping().await?;
            samples.push(started.elapsed());
        }
        report("ping", samples);

        let mut samples = Vec::with_capacity(calls);
        for _ in 0..calls {
            let started = Instant::now();
            client.exec("None", Value::Null).await?;
            samples.push(started.elapsed());
        }
        report("exec None", samples);

        let mut samples = Vec::new();
        for _ in 0..10 {
            let started = Instant::now();
            let out = client
                .exec("result = 'x' * (16 * 1024 * 1024)", Value::Null)
                .await?;
            samples.push(started.elapsed());
            assert_eq!(out.value.as_str().map(str::len), Some(16 * 1024 * 1024));
        }
        report("exec 16 MiB reply", samples);

        let started = Instant::now();
        let burst = (0..200).map(|_| client.exec("None", Value::Null));
        for result in futures::future::join_all(burst).await {
            result?;
        }
        let elapsed = started.elapsed();
        println!(
            "200 concurrent exec None      total={elapsed:.1?} ({:.1?} per call)",
            elapsed / 200
        );

        blender.shutdown().await;
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}
