//! Serving the Blender tools over HTTP from a program's own axum app, under
//! a path of its choosing (`/studio/blender/mcp`), next to its own routes.
//!
//! Run: `cargo run --example http_embed -- [--bind 127.0.0.1:8780]`
//! It prints `LISTENING <url>` once the port is bound.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::routing::get;
use axum::Router;
use blender_bridge::launcher::{default_program, LaunchConfig, LaunchingConnector};
use blender_bridge::tools::BlenderTools;
use blender_bridge::{BlenderClient, ClientConfig};
use mcp_core::http::HttpConfig;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    mcp_core::init_tracing("warn");
    let bind: SocketAddr = match std::env::args().skip_while(|a| a != "--bind").nth(1) {
        Some(addr) => addr.parse().context("--bind takes HOST:PORT")?,
        None => "127.0.0.1:8780".parse()?,
    };

    // This program owns its Blender: launched on first use, shut down at exit.
    let program = default_program().context("no Blender found: run scripts/setup.sh")?;
    let launcher = Arc::new(LaunchingConnector::new(LaunchConfig::new(program)));
    let client = BlenderClient::with_connector(launcher.clone(), ClientConfig::new("127.0.0.1", 0));
    let tools = BlenderTools::new(client);

    let listener = tokio::net::TcpListener::bind(bind).await?;
    let bound = listener.local_addr()?;
    // The Host check needs the real address when port 0 was asked for.
    let config = HttpConfig {
        bind: bound,
        ..Default::default()
    };
    let shutdown = config.shutdown.clone();
    let mcp = mcp_core::http::router(move || tools.clone(), &config)?;
    let app = Router::new()
        .route("/studio/health", get(|| async { "ok" }))
        .nest("/studio/blender", mcp);

    println!("LISTENING http://{bound}/studio/blender/mcp");
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            mcp_core::shutdown_signal().await;
            shutdown.cancel();
        })
        .await?;
    launcher.shutdown().await;
    Ok(())
}
