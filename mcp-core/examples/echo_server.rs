//! A tiny MCP server used by mcp-core's tests and as a usage example.
//!
//! Tools: `echo` (text back), `add` (structured output) and `slow` (reports
//! progress when the request carries a progress token and stops early when the
//! client cancels). Logs go to stderr; in stdio mode stdout is the protocol.
//!
//! ```text
//! cargo run -p mcp-core --example echo_server -- --transport stdio
//! cargo run -p mcp-core --example echo_server -- --transport all --bind 127.0.0.1:8765 --token-file tok
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use mcp_core::http::{HttpConfig, Secret};
use mcp_core::Transport;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::{
    Implementation, ProgressNotificationParam, RequestMetaObject, ResourceUpdatedNotificationParam,
    ServerCapabilities, ServerConfig,
};
use rmcp::{schemars, tool, tool_handler, tool_router, ErrorData, Peer, RoleServer};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

#[derive(Parser, Debug)]
#[command(about = "Echo MCP server for testing mcp-core transports")]
struct Args {
    /// Which transport(s) to serve.
    #[arg(long, default_value = "stdio")]
    transport: Transport,
    /// Address to bind for HTTP transports.
    #[arg(long, default_value = "127.0.0.1:8765")]
    bind: SocketAddr,
    /// File holding the bearer token required on every HTTP request.
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Extra allowed `Origin` values (exact, e.g. `https://app.example`).
    #[arg(long = "allow-origin")]
    allowed_origins: Vec<String>,
    /// Extra allowed `Host` names (without port).
    #[arg(long = "allow-host")]
    allowed_hosts: Vec<String>,
    /// Maximum HTTP request body in bytes.
    #[arg(long)]
    max_body_bytes: Option<usize>,
    /// Longest message (line) accepted on stdin, in bytes.
    #[arg(long)]
    max_message_bytes: Option<usize>,
    /// Permit binding a non-loopback address (a token is still required).
    #[arg(long)]
    allow_non_loopback: bool,
    /// Interval of keep-alive comments on idle SSE streams, in milliseconds.
    #[arg(long)]
    sse_keep_alive_ms: Option<u64>,
    /// Deadline for receiving a whole request body, in milliseconds.
    #[arg(long)]
    body_timeout_ms: Option<u64>,
    /// Deadline for receiving the request headers, in milliseconds.
    #[arg(long)]
    header_timeout_ms: Option<u64>,
    /// Most live Streamable HTTP sessions.
    #[arg(long)]
    max_sessions: Option<usize>,
    /// Idle time after which a Streamable HTTP session closes, in milliseconds.
    #[arg(long)]
    session_idle_ms: Option<u64>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct EchoArgs {
    /// Text to send back.
    text: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct AddArgs {
    a: f64,
    b: f64,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
struct AddOutput {
    sum: f64,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct SlowArgs {
    /// Number of steps; each takes `step_ms` milliseconds.
    steps: u32,
    /// Milliseconds per step (default 100).
    step_ms: Option<u64>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct AnnounceArgs {
    /// How many notifications to send.
    count: u32,
    /// Text that tells this call's notifications apart.
    label: String,
}

#[derive(Clone)]
struct EchoServer {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl EchoServer {
    fn new() -> Self {
        Self {
            tool_router: Self::tool_router(),
        }
    }

    #[tool(description = "Return the given text unchanged")]
    async fn echo(&self, Parameters(args): Parameters<EchoArgs>) -> String {
        args.text
    }

    #[tool(description = "Add two numbers; the result is structured output {sum}")]
    async fn add(&self, Parameters(args): Parameters<AddArgs>) -> Json<AddOutput> {
        Json(AddOutput {
            sum: args.a + args.b,
        })
    }

    #[tool(
        description = "Send `count` resources/updated notifications for echo://{label}/{index}; \
                       they are not tied to this call, so they travel on the standalone GET stream"
    )]
    async fn announce(
        &self,
        Parameters(args): Parameters<AnnounceArgs>,
        peer: Peer<RoleServer>,
    ) -> Result<String, ErrorData> {
        for index in 0..args.count.min(1_000) {
            let uri = format!("echo://{}/{index}", args.label);
            peer.notify_resource_updated(ResourceUpdatedNotificationParam::new(uri))
                .await
                .map_err(|error| ErrorData::internal_error(error.to_string(), None))?;
        }
        Ok(format!("sent {}", args.count))
    }

    #[tool(description = "Sleep for `steps` steps, reporting progress; honours cancellation")]
    async fn slow(
        &self,
        Parameters(args): Parameters<SlowArgs>,
        meta: RequestMetaObject,
        peer: Peer<RoleServer>,
        cancel: CancellationToken,
    ) -> Result<String, ErrorData> {
        if args.steps > 10_000 {
            return Err(ErrorData::invalid_params("steps must be <= 10000", None));
        }
        let step = Duration::from_millis(args.step_ms.unwrap_or(100).min(10_000));
        let token = meta.get_progress_token();
        for done in 1..=args.steps {
            tokio::select! {
                _ = cancel.cancelled() => {
                    tracing::info!(done, "slow tool cancelled");
                    return Err(ErrorData::internal_error("cancelled", None));
                }
                _ = tokio::time::sleep(step) => {}
            }
            if let Some(token) = &token {
                let progress = ProgressNotificationParam::new(token.clone(), f64::from(done))
                    .with_total(f64::from(args.steps))
                    .with_message(format!("step {done}/{}", args.steps));
                if let Err(error) = peer.notify_progress(progress).await {
                    tracing::warn!(%error, "could not send progress");
                }
            }
        }
        Ok(format!("done after {} steps", args.steps))
    }
}

#[tool_handler(router = self.tool_router)]
impl rmcp::ServerHandler for EchoServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(
                "echo-server",
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions("Test server: echo, add, slow, announce.")
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    mcp_core::init_tracing("info");
    let args = Args::parse();
    if args.transport == Transport::Stdio {
        let mut options = mcp_core::StdioOptions::default();
        if let Some(max) = args.max_message_bytes {
            options.max_message_bytes = max;
        }
        return Ok(mcp_core::serve_stdio_with(EchoServer::new(), options).await?);
    }
    let token = match &args.token_file {
        Some(path) => Some(
            Secret::from_file(path)
                .with_context(|| format!("cannot read token file {}", path.display()))?,
        ),
        None => None,
    };
    let mut config = HttpConfig {
        bind: args.bind,
        token,
        allowed_origins: args.allowed_origins,
        allowed_hosts: args.allowed_hosts,
        enable_streamable: args.transport.enables_streamable(),
        enable_sse: args.transport.enables_sse(),
        allow_non_loopback: args.allow_non_loopback,
        ..HttpConfig::default()
    };
    if let Some(max) = args.max_body_bytes {
        config.max_body_bytes = max;
    }
    if let Some(ms) = args.sse_keep_alive_ms {
        config.sse_keep_alive = Duration::from_millis(ms);
    }
    if let Some(max) = args.max_sessions {
        config.max_sessions = max;
    }
    if let Some(ms) = args.session_idle_ms {
        config.session_idle_timeout = Duration::from_millis(ms);
    }
    if let Some(ms) = args.body_timeout_ms {
        config.body_timeout = Duration::from_millis(ms);
    }
    if let Some(ms) = args.header_timeout_ms {
        config.header_read_timeout = Duration::from_millis(ms);
    }
    Ok(mcp_core::http::serve(EchoServer::new, config, mcp_core::shutdown_signal()).await?)
}
