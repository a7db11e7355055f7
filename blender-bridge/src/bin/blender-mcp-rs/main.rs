//! `blender-mcp-rs`: the MCP server binary.
//!
//! Wiring only: parse the configuration, build the Blender clients (which
//! attach to a running Blender or launch one on first use), serve the tools
//! over the chosen transport, and shut launched Blenders down on the way
//! out — whichever way out it is.

mod addon;
mod blenders;
mod cli;
mod farm;
mod large_buffers;

use anyhow::Context;
use blender_bridge::tools::{BlenderTools, Instances, ToolConfig, ToolGroup};
use clap::Parser;
use mcp_core::Transport;

use blenders::Blenders;
use cli::Cli;

fn main() -> anyhow::Result<std::process::ExitCode> {
    large_buffers::return_to_the_system_when_freed();
    let mut cli = Cli::parse();
    mcp_core::init_tracing(&cli.log);
    if let Some(command) = cli.command.take() {
        return addon::run(command);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(worker_threads(cli.transport, cli.blenders.len()))
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let result = runtime.block_on(run(cli));
    // Stdin may still be blocked in a read that cannot be cancelled (a TTY):
    // don't let runtime shutdown wait for it.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    if let Err(error) = &result {
        tracing::error!("{error:#}");
    }
    result.map(|()| std::process::ExitCode::SUCCESS)
}

/// One worker for a stdio session that drives one Blender, two otherwise.
/// The server mostly waits on Blender, and the machines it runs on
/// (laptops, 2-core CI) gain nothing from more.
///
/// A stdio session is one client, and one Blender's main thread runs its
/// calls one at a time: a second worker mostly woke to find nothing to
/// steal, a futex round per request. Measured on 2 cores in five
/// interleaved runs (stdio_bench, compiled client, docs/BENCHMARKS.md),
/// one worker answered tools/call 11-33 µs sooner and ping in 12-13 µs
/// instead of 23-25 µs. The price: while the worker does a call's CPU work
/// (parsing and relaying a reply: tens of ms for 16 MiB), the session's
/// next message waits. Several Blenders (`--blender`) can each be
/// answering at once, and HTTP serves many sessions: both keep two.
fn worker_threads(transport: Transport, blenders: usize) -> usize {
    match transport {
        Transport::Stdio if blenders <= 1 => 1,
        Transport::Stdio | Transport::Http | Transport::Sse | Transport::HttpAndSse => 2,
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let blenders = Blenders::from_cli(&cli)?;
    let served = serve(&cli, blenders.instances.clone()).await;
    blenders.shutdown().await;
    served
}

async fn serve(cli: &Cli, instances: Instances) -> anyhow::Result<()> {
    let mut file_config = ToolConfig::new(cli.output_dir.clone(), cli.allow_roots.clone());
    file_config.exec_timeout = std::time::Duration::from_secs(cli.exec_timeout.max(1));
    file_config.confirm = blender_bridge::tools::ConfirmSettings {
        enabled: !cli.no_confirm,
        delete_over: cli.confirm_delete_over,
    };
    file_config.farm = farm::from_cli(cli)?;
    let mut tools =
        BlenderTools::with_instances(instances, file_config).with_tasks(cli.task_settings());
    let groups = ToolGroup::parse_set(&cli.tools).map_err(|e| anyhow::anyhow!("--tools: {e}"))?;
    tools = tools.with_tool_groups(groups);
    if cli.read_only {
        tools = tools.read_only();
    }
    match cli.transport {
        Transport::Stdio => Ok(mcp_core::serve_stdio(tools).await?),
        transport => {
            let mut config = mcp_core::http::HttpConfig {
                bind: cli.bind,
                allow_non_loopback: cli.allow_non_loopback,
                max_sessions: cli.max_sessions,
                session_idle_timeout: std::time::Duration::from_secs(cli.session_idle_timeout),
                ..Default::default()
            };
            config.enable_streamable = transport.enables_streamable();
            config.enable_sse = transport.enables_sse();
            config
                .allowed_origins
                .extend(cli.allowed_origins.iter().cloned());
            if let Some(path) = &cli.http_token_file {
                config.token = Some(mcp_core::http::Secret::from_file(path)?);
            }
            let factory = move || tools.clone();
            Ok(mcp_core::http::serve(factory, config, mcp_core::shutdown_signal()).await?)
        }
    }
}
