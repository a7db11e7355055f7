//! Which Blenders the server drives, from the command line.
//!
//! Without `--blender`, one instance named `default`: the Blender at
//! --host/--port if one answers, else one launched on first use. With
//! `--blender NAME=HOST:PORT` or `--blender NAME=launch` (repeatable), exactly
//! those, the first being the default.

use std::str::FromStr;
use std::sync::Arc;

use blender_bridge::attach::AttachOrLaunch;
use blender_bridge::launcher::{self, LaunchConfig, LaunchingConnector};
use blender_bridge::tools::Instances;
use blender_bridge::{BlenderClient, ClientConfig, Connector, Endpoint};

use crate::cli::Cli;

/// One `--blender` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceSpec {
    /// The name tools take as `instance`.
    pub name: String,
    /// Where that Blender is.
    pub source: Source,
}

/// Where an instance's Blender comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A running Blender with the addon at this address.
    Address(Endpoint),
    /// A private headless Blender launched on first use.
    Launch,
}

impl FromStr for InstanceSpec {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        let usage = "expected NAME=HOST:PORT or NAME=launch (e.g. --blender studio=127.0.0.1:9876)";
        let (name, target) = value.split_once('=').ok_or(usage)?;
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!(
                "instance name {name:?} must be letters, digits, - or _; {usage}"
            ));
        }
        let source = if target == "launch" {
            Source::Launch
        } else {
            let (host, port) = target.rsplit_once(':').ok_or(usage)?;
            let host = host.trim_start_matches('[').trim_end_matches(']');
            let port = port
                .parse()
                .map_err(|_| format!("bad port in {target:?}; {usage}"))?;
            if host.is_empty() {
                return Err(usage.to_owned());
            }
            Source::Address(Endpoint::new(host, port))
        };
        Ok(Self {
            name: name.to_owned(),
            source,
        })
    }
}

/// The instances, and the launchers whose Blenders must be shut down at exit.
pub struct Blenders {
    pub instances: Instances,
    pub launchers: Vec<Arc<LaunchingConnector>>,
}

impl Blenders {
    /// Builds every instance the command line asks for.
    pub fn from_cli(cli: &Cli) -> anyhow::Result<Self> {
        let mut launchers = Vec::new();
        let mut named = Vec::new();
        if cli.blenders.is_empty() {
            let fallback = (!cli.no_launch).then(|| launching_connector(cli));
            launchers.extend(fallback.clone());
            let connector = AttachOrLaunch::new(
                Endpoint::new(cli.host.clone(), cli.port),
                fallback.map(|l| l as Arc<dyn Connector>),
            );
            let client = BlenderClient::with_connector(
                Arc::new(connector),
                client_config(cli, &cli.host, cli.port),
            );
            named.push(("default".to_owned(), client));
        }
        for spec in &cli.blenders {
            let client = match &spec.source {
                Source::Address(endpoint) => {
                    BlenderClient::new(client_config(cli, &endpoint.host, endpoint.port))
                }
                Source::Launch => {
                    let launcher = launching_connector(cli);
                    launchers.push(launcher.clone());
                    BlenderClient::with_connector(launcher, client_config(cli, "127.0.0.1", 0))
                }
            };
            named.push((spec.name.clone(), client));
        }
        let instances = Instances::new(named)
            .ok_or_else(|| anyhow::anyhow!("each --blender needs a different NAME"))?;
        Ok(Self {
            instances,
            launchers,
        })
    }

    /// Shuts down every Blender this server launched.
    pub async fn shutdown(self) {
        futures::future::join_all(self.launchers.iter().map(|l| l.shutdown())).await;
    }
}

fn client_config(cli: &Cli, host: &str, port: u16) -> ClientConfig {
    let mut config = ClientConfig::new(host, port);
    config.token = cli.token.clone().filter(|t| !t.is_empty());
    config.token_file = cli.token_file.clone();
    config.request_timeout = cli.request_timeout();
    config
}

/// A launcher for one private headless Blender.
fn launching_connector(cli: &Cli) -> Arc<LaunchingConnector> {
    // With nothing found, "blender" still goes in: the launch then fails
    // with a message naming what was looked for, on the first tool call.
    let program = cli
        .blender_program
        .clone()
        .filter(|p| !p.as_os_str().is_empty())
        .or_else(launcher::default_program)
        .unwrap_or_else(|| "blender".into());
    let mut config = LaunchConfig::new(program);
    config.startup_timeout = cli.launch_timeout();
    config.log_file = cli.blender_log.clone();
    Arc::new(LaunchingConnector::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_addresses_and_launch() {
        let spec: InstanceSpec = "studio=127.0.0.1:9876".parse().unwrap();
        assert_eq!(spec.name, "studio");
        assert_eq!(
            spec.source,
            Source::Address(Endpoint::new("127.0.0.1", 9876))
        );
        let spec: InstanceSpec = "v6=[::1]:9000".parse().unwrap();
        assert_eq!(spec.source, Source::Address(Endpoint::new("::1", 9000)));
        assert_eq!(
            "b=launch".parse::<InstanceSpec>().unwrap().source,
            Source::Launch
        );
    }

    #[test]
    fn refuses_malformed_values() {
        for bad in [
            "",
            "noequals",
            "=launch",
            "a b=launch",
            "a=host",
            "a=host:notaport",
            "a=:9876",
            "a=host:70000",
        ] {
            assert!(bad.parse::<InstanceSpec>().is_err(), "{bad}");
        }
    }
}
