//! `status`: state, health, uptime, CPU and memory, ports, mounts, GPU and the security profile
//! in force, as a table or as JSON. Secrets never appear: `.env` variables are shown by name.

use std::collections::BTreeMap;

use bollard::models::{ContainerCpuStats, ContainerInspectResponse, ContainerState};
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
        add_usage(docker, name, &mut report).await;
    }
    Ok(report)
}

/// CPU and memory from one stats sample; a sample that does not come leaves them unknown.
async fn add_usage(docker: &Docker, name: &str, report: &mut StatusReport) {
    let options = StatsOptions {
        stream: false,
        one_shot: false,
    };
    let Some(Ok(sample)) = docker.stats(name, Some(options)).next().await else {
        return;
    };
    let cpu = sample.cpu_stats.unwrap_or_default();
    let pre = sample.precpu_stats.unwrap_or_default();
    report.cpu_percent = cpu_percent(&cpu, &pre);
    if let Some(m) = sample.memory_stats {
        report.memory_usage_bytes = m.usage;
        report.memory_limit_bytes = m.limit;
    }
}

/// Percent of one CPU between two samples, as `docker stats` computes it.
fn cpu_percent(cpu: &ContainerCpuStats, pre: &ContainerCpuStats) -> Option<f64> {
    let total = |c: &ContainerCpuStats| {
        c.cpu_usage
            .as_ref()
            .and_then(|u| u.total_usage)
            .unwrap_or(0)
    };
    let cpu_delta = total(cpu).saturating_sub(total(pre)) as f64;
    let system = |c: &ContainerCpuStats| c.system_cpu_usage.unwrap_or(0);
    let sys_delta = system(cpu).saturating_sub(system(pre)) as f64;
    let online = f64::from(cpu.online_cpus.unwrap_or(1));
    (sys_delta > 0.0).then(|| cpu_delta / sys_delta * online * 100.0)
}

/// Everything inspect alone tells (usage comes from stats).
fn from_inspect(c: &ContainerInspectResponse, env: &DotEnv) -> StatusReport {
    let state = c.state.clone().unwrap_or_default();
    let config = c.config.clone().unwrap_or_default();
    let container_labels = config.labels.clone().unwrap_or_default();
    StatusReport {
        name: c
            .name
            .clone()
            .unwrap_or_default()
            .trim_start_matches('/')
            .to_string(),
        id: c.id.clone().unwrap_or_default().chars().take(12).collect(),
        image: config.image.clone().unwrap_or_default(),
        state: state
            .status
            .as_ref()
            .map(|s| s.to_string())
            .unwrap_or_default(),
        health: health_text(c, &state),
        uptime_secs: uptime_secs(&state),
        cpu_percent: None,
        memory_usage_bytes: None,
        memory_limit_bytes: None,
        ports: published_ports(c),
        mounts: mount_lines(c),
        gpus: container_labels
            .get(labels::GPUS)
            .cloned()
            .unwrap_or_else(|| "none".into()),
        security: security_report(c, &container_labels),
        env: env.names().map(|n| format!("{n}=<set>")).collect(),
    }
}

/// Seconds since the container started, while it runs.
fn uptime_secs(state: &ContainerState) -> Option<i64> {
    if !state.running.unwrap_or(false) {
        return None;
    }
    let started = state.started_at.as_deref().and_then(clock::parse_rfc3339)?;
    Some((clock::now_unix() - started).max(0))
}

/// The healthcheck's status when healthy, else why not.
fn health_text(c: &ContainerInspectResponse, state: &ContainerState) -> String {
    match health::classify(c) {
        health::HealthState::Healthy => state
            .health
            .as_ref()
            .and_then(|h| h.status)
            .map(|s| s.to_string())
            .filter(|s| !s.is_empty() && s != "none")
            .unwrap_or_else(|| "no healthcheck".into()),
        health::HealthState::Unhealthy(why) => why,
        health::HealthState::NoContainer => "no container".into(),
    }
}

/// `HOST_IP:HOST_PORT->PORT`, one per binding, sorted; unpublished ports say so.
fn published_ports(c: &ContainerInspectResponse) -> Vec<String> {
    let ports = c.network_settings.as_ref().and_then(|n| n.ports.clone());
    let mut lines: Vec<String> = ports
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
                    let ip = b.host_ip.unwrap_or_default();
                    let host_port = b.host_port.unwrap_or_default();
                    format!("{ip}:{host_port}->{port}")
                })
                .collect()
        })
        .collect();
    lines.sort();
    lines
}

