//! `blender-mcp-rs`: the MCP server binary.
//!
//! Wiring only: parse the configuration, build one [`BlenderClient`] (which
//! attaches to a running Blender or launches one on first use), serve the
//! tools over the chosen transport, and shut a launched Blender down on the
//! way out — whichever way out it is.

mod cli;

use std::sync::Arc;

use anyhow::Context;
use blender_bridge::attach::AttachOrLaunch;
use blender_bridge::launcher::{self, LaunchConfig, LaunchingConnector};
use blender_bridge::tools::{BlenderTools, ToolConfig};
use blender_bridge::{BlenderClient, ClientConfig, Connector, Endpoint};
use clap::Parser;
use mcp_core::Transport;

use cli::Cli;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    mcp_core::init_tracing(&cli.log);
    // Two worker threads: the server mostly waits on Blender, and the
    // machines it runs on (laptops, 2-core CI) gain nothing from more.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
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
    result
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let launcher = launching_connector(&cli);
    let endpoint = Endpoint::new(cli.host.clone(), cli.port);
    let connector = Arc::new(AttachOrLaunch::new(
        endpoint,
        launcher.clone().map(|l| l as Arc<dyn Connector>),
    ));

    let mut config = ClientConfig::new(cli.host.clone(), cli.port);
    config.token = cli.token.clone().filter(|t| !t.is_empty());
    config.token_file = cli.token_file.clone();
    config.request_timeout = cli.request_timeout();
    let client = BlenderClient::with_connector(connector, config);

    let served = serve(&cli, client.clone()).await;

    if let Some(launcher) = launcher {
        launcher.shutdown().await;
    }
    served
}

/// The launcher used when no Blender answers, unless `--no-launch`.
fn launching_connector(cli: &Cli) -> Option<Arc<LaunchingConnector>> {
    if cli.no_launch {
        return None;
    }
    // With nothing found, "blender" still goes in: the launch then fails
    // with a message naming what was looked for, on the first tool call.
    let program = cli
        .blender
        .clone()
        .filter(|p| !p.as_os_str().is_empty())
        .or_else(launcher::default_program)
        .unwrap_or_else(|| "blender".into());
    let mut config = LaunchConfig::new(program);
    config.startup_timeout = cli.launch_timeout();
    config.log_file = cli.blender_log.clone();
    Some(Arc::new(LaunchingConnector::new(config)))
}

async fn serve(cli: &Cli, client: BlenderClient) -> anyhow::Result<()> {
    let mut file_config = ToolConfig::new(cli.output_dir.clone(), cli.allow_roots.clone());
    file_config.exec_timeout = std::time::Duration::from_secs(cli.exec_timeout.max(1));
    let mut tools = BlenderTools::with_config(client, file_config);
    if cli.read_only {
        tools = tools.read_only();
    }
    match cli.transport {
        Transport::Stdio => mcp_core::serve_stdio(tools).await,
        transport => {
            let mut config = mcp_core::http::HttpConfig {
                bind: cli.bind,
                allow_non_loopback: cli.allow_non_loopback,
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
            mcp_core::http::serve(factory, config, mcp_core::shutdown_signal()).await
        }
    }
}
