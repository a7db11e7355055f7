//! The pure function from a [`Config`] to Docker's container-create request.
//!
//! Pure so that every field envmgr sends can be unit-tested without a daemon; the integration
//! tests then check that Docker honours them (tests/security.rs).

use std::collections::HashMap;

use bollard::models::{ContainerCreateBody, DeviceRequest, HostConfig, PortBinding};

use crate::agent_mount;
use crate::config::Config;
use crate::gpu;
use crate::labels;
use crate::security::{OptIn, CONTAINER_USER};

/// How the container's main process talks to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunMode {
    /// `daemon`: no stdin, the image's own command (the services).
    Detached,
    /// `start`: stdin open and attached; `tty` when the user's stdin is a terminal; `command`
    /// replaces the image's CMD (the entrypoint still starts the services first).
    Interactive {
        /// Allocate a TTY.
        tty: bool,
        /// Replaces the image's CMD; empty keeps it.
        command: Vec<String>,
    },
}

/// Where the SSH agent socket appears in the container (with the `ssh-agent` opt-in).
pub const SSH_AGENT_TARGET: &str = "/run/host-ssh-agent.sock";

/// Builds the create request. `gpus` is the device request already resolved against the
/// daemon (`None`: no GPUs).
pub fn container_create_request(
    config: &Config,
    gpus: Option<&DeviceRequest>,
    mode: &RunMode,
) -> ContainerCreateBody {
    let security = &config.security;
    let host_ip = security.publish_host_ip();

    let exposed_ports: Vec<String> = config
        .ports
        .iter()
        .map(|p| format!("{}/tcp", p.container))
        .collect();
    let port_bindings = config
        .ports
        .iter()
        .map(|p| {
            let binding = PortBinding {
                host_ip: Some(host_ip.to_string()),
                host_port: Some(p.host.map(|h| h.to_string()).unwrap_or_default()),
            };
            (format!("{}/tcp", p.container), Some(vec![binding]))
        })
        .collect();

    let mut binds = agent_mount::binds(&config.project_dir, config.external_dir.as_deref());
    let mut env = config.env.to_container_env();
    if security.has(&OptIn::MountSshKeys) {
        if let Some(ssh) = &config.ssh_dir {
            binds.push(format!("{}:/home/dev/.ssh:ro", ssh.display()));
        }
    }
    if security.has(&OptIn::SshAgent) {
        if let Some(sock) = &config.ssh_auth_sock {
            binds.push(format!("{}:{SSH_AGENT_TARGET}", sock.display()));
            env.push(format!("SSH_AUTH_SOCK={SSH_AGENT_TARGET}"));
        }
    }

    let mut labels: HashMap<String, String> = security.labels();
    labels.insert(labels::MANAGED.into(), "true".into());
    labels.insert(
        labels::PROJECT.into(),
        config.project_dir.display().to_string(),
    );
    labels.insert(labels::GPUS.into(), gpu::describe(gpus));

    let cap_add = security.cap_add();
    let host_config = HostConfig {
        cap_drop: Some(vec!["ALL".into()]),
        cap_add: (!cap_add.is_empty()).then_some(cap_add),
        security_opt: Some(security.security_opt()),
        privileged: Some(security.privileged()),
        init: Some(true),
        nano_cpus: Some(config.limits.nano_cpus),
        memory: Some(config.limits.memory_bytes),
        pids_limit: Some(config.limits.pids),
        port_bindings: Some(port_bindings),
        binds: Some(binds),
        device_requests: gpus.map(|r| vec![r.clone()]),
        ..Default::default()
    };

    let (tty, open_stdin, cmd) = match mode {
        RunMode::Detached => (false, false, None),
        RunMode::Interactive { tty, command } => {
            (*tty, true, (!command.is_empty()).then(|| command.clone()))
        }
    };

    ContainerCreateBody {
        image: Some(config.image.clone()),
        user: Some(CONTAINER_USER.into()),
        env: Some(env),
        cmd,
        tty: Some(tty),
        open_stdin: Some(open_stdin),
        stdin_once: Some(open_stdin),
        attach_stdin: Some(open_stdin),
        attach_stdout: Some(open_stdin),
        attach_stderr: Some(open_stdin),
        exposed_ports: Some(exposed_ports),
        labels: Some(labels),
        host_config: Some(host_config),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::PortMapping;
    use crate::dotenv::DotEnv;
    use crate::gpu::GpuMode;
    use crate::limits::ResourceLimits;
    use crate::security::{OptIn, SecurityProfile};
    use std::path::{Path, PathBuf};

    fn config() -> Config {
        let mut c = Config::new(Path::new("/proj"));
        c.image = "img:1".into();
        c.env = DotEnv::parse("ANTHROPIC_API_KEY=sk-1\n", Path::new(".env")).unwrap();
        c.limits = ResourceLimits {
            nano_cpus: 2_000_000_000,
            memory_bytes: 1 << 30,
            pids: 512,
        };
        c
    }

    fn host(body: &ContainerCreateBody) -> &HostConfig {
        body.host_config.as_ref().unwrap()
    }

    #[test]
    fn default_request_is_hardened() {
        let body = container_create_request(&config(), None, &RunMode::Detached);
        assert_eq!(body.image.as_deref(), Some("img:1"));
        assert_eq!(body.user.as_deref(), Some("1000:1000"));
        assert_eq!(
            body.env.as_deref(),
            Some(&["ANTHROPIC_API_KEY=sk-1".to_string()][..])
        );
        assert_eq!(body.cmd, None);
        assert_eq!((body.tty, body.open_stdin), (Some(false), Some(false)));
        let h = host(&body);
        assert_eq!(h.cap_drop.as_deref(), Some(&["ALL".to_string()][..]));
        assert_eq!(h.cap_add, None);
        assert_eq!(
            h.security_opt.as_deref(),
            Some(&["no-new-privileges=true".to_string()][..])
        );
        assert_eq!(h.privileged, Some(false));
        assert_eq!(h.init, Some(true));
        assert_eq!(h.nano_cpus, Some(2_000_000_000));
        assert_eq!(h.memory, Some(1 << 30));
        assert_eq!(h.pids_limit, Some(512));
        assert_eq!(h.device_requests, None);
        assert_eq!(h.network_mode, None);
        // No Docker socket, ever.
        assert!(h
            .binds
            .as_ref()
            .unwrap()
            .iter()
            .all(|b| !b.contains("docker.sock")));
    }

    #[test]
    fn ports_are_loopback_only_by_default() {
        let mut c = config();
        c.ports = vec![
            PortMapping {
                host: Some(9876),
                container: 9876,
            },
            PortMapping {
                host: None,
                container: 8080,
            },
        ];
        let body = container_create_request(&c, None, &RunMode::Detached);
        let mut exposed = body.exposed_ports.clone().unwrap();
        exposed.sort();
        assert_eq!(exposed, ["8080/tcp", "9876/tcp"]);
        let bindings = host(&body).port_bindings.as_ref().unwrap();
        let b = &bindings["9876/tcp"].as_ref().unwrap()[0];
        assert_eq!(
            (b.host_ip.as_deref(), b.host_port.as_deref()),
            (Some("127.0.0.1"), Some("9876"))
        );
        let b = &bindings["8080/tcp"].as_ref().unwrap()[0];
        assert_eq!(
            (b.host_ip.as_deref(), b.host_port.as_deref()),
            (Some("127.0.0.1"), Some(""))
        );

        c.security.opt_ins.push(OptIn::PublishAllInterfaces);
        let body = container_create_request(&c, None, &RunMode::Detached);
        let b = &host(&body).port_bindings.as_ref().unwrap()["9876/tcp"]
            .as_ref()
            .unwrap()[0];
        assert_eq!(b.host_ip.as_deref(), Some("0.0.0.0"));
    }

    #[test]
    fn mounts_cover_agent_mount_and_external_dir() {
        let mut c = config();
        let binds = host(&container_create_request(&c, None, &RunMode::Detached))
            .binds
            .clone()
            .unwrap();
        for expected in [
            "/proj/.agent-mount/docker_analysis:/workspace/analysis",
            "/proj/.agent-mount/docker_data:/workspace/data",
            "/proj/.agent-mount/docker_data/claude-flow:/home/dev/.claude-flow",
            "/proj/.agent-mount/docker_logs:/workspace/logs",
            "/proj/.agent-mount/docker_output:/workspace/output",
            "/proj/.agent-mount/docker_workspace:/workspace/work",
            "/proj/.agent-mount/ext:/workspace/ext",
        ] {
            assert!(
                binds.contains(&expected.to_string()),
                "{expected} missing from {binds:?}"
            );
        }
        c.external_dir = Some(PathBuf::from("/src/game"));
        let binds = host(&container_create_request(&c, None, &RunMode::Detached))
            .binds
            .clone()
            .unwrap();
        assert!(binds.contains(&"/src/game:/workspace/ext".to_string()));
    }

    #[test]
    fn ssh_is_mounted_only_when_asked_and_read_only() {
        let mut c = config();
        c.ssh_dir = Some(PathBuf::from("/home/me/.ssh"));
        c.ssh_auth_sock = Some(PathBuf::from("/tmp/agent.sock"));
        let binds = host(&container_create_request(&c, None, &RunMode::Detached))
            .binds
            .clone()
            .unwrap();
        assert!(binds
            .iter()
            .all(|b| !b.contains(".ssh") && !b.contains("agent.sock")));

        c.security.opt_ins = vec![OptIn::MountSshKeys, OptIn::SshAgent];
        let body = container_create_request(&c, None, &RunMode::Detached);
        let binds = host(&body).binds.clone().unwrap();
        assert!(binds.contains(&"/home/me/.ssh:/home/dev/.ssh:ro".to_string()));
        assert!(binds.contains(&format!("/tmp/agent.sock:{SSH_AGENT_TARGET}")));
        assert!(body
            .env
            .unwrap()
            .contains(&format!("SSH_AUTH_SOCK={SSH_AGENT_TARGET}")));
    }

    #[test]
    fn opt_ins_reach_host_config_and_labels() {
        let mut c = config();
        c.security = SecurityProfile {
            opt_ins: vec![
                OptIn::AddCapabilities(vec!["SYS_PTRACE".into()]),
                OptIn::DockerInDocker,
                OptIn::SeccompUnconfined,
            ],
        };
        let body = container_create_request(&c, None, &RunMode::Detached);
        let h = host(&body);
        assert_eq!(h.cap_add.as_deref(), Some(&["SYS_PTRACE".to_string()][..]));
        assert_eq!(h.privileged, Some(true));
        assert!(h
            .security_opt
            .as_ref()
            .unwrap()
            .contains(&"seccomp=unconfined".to_string()));
        let labels = body.labels.unwrap();
        assert_eq!(labels["io.blender-mcp-rs.envmgr.managed"], "true");
        assert_eq!(labels["io.blender-mcp-rs.envmgr.project"], "/proj");
        assert_eq!(labels["io.blender-mcp-rs.envmgr.gpus"], "none");
        for name in ["cap-add", "docker-in-docker", "seccomp-unconfined"] {
            assert!(labels.contains_key(&format!("io.blender-mcp-rs.envmgr.opt-in.{name}")));
        }
        assert!(!labels.keys().any(|k| k.ends_with("publish-all-interfaces")));
    }

    #[test]
    fn gpu_request_is_passed_through_and_labelled() {
        let req = GpuMode::All.explicit_request().unwrap();
        let body = container_create_request(&config(), Some(&req), &RunMode::Detached);
        let dr = host(&body).device_requests.clone().unwrap();
        assert_eq!(dr.len(), 1);
        assert_eq!(dr[0].count, Some(-1));
        assert_eq!(dr[0].capabilities, Some(vec![vec!["gpu".to_string()]]));
        assert_eq!(body.labels.unwrap()["io.blender-mcp-rs.envmgr.gpus"], "all");
    }

    #[test]
    fn interactive_mode_opens_stdin_and_replaces_cmd() {
        let mode = RunMode::Interactive {
            tty: true,
            command: vec!["bash".into()],
        };
        let body = container_create_request(&config(), None, &mode);
        assert_eq!(
            (body.tty, body.open_stdin, body.stdin_once),
            (Some(true), Some(true), Some(true))
        );
        assert_eq!(body.attach_stdout, Some(true));
        assert_eq!(body.cmd, Some(vec!["bash".to_string()]));
        let mode = RunMode::Interactive {
            tty: false,
            command: vec![],
        };
        let body = container_create_request(&config(), None, &mode);
        assert_eq!((body.tty, body.cmd), (Some(false), None));
    }
}
