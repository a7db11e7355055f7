//! `envmgr farm` against the real daemons: a second cluster on its own ports
//! and state directory comes up with both nodes idle, a second `up` changes
//! nothing, it runs a job, and `down` leaves no daemon running. Needs root
//! and Debian's munge, slurmctld, slurmd and slurm-client.

use std::process::Command;

use env_manager::commands::farm::LocalSlurm;

#[test]
fn up_is_idempotent_runs_jobs_and_down_stops_everything() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = LocalSlurm::new(dir.path(), 18817);
    let up = cluster.up().expect("envmgr farm up");
    let result = std::panic::catch_unwind(|| {
        assert!(up.daemons.iter().all(|d| d.running), "{up:?}");
        assert_eq!(up.nodes, ["n1 idle", "n2 idle"]);
        let again = cluster.up().unwrap();
        let pids = |s: &env_manager::commands::farm::FarmStatus| {
            s.daemons.iter().map(|d| d.pid).collect::<Vec<_>>()
        };
        assert_eq!(pids(&again), pids(&up), "a second up restarted something");
        let out = Command::new("sbatch")
            .args(["--parsable", "--wait", "--output=/dev/null", "--wrap=true"])
            .env("SLURM_CONF", cluster.conf())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    });
    let down = cluster.down().unwrap();
    assert!(down.daemons.iter().all(|d| !d.running), "{down:?}");
    assert!(down.nodes.is_empty());
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
