//! The container's security profile: safe by default, each loosening an explicit named opt-in.
//!
//! Default profile (no opt-in): every capability dropped, `no-new-privileges`, Docker's default
//! seccomp and AppArmor profiles, the non-root `dev` user (1000:1000), `--init`, CPU / memory /
//! pids limits, ports published on 127.0.0.1 only, no Docker socket, no SSH keys.
//!
//! What each opt-in really grants, verified on Engine 20.10 (see tests/security.rs):
//! - `--cap-add CAP`: with the container's user `dev` (non-root) an added capability reaches only
//!   the *bounding* set, never the effective or permitted sets, so no process can use it: not the
//!   `dev` user's, not a setuid or file-capability binary (`no-new-privileges`), and not even
//!   `envmgr exec --user root` (Engine 20.10 computes an exec's capabilities for the container's
//!   configured user). It would only take effect in a container whose main user is root, which
//!   envmgr does not create. This is why the original powerdev.sh cap-add list did nothing for its
//!   `dev` user. It is kept as an explicit, labelled opt-in for images that drop to `dev` later.
//! - `--docker-in-docker`: privileged mode — all capabilities in the bounding set, all host
//!   devices, no seccomp/AppArmor confinement. Effectively root on the host for root in the
//!   container. Needed only to run a Docker engine inside.
//! - `--seccomp-unconfined`: every system call allowed (e.g. `ptrace` of other processes, `unshare`,
//!   `keyctl`), still bounded by capabilities.
//! - `--apparmor-unconfined`: no AppArmor profile (no effect on hosts without AppArmor).
//! - `--publish-all-interfaces`: ports published on 0.0.0.0, reachable from the network, not only
//!   from this machine. The bridge is token-protected, but the token then crosses the network in
//!   clear text.
//! - `--mount-ssh-keys`: `~/.ssh` mounted read-only at `/home/dev/.ssh`: code in the container can
//!   read the private keys. Prefer `--ssh-agent`.
//! - `--ssh-agent`: the host's `$SSH_AUTH_SOCK` mounted into the container: code in the container
//!   can ask the agent to sign while the container runs, but cannot copy the keys.

use std::collections::HashMap;

use crate::labels;

/// One named loosening of the default profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptIn {
    /// Capabilities added to the bounding set (names without `CAP_`, upper case).
    AddCapabilities(Vec<String>),
    /// `--docker-in-docker`: privileged mode.
    DockerInDocker,
    /// `--seccomp-unconfined`: every system call allowed.
    SeccompUnconfined,
    /// `--apparmor-unconfined`: no AppArmor profile.
    ApparmorUnconfined,
    /// `--publish-all-interfaces`: ports on 0.0.0.0.
    PublishAllInterfaces,
    /// `--mount-ssh-keys`: `~/.ssh` mounted read-only.
    MountSshKeys,
    /// `--ssh-agent`: the host's agent socket mounted.
    SshAgent,
}

impl OptIn {
    /// The opt-in's name: the CLI flag without dashes and the label suffix.
    pub fn name(&self) -> &'static str {
        match self {
            OptIn::AddCapabilities(_) => "cap-add",
            OptIn::DockerInDocker => "docker-in-docker",
            OptIn::SeccompUnconfined => "seccomp-unconfined",
            OptIn::ApparmorUnconfined => "apparmor-unconfined",
            OptIn::PublishAllInterfaces => "publish-all-interfaces",
            OptIn::MountSshKeys => "mount-ssh-keys",
            OptIn::SshAgent => "ssh-agent",
        }
    }

    /// What the opt-in grants, in a few words (the label's value, shown by `status`).
    pub fn grants(&self) -> String {
        match self {
            OptIn::AddCapabilities(caps) => format!(
                "{} in the bounding set only (unusable by the dev user, see envmgr --help)",
                caps.join(",")
            ),
            OptIn::DockerInDocker => "privileged: all capabilities and host devices".into(),
            OptIn::SeccompUnconfined => "all system calls allowed".into(),
            OptIn::ApparmorUnconfined => "no AppArmor profile".into(),
            OptIn::PublishAllInterfaces => "ports reachable from the network (0.0.0.0)".into(),
            OptIn::MountSshKeys => "~/.ssh readable (read-only) in the container".into(),
            OptIn::SshAgent => "host SSH agent usable from the container".into(),
        }
    }
}

/// The default profile plus the opt-ins the user asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecurityProfile {
    /// The loosenings asked for, in the order given; empty is the default profile.
    pub opt_ins: Vec<OptIn>,
}

