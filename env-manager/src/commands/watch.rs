//! `watch`: follow Docker's events and restart the container when it dies or turns unhealthy.
//!
//! Why not a restart policy: Docker's `--restart` policies react to the main process exiting
//! only, never to a failing healthcheck (verified on Engine 20.10: an unhealthy container with
//! `--restart always` keeps running unhealthy). Restarts back off exponentially, and after
//! `max_restarts` in a row without the container staying up for `reset_after`, watch gives up.
//!
//! A stop the user asked for (`envmgr stop`, `docker stop`) is not a crash: Docker emits a `kill`
//! event before such a `die`, and watch then leaves the container stopped.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bollard::query_parameters::{EventsOptions, RestartContainerOptions};
use bollard::Docker;
use futures::StreamExt;

use super::{health, inspect_existing};
use crate::error::{EnvError, Result};

/// How watch restarts.
#[derive(Debug, Clone)]
pub struct WatchPolicy {
    /// Restarts allowed before giving up (the count resets after a stable run).
    pub max_restarts: u32,
    /// The wait before the first restart; doubled after each one.
    pub initial_backoff: Duration,
    /// The longest wait between restarts.
    pub max_backoff: Duration,
    /// A container that stays up this long after a restart resets the count.
    pub reset_after: Duration,
}

impl Default for WatchPolicy {
    fn default() -> Self {
        WatchPolicy {
            max_restarts: 5,
            initial_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(60),
            reset_after: Duration::from_secs(300),
        }
    }
}

impl WatchPolicy {
    /// The wait before restart number `n` (1-based).
    pub fn backoff(&self, n: u32) -> Duration {
        let factor = 1u32.checked_shl(n.saturating_sub(1)).unwrap_or(u32::MAX);
        self.initial_backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }
}

/// Why watch restarted the container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// The container's main process exited.
    Died,
    /// Its healthcheck reported unhealthy.
    Unhealthy,
}

/// Watches `name` until the event stream ends (daemon gone) or the retry cap is hit. `log`
/// receives one line per decision (the CLI prints them with a timestamp).
pub async fn watch(
    docker: &Docker,
    name: &str,
    policy: &WatchPolicy,
    mut log: impl FnMut(&str),
) -> Result<()> {
    let container = inspect_existing(docker, name).await?;
    let id = container.id.clone().unwrap_or_default();
    log(&format!(
        "watching `{name}` (max {} restarts in a row)",
        policy.max_restarts
    ));

    let mut restarts = 0u32;
    let mut last_restart: Option<Instant> = None;
    // A `kill` since the last `start` means the next `die` was asked for (stop, kill, restart).
    let mut killed_since_start = false;
    // Our own restart emits kill/die/start/restart; its events are not news.
    let mut own_restart_in_flight = false;

    // Already down or unhealthy when watch starts: act at once.
    let initial = match health::classify(&container) {
        health::HealthState::Unhealthy(why) if why == "unhealthy" => Some(Trigger::Unhealthy),
        health::HealthState::Unhealthy(why) if why.starts_with("not running") => {
            Some(Trigger::Died)
        }
        _ => None,
    };

    let filters = HashMap::from([
        ("container".to_string(), vec![id.clone()]),
        ("type".to_string(), vec!["container".to_string()]),
    ]);
    // Subscribed before the first restart so that its events are seen (and skipped).
    let mut events = docker.events(Some(EventsOptions {
        filters: Some(filters),
        ..Default::default()
    }));
    if let Some(trigger) = initial {
        restart_once(
            docker,
            name,
            policy,
            &mut restarts,
            &mut last_restart,
            trigger,
            &mut log,
        )
        .await?;
        own_restart_in_flight = true;
    }
    while let Some(event) = events.next().await {
        let event = event?;
        let action = event.action.unwrap_or_default();
        let trigger = match action.as_str() {
            "kill" | "stop" => {
                killed_since_start = true;
                None
            }
            "start" => {
                killed_since_start = false;
                None
            }
            "restart" => {
                own_restart_in_flight = false;
                None
            }
            "destroy" => {
                log("container removed; watch ends");
                return Ok(());
            }
            "die" if own_restart_in_flight => None,
            "die" if killed_since_start => {
                log("container stopped on request (kill/stop event); not restarting it");
                None
            }
            "die" => Some(Trigger::Died),
            a if a.starts_with("health_status") && a.ends_with("unhealthy") => {
                (!own_restart_in_flight).then_some(Trigger::Unhealthy)
            }
            _ => None,
        };
        if let Some(trigger) = trigger {
            restart_once(
                docker,
                name,
                policy,
                &mut restarts,
                &mut last_restart,
                trigger,
                &mut log,
            )
            .await?;
            own_restart_in_flight = true;
        }
    }
    Ok(())
}

async fn restart_once(
    docker: &Docker,
    name: &str,
    policy: &WatchPolicy,
    restarts: &mut u32,
    last_restart: &mut Option<Instant>,
    trigger: Trigger,
    log: &mut impl FnMut(&str),
) -> Result<()> {
    if last_restart.is_some_and(|t| t.elapsed() >= policy.reset_after) {
        *restarts = 0;
    }
    if *restarts >= policy.max_restarts {
        log(&format!("giving up after {restarts} restarts"));
        return Err(EnvError::WatchGaveUp {
            restarts: *restarts,
        });
    }
    *restarts += 1;
    let wait = policy.backoff(*restarts);
    let why = match trigger {
        Trigger::Died => "died",
        Trigger::Unhealthy => "turned unhealthy",
    };
    log(&format!(
        "container {why}; restart {}/{} in {:.1}s",
        restarts,
        policy.max_restarts,
        wait.as_secs_f64()
    ));
    tokio::time::sleep(wait).await;
    docker
        .restart_container(
            name,
            Some(RestartContainerOptions {
                t: Some(super::lifecycle::STOP_GRACE_SECS),
                ..Default::default()
            }),
        )
        .await?;
    *last_restart = Some(Instant::now());
    log(&format!("restarted `{name}`"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = WatchPolicy {
            initial_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(10),
            ..Default::default()
        };
        let waits: Vec<u64> = (1..=5).map(|n| p.backoff(n).as_secs()).collect();
        assert_eq!(waits, [2, 4, 8, 10, 10]);
        assert_eq!(p.backoff(64).as_secs(), 10);
    }
}
