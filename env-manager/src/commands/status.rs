//! `status`: state, health, uptime, CPU and memory, ports, mounts, GPU and the security profile
//! in force, as a table or as JSON. Secrets never appear: `.env` variables are shown by name.

use std::collections::BTreeMap;

use bollard::models::ContainerInspectResponse;
use bollard::query_parameters::StatsOptions;
use bollard::Docker;
use futures::StreamExt;
use serde::Serialize;

use super::{health, inspect_existing, is_running};
use crate::clock;
use crate::dotenv::DotEnv;
use crate::error::Result;
use crate::labels;

/// Everything `status` reports.
#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    /// The container's name.
    pub name: String,
    /// The short (12 hex digits) container id.
    pub id: String,
    /// The image it was created from.
    pub image: String,
    /// Docker's state: `running`, `exited`, ...
    pub state: String,
    /// The healthcheck's verdict, or why it is not healthy.
    pub health: String,
    /// Seconds since it started, while running.
    pub uptime_secs: Option<i64>,
    /// CPU use over Docker's sampling interval, in percent of one CPU.
    pub cpu_percent: Option<f64>,
    /// Memory in use, while running.
    pub memory_usage_bytes: Option<u64>,
    /// The memory limit Docker reports, while running.
    pub memory_limit_bytes: Option<u64>,
    /// `HOST_IP:HOST_PORT->PORT/tcp`, or `PORT/tcp (not published)`.
    pub ports: Vec<String>,
    /// `SOURCE -> DESTINATION`, marked read-only where they are.
    pub mounts: Vec<String>,
    /// The GPU request recorded at create time.
    pub gpus: String,
    /// The security profile Docker applied.
    pub security: SecurityReport,
    /// `NAME=<set>` for each variable of the project's `.env`.
    pub env: Vec<String>,
}

/// The security profile as Docker applied it, plus the opt-ins recorded at create time.
#[derive(Debug, Clone, Serialize)]
pub struct SecurityReport {
    /// The user the main process runs as (`1000:1000`).
    pub user: String,
    /// Capabilities dropped (`ALL` by default).
    pub cap_drop: Vec<String>,
    /// Capabilities added back (opt-in).
    pub cap_add: Vec<String>,
    /// Privileged mode (only with `--docker-in-docker`).
    pub privileged: bool,
    /// `--security-opt` values (`no-new-privileges=true`, ...).
    pub security_opt: Vec<String>,
    /// Whether `--init` reaps zombies as PID 1.
    pub init: bool,
    /// The CPU limit, in CPUs.
    pub cpus: Option<f64>,
    /// The memory limit, in bytes.
    pub memory_limit_bytes: Option<i64>,
    /// The process-count limit.
    pub pids_limit: Option<i64>,
    /// opt-in name → what it grants.
    pub opt_ins: BTreeMap<String, String>,
}

/// Gathers the report (takes about a second when running: Docker samples CPU twice).
pub async fn status(docker: &Docker, name: &str, env: &DotEnv) -> Result<StatusReport> {
    let c = inspect_existing(docker, name).await?;
    let mut report = from_inspect(&c, env);
    if is_running(&c) {
        let mut stats = docker.stats(
            name,
            Some(StatsOptions {
                stream: false,
                one_shot: false,
            }),
        );
        if let Some(Ok(s)) = stats.next().await {
            let cpu = s.cpu_stats.unwrap_or_default();
            let pre = s.precpu_stats.unwrap_or_default();
            let total = |c: &bollard::models::ContainerCpuStats| {
                c.cpu_usage
                    .as_ref()
                    .and_then(|u| u.total_usage)
                    .unwrap_or(0)
            };
            let cpu_delta = total(&cpu).saturating_sub(total(&pre)) as f64;
            let sys_delta =
                cpu.system_cpu_usage
                    .unwrap_or(0)
                    .saturating_sub(pre.system_cpu_usage.unwrap_or(0)) as f64;
            let online = f64::from(cpu.online_cpus.unwrap_or(1));
            if sys_delta > 0.0 {
                report.cpu_percent = Some((cpu_delta / sys_delta) * online * 100.0);
            }
            if let Some(m) = s.memory_stats {
                report.memory_usage_bytes = m.usage;
                report.memory_limit_bytes = m.limit;
            }
        }
    }
    Ok(report)
}

