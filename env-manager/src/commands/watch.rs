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
    let filters = HashMap::from([
        ("container".to_string(), vec![id]),
        ("type".to_string(), vec!["container".to_string()]),
    ]);
    // Subscribed before the first restart so that its events are seen (and skipped).
    let mut events = docker.events(Some(EventsOptions {
        filters: Some(filters),
        ..Default::default()
    }));
    let mut restarter = Restarter::new(docker, name, policy);
    let mut reading = EventReading::default();
    // Already down or unhealthy when watch starts: act at once.
    if let Some(trigger) = initial_trigger(&container) {
        restarter.restart(trigger, &mut log).await?;
        reading.own_restart_in_flight = true;
    }
    while let Some(event) = events.next().await {
        let action = event?.action.unwrap_or_default();
        match reading.next(&action) {
            Step::Ignore => {}
            Step::StoppedOnRequest => {
                log("container stopped on request (kill/stop event); not restarting it")
            }
            Step::Removed => {
                log("container removed; watch ends");
                return Ok(());
            }
            Step::Restart(trigger) => {
                restarter.restart(trigger, &mut log).await?;
                reading.own_restart_in_flight = true;
            }
        }
    }
    Ok(())
}

/// A container already dead or unhealthy when watch starts.
fn initial_trigger(container: &bollard::models::ContainerInspectResponse) -> Option<Trigger> {
    match health::classify(container) {
        health::HealthState::Unhealthy(why) if why == "unhealthy" => Some(Trigger::Unhealthy),
        health::HealthState::Unhealthy(why) if why.starts_with("not running") => {
            Some(Trigger::Died)
        }
        _ => None,
    }
}

/// What one Docker event means for watch.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// Nothing to do.
    Ignore,
    /// A `die` that a stop or kill asked for: leave it stopped.
    StoppedOnRequest,
    /// The container is gone: nothing left to watch.
    Removed,
    /// A crash or a failing healthcheck.
    Restart(Trigger),
}

/// What the events seen so far say about the next one. Kept apart from Docker so the rules
/// can be read (and tested) as a table.
#[derive(Debug, Default)]
struct EventReading {
    /// A `kill` since the last `start` means the next `die` was asked for (stop, kill, restart).
    killed_since_start: bool,
    /// Our own restart emits kill/die/start/restart; its events are not news.
    own_restart_in_flight: bool,
}

impl EventReading {
    fn next(&mut self, action: &str) -> Step {
        match action {
            "kill" | "stop" => self.killed_since_start = true,
            "start" => self.killed_since_start = false,
            "restart" => self.own_restart_in_flight = false,
            "destroy" => return Step::Removed,
            "die" if self.own_restart_in_flight => {}
            "die" if self.killed_since_start => return Step::StoppedOnRequest,
            "die" => return Step::Restart(Trigger::Died),
            a if a.starts_with("health_status")
                && a.ends_with("unhealthy")
                && !self.own_restart_in_flight =>
            {
                return Step::Restart(Trigger::Unhealthy)
            }
            _ => {}
        }
        Step::Ignore
    }
}

/// Restarts with backoff, counting restarts in a row until the container stays up.
struct Restarter<'a> {
    docker: &'a Docker,
    name: &'a str,
    policy: &'a WatchPolicy,
    restarts: u32,
    last_restart: Option<Instant>,
}

impl<'a> Restarter<'a> {
    fn new(docker: &'a Docker, name: &'a str, policy: &'a WatchPolicy) -> Self {
        Restarter {
            docker,
            name,
            policy,
            restarts: 0,
            last_restart: None,
        }
    }

    async fn restart(&mut self, trigger: Trigger, log: &mut impl FnMut(&str)) -> Result<()> {
        let policy = self.policy;
        if self
            .last_restart
            .is_some_and(|t| t.elapsed() >= policy.reset_after)
        {
            self.restarts = 0;
        }
        if self.restarts >= policy.max_restarts {
            log(&format!("giving up after {} restarts", self.restarts));
            return Err(EnvError::WatchGaveUp {
                restarts: self.restarts,
            });
        }
        self.restarts += 1;
        let wait = policy.backoff(self.restarts);
        let why = match trigger {
            Trigger::Died => "died",
            Trigger::Unhealthy => "turned unhealthy",
        };
        log(&format!(
            "container {why}; restart {}/{} in {:.1}s",
            self.restarts,
            policy.max_restarts,
            wait.as_secs_f64()
        ));
        tokio::time::sleep(wait).await;
        let options = RestartContainerOptions {
            t: Some(super::lifecycle::STOP_GRACE_SECS),
            ..Default::default()
        };
        self.docker
            .restart_container(self.name, Some(options))
            .await?;
        self.last_restart = Some(Instant::now());
        log(&format!("restarted `{}`", self.name));
        Ok(())
    }
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

    #[test]
    fn a_crash_restarts_and_a_requested_stop_does_not() {
        let mut reading = EventReading::default();
        assert_eq!(reading.next("die"), Step::Restart(Trigger::Died));
        reading.own_restart_in_flight = true;
        for own in ["kill", "die", "start", "health_status: unhealthy"] {
            assert_eq!(reading.next(own), Step::Ignore, "{own} of our own restart");
        }
        assert_eq!(reading.next("restart"), Step::Ignore);
        assert_eq!(
            reading.next("health_status: unhealthy"),
            Step::Restart(Trigger::Unhealthy)
        );
        assert_eq!(reading.next("kill"), Step::Ignore);
        assert_eq!(reading.next("die"), Step::StoppedOnRequest);
        assert_eq!(reading.next("start"), Step::Ignore);
        assert_eq!(reading.next("die"), Step::Restart(Trigger::Died));
        assert_eq!(reading.next("health_status: healthy"), Step::Ignore);
        assert_eq!(reading.next("destroy"), Step::Removed);
    }
}
