//! `health`: the container's health as an exit code (0 healthy, 1 unhealthy, 2 no container).

use bollard::models::{ContainerInspectResponse, HealthStatusEnum};
use bollard::Docker;

use super::inspect;
use crate::error::Result;

/// The container's health as `health` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HealthState {
    /// Running, and healthy or without a healthcheck.
    Healthy,
    /// Not healthy: unhealthy, still starting, or not running. The text says which.
    Unhealthy(String),
    /// No container of that name exists.
    NoContainer,
}

impl HealthState {
    /// `envmgr health`'s exit status: 0 healthy, 1 not healthy, 2 no container (so scripts can tell them apart).
    pub fn exit_code(&self) -> i32 {
        match self {
            HealthState::Healthy => 0,
            HealthState::Unhealthy(_) => 1,
            HealthState::NoContainer => 2,
        }
    }
}

/// Classifies an inspected container. A running container without a healthcheck counts as
/// healthy (there is nothing else to ask); the project image always has one.
pub fn classify(c: &ContainerInspectResponse) -> HealthState {
    let state = c.state.clone().unwrap_or_default();
    if !state.running.unwrap_or(false) {
        let status = state.status.map(|s| s.to_string()).unwrap_or_default();
        return HealthState::Unhealthy(format!("not running ({status})"));
    }
    match state.health.and_then(|h| h.status) {
        Some(HealthStatusEnum::HEALTHY) => HealthState::Healthy,
        Some(HealthStatusEnum::UNHEALTHY) => HealthState::Unhealthy("unhealthy".into()),
        Some(HealthStatusEnum::STARTING) => {
            HealthState::Unhealthy("starting (healthcheck not passed yet)".into())
        }
        _ => HealthState::Healthy,
    }
}

/// Inspects `name` and classifies its health.
pub async fn health(docker: &Docker, name: &str) -> Result<HealthState> {
    Ok(match inspect(docker, name).await? {
        None => HealthState::NoContainer,
        Some(c) => classify(&c),
    })
}