/// `SOURCE -> DESTINATION`, marked where read-only.
fn mount_lines(c: &ContainerInspectResponse) -> Vec<String> {
    c.mounts
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            let read_only = if m.rw == Some(false) {
                " (read-only)"
            } else {
                ""
            };
            let source = m.source.unwrap_or_default();
            let destination = m.destination.unwrap_or_default();
            format!("{source} -> {destination}{read_only}")
        })
        .collect()
}

/// The profile as Docker applied it, with the opt-ins envmgr labelled at create time.
fn security_report(
    c: &ContainerInspectResponse,
    container_labels: &std::collections::HashMap<String, String>,
) -> SecurityReport {
    let host = c.host_config.clone().unwrap_or_default();
    let config = c.config.clone().unwrap_or_default();
    let opt_ins = container_labels
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix(labels::OPT_IN_PREFIX)
                .map(|name| (name.to_string(), v.clone()))
        })
        .collect();
    SecurityReport {
        user: config.user.unwrap_or_default(),
        cap_drop: host.cap_drop.unwrap_or_default(),
        cap_add: host.cap_add.unwrap_or_default(),
        privileged: host.privileged.unwrap_or(false),
        security_opt: host.security_opt.unwrap_or_default(),
        init: host.init.unwrap_or(false),
        cpus: host.nano_cpus.filter(|n| *n > 0).map(|n| n as f64 / 1e9),
        memory_limit_bytes: host.memory.filter(|m| *m > 0),
        pids_limit: host.pids_limit.filter(|p| *p > 0),
        opt_ins,
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// The human-readable table.
pub fn render_table(r: &StatusReport) -> String {
    let mut rows = overview_rows(r);
    rows.extend(security_rows(&r.security));
    rows.push(("Env (.env)", list(&r.env)));
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (key, value) in rows {
        for (i, line) in value.lines().enumerate() {
            let k = if i == 0 { key } else { "" };
            out.push_str(&format!("{k:<width$}  {line}\n"));
        }
    }
    out
}

/// One value per line, or `-` for none.
fn list(v: &[String]) -> String {
    if v.is_empty() {
        "-".to_string()
    } else {
        v.join("\n")
    }
}

/// `-` for an unknown figure.
fn or_dash<T>(value: Option<T>, show: impl Fn(T) -> String) -> String {
    value.map(show).unwrap_or_else(|| "-".into())
}

/// Identity, state and usage.
fn overview_rows(r: &StatusReport) -> Vec<(&'static str, String)> {
    let memory = match (r.memory_usage_bytes, r.memory_limit_bytes) {
        (Some(u), Some(l)) => format!("{} / {}", mib(u), mib(l)),
        (Some(u), None) => mib(u),
        _ => "-".into(),
    };
    vec![
        ("Container", format!("{} ({})", r.name, r.id)),
        ("Image", r.image.clone()),
        ("State", r.state.clone()),
        ("Health", r.health.clone()),
        ("Uptime", or_dash(r.uptime_secs, clock::human_duration)),
        ("CPU", or_dash(r.cpu_percent, |c| format!("{c:.1} %"))),
        ("Memory", memory),
        ("GPUs", r.gpus.clone()),
        ("Ports", list(&r.ports)),
        ("Mounts", list(&r.mounts)),
    ]
}

/// The security profile, opt-ins last so a loosening is easy to spot.
fn security_rows(s: &SecurityReport) -> Vec<(&'static str, String)> {
    let cap_add = if s.cap_add.is_empty() {
        "none".into()
    } else {
        s.cap_add.join(",")
    };
    let limits = format!(
        "cpus {}, memory {}, pids {}",
        or_dash(s.cpus, |c| format!("{c}")),
        or_dash(s.memory_limit_bytes, |m| mib(m as u64)),
        or_dash(s.pids_limit, |p| p.to_string())
    );
    let opt_ins: Vec<String> = s.opt_ins.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    let opt_ins = if opt_ins.is_empty() {
        "none (default profile)".into()
    } else {
        opt_ins.join("\n")
    };
    vec![
        ("User", s.user.clone()),
        (
            "Capabilities",
            format!("drop {}; add {cap_add}", list(&s.cap_drop)),
        ),
        ("Security opts", list(&s.security_opt)),
        ("Privileged", s.privileged.to_string()),
        ("Init", s.init.to_string()),
        ("Limits", limits),
        ("Opt-ins", opt_ins),
    ]
}