/// Host address ports are published on without `--publish-all-interfaces`.
pub const LOOPBACK: &str = "127.0.0.1";
/// The container's user: `dev`, created with this UID/GID by the Dockerfile.
pub const CONTAINER_USER: &str = "1000:1000";
/// Default limit on the number of processes in the container.
pub const DEFAULT_PIDS_LIMIT: i64 = 4096;

impl SecurityProfile {
    /// Whether an opt-in of `kind`'s variant is in force (`AddCapabilities` matches whatever
    /// capabilities it carries). Typed, so a misspelt opt-in is a compile error, not `false`.
    pub fn has(&self, kind: &OptIn) -> bool {
        let wanted = std::mem::discriminant(kind);
        self.opt_ins
            .iter()
            .any(|o| std::mem::discriminant(o) == wanted)
    }

    /// Capabilities to add back after dropping `ALL`.
    pub fn cap_add(&self) -> Vec<String> {
        self.opt_ins
            .iter()
            .filter_map(|o| match o {
                OptIn::AddCapabilities(caps) => Some(caps.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    /// Privileged mode, which only `--docker-in-docker` asks for.
    pub fn privileged(&self) -> bool {
        self.has(&OptIn::DockerInDocker)
    }

    /// `--security-opt` values: always `no-new-privileges`, plus the unconfined opt-ins.
    pub fn security_opt(&self) -> Vec<String> {
        let mut opts = vec!["no-new-privileges=true".to_string()];
        if self.has(&OptIn::SeccompUnconfined) {
            opts.push("seccomp=unconfined".into());
        }
        if self.has(&OptIn::ApparmorUnconfined) {
            opts.push("apparmor=unconfined".into());
        }
        opts
    }

    /// The host address published ports bind to.
    pub fn publish_host_ip(&self) -> &'static str {
        if self.has(&OptIn::PublishAllInterfaces) {
            "0.0.0.0"
        } else {
            LOOPBACK
        }
    }

    /// One label per opt-in in force.
    pub fn labels(&self) -> HashMap<String, String> {
        self.opt_ins
            .iter()
            .map(|o| (format!("{}{}", labels::OPT_IN_PREFIX, o.name()), o.grants()))
            .collect()
    }
}

/// Normalises a capability name: `sys_ptrace`, `CAP_SYS_PTRACE` → `SYS_PTRACE`.
pub fn normalize_capability(name: &str) -> Result<String, String> {
    let upper = name.trim().to_ascii_uppercase();
    let bare = upper.strip_prefix("CAP_").unwrap_or(&upper).to_string();
    if bare == "ALL" {
        return Err(
            "--cap-add ALL is not allowed; name each capability (or use --docker-in-docker)".into(),
        );
    }
    if bare.is_empty() || !bare.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
        return Err(format!(
            "`{name}` is not a capability name (e.g. SYS_PTRACE)"
        ));
    }
    Ok(bare)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_profile_is_tight() {
        let p = SecurityProfile::default();
        assert!(p.cap_add().is_empty());
        assert!(!p.privileged());
        assert_eq!(p.security_opt(), ["no-new-privileges=true"]);
        assert_eq!(p.publish_host_ip(), "127.0.0.1");
        assert!(p.labels().is_empty());
    }

    #[test]
    fn each_opt_in_loosens_one_thing_and_is_labelled() {
        let p = SecurityProfile {
            opt_ins: vec![
                OptIn::AddCapabilities(vec!["SYS_PTRACE".into()]),
                OptIn::SeccompUnconfined,
                OptIn::ApparmorUnconfined,
                OptIn::PublishAllInterfaces,
            ],
        };
        assert_eq!(p.cap_add(), ["SYS_PTRACE"]);
        assert_eq!(
            p.security_opt(),
            [
                "no-new-privileges=true",
                "seccomp=unconfined",
                "apparmor=unconfined"
            ]
        );
        assert_eq!(p.publish_host_ip(), "0.0.0.0");
        let labels = p.labels();
        assert_eq!(labels.len(), 4);
        assert!(labels["io.blender-mcp-rs.envmgr.opt-in.cap-add"].contains("SYS_PTRACE"));
        assert!(!p.privileged());
        assert!(
            p.has(&OptIn::AddCapabilities(vec![])),
            "any capability list matches"
        );
        assert!(!p.has(&OptIn::MountSshKeys));
    }

    #[test]
    fn capability_names_are_normalised_and_all_is_refused() {
        assert_eq!(
            normalize_capability("cap_sys_ptrace").unwrap(),
            "SYS_PTRACE"
        );
        assert!(normalize_capability("ALL").is_err());
        assert!(normalize_capability("sys-ptrace").is_err());
    }
}