fn from_inspect(c: &ContainerInspectResponse, env: &DotEnv) -> StatusReport {
    let state = c.state.clone().unwrap_or_default();
    let host = c.host_config.clone().unwrap_or_default();
    let config = c.config.clone().unwrap_or_default();
    let container_labels = config.labels.clone().unwrap_or_default();

    let running = state.running.unwrap_or(false);
    let uptime_secs = running
        .then(|| state.started_at.as_deref().and_then(clock::parse_rfc3339))
        .flatten()
        .map(|start| (clock::now_unix() - start).max(0));
    let health = match health::classify(c) {
        health::HealthState::Healthy => state
            .health
            .as_ref()
            .and_then(|h| h.status)
            .map(|s| s.to_string())
            .filter(|s| !s.is_empty() && s != "none")
            .unwrap_or_else(|| "no healthcheck".into()),
        health::HealthState::Unhealthy(why) => why,
        health::HealthState::NoContainer => "no container".into(),
    };

    let mut ports: Vec<String> = c
        .network_settings
        .as_ref()
        .and_then(|n| n.ports.clone())
        .unwrap_or_default()
        .into_iter()
        .flat_map(|(port, bindings)| {
            let bindings = bindings.unwrap_or_default();
            if bindings.is_empty() {
                return vec![format!("{port} (not published)")];
            }
            bindings
                .into_iter()
                .map(|b| {
                    format!(
                        "{}:{}->{port}",
                        b.host_ip.unwrap_or_default(),
                        b.host_port.unwrap_or_default()
                    )
                })
                .collect()
        })
        .collect();
    ports.sort();

    let mounts = c
        .mounts
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            format!(
                "{} -> {}{}",
                m.source.unwrap_or_default(),
                m.destination.unwrap_or_default(),
                if m.rw == Some(false) {
                    " (read-only)"
                } else {
                    ""
                }
            )
        })
        .collect();

    let opt_ins = container_labels
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix(labels::OPT_IN_PREFIX)
                .map(|name| (name.to_string(), v.clone()))
        })
        .collect();

    StatusReport {
        name: c
            .name
            .clone()
            .unwrap_or_default()
            .trim_start_matches('/')
            .to_string(),
        id: c.id.clone().unwrap_or_default().chars().take(12).collect(),
        image: config.image.clone().unwrap_or_default(),
        state: state.status.map(|s| s.to_string()).unwrap_or_default(),
        health,
        uptime_secs,
        cpu_percent: None,
        memory_usage_bytes: None,
        memory_limit_bytes: None,
        ports,
        mounts,
        gpus: container_labels
            .get(labels::GPUS)
            .cloned()
            .unwrap_or_else(|| "none".into()),
        security: SecurityReport {
            user: config.user.clone().unwrap_or_default(),
            cap_drop: host.cap_drop.clone().unwrap_or_default(),
            cap_add: host.cap_add.clone().unwrap_or_default(),
            privileged: host.privileged.unwrap_or(false),
            security_opt: host.security_opt.clone().unwrap_or_default(),
            init: host.init.unwrap_or(false),
            cpus: host.nano_cpus.filter(|n| *n > 0).map(|n| n as f64 / 1e9),
            memory_limit_bytes: host.memory.filter(|m| *m > 0),
            pids_limit: host.pids_limit.filter(|p| *p > 0),
            opt_ins,
        },
        env: env.names().map(|n| format!("{n}=<set>")).collect(),
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// The human-readable table.
pub fn render_table(r: &StatusReport) -> String {
    let mut rows: Vec<(String, String)> = vec![
        ("Container".into(), format!("{} ({})", r.name, r.id)),
        ("Image".into(), r.image.clone()),
        ("State".into(), r.state.clone()),
        ("Health".into(), r.health.clone()),
        (
            "Uptime".into(),
            r.uptime_secs
                .map(clock::human_duration)
                .unwrap_or_else(|| "-".into()),
        ),
        (
            "CPU".into(),
            r.cpu_percent
                .map(|c| format!("{c:.1} %"))
                .unwrap_or_else(|| "-".into()),
        ),
        (
            "Memory".into(),
            match (r.memory_usage_bytes, r.memory_limit_bytes) {
                (Some(u), Some(l)) => format!("{} / {}", mib(u), mib(l)),
                (Some(u), None) => mib(u),
                _ => "-".into(),
            },
        ),
        ("GPUs".into(), r.gpus.clone()),
    ];
    let list = |v: &[String]| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.join("\n")
        }
    };
    rows.push(("Ports".into(), list(&r.ports)));
    rows.push(("Mounts".into(), list(&r.mounts)));
    let s = &r.security;
    rows.push(("User".into(), s.user.clone()));
    rows.push((
        "Capabilities".into(),
        format!(
            "drop {}; add {}",
            list(&s.cap_drop),
            if s.cap_add.is_empty() {
                "none".into()
            } else {
                s.cap_add.join(",")
            }
        ),
    ));
    rows.push(("Security opts".into(), list(&s.security_opt)));
    rows.push(("Privileged".into(), s.privileged.to_string()));
    rows.push(("Init".into(), s.init.to_string()));
    rows.push((
        "Limits".into(),
        format!(
            "cpus {}, memory {}, pids {}",
            s.cpus.map(|c| format!("{c}")).unwrap_or_else(|| "-".into()),
            s.memory_limit_bytes
                .map(|m| mib(m as u64))
                .unwrap_or_else(|| "-".into()),
            s.pids_limit
                .map(|p| p.to_string())
                .unwrap_or_else(|| "-".into())
        ),
    ));
    let opt_ins: Vec<String> = s.opt_ins.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    rows.push((
        "Opt-ins".into(),
        if opt_ins.is_empty() {
            "none (default profile)".into()
        } else {
            opt_ins.join("\n")
        },
    ));
    rows.push(("Env (.env)".into(), list(&r.env)));

    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (key, value) in rows {
        for (i, line) in value.lines().enumerate() {
            let k = if i == 0 { key.as_str() } else { "" };
            out.push_str(&format!("{k:<width$}  {line}\n"));
        }
    }
    out
}
