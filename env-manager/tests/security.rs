//! The security profile as seen from inside the container, and loopback-only ports.

mod support;

use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::Duration;

use support::{ok, proc_status_field, TestEnv};

const CAP_SYS_PTRACE_BIT: u32 = 19;

fn caps(hex: &str) -> u64 {
    u64::from_str_radix(hex, 16).unwrap()
}

#[tokio::test]
async fn default_profile_inside_the_container() {
    let (_docker, env) = TestEnv::new("secdefault").await;
    ok(env.envmgr(&["daemon"]));

    // The dev user: UID/GID 1000, no capabilities at all, no way to gain any.
    let uid = proc_status_field(&env, None, "Uid");
    assert!(uid.split_whitespace().all(|u| u == "1000"), "Uid: {uid}");
    let gid = proc_status_field(&env, None, "Gid");
    assert!(gid.split_whitespace().all(|g| g == "1000"), "Gid: {gid}");
    for field in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
        assert_eq!(caps(&proc_status_field(&env, None, field)), 0, "{field}");
    }
    assert_eq!(proc_status_field(&env, None, "NoNewPrivs"), "1");
    // Docker's default seccomp profile is a filter (mode 2).
    assert_eq!(proc_status_field(&env, None, "Seccomp"), "2");
    // Even root in the container has nothing: capabilities were dropped for the whole container.
    assert_eq!(caps(&proc_status_field(&env, Some("root"), "CapEff")), 0);
    // --init: PID 1 is Docker's init, not the service.
    let pid1 = ok(env.envmgr(&["exec", "cat", "/proc/1/cmdline"]));
    assert!(pid1.starts_with("/sbin/docker-init"), "{pid1:?}");
    // No Docker socket inside.
    let out = env.envmgr(&["exec", "test", "-e", "/var/run/docker.sock"]);
    assert_eq!(out.status.code(), Some(1));
    // pids limit in force (cgroup v1 or v2 path).
    let pids = ok(env.envmgr(&[
        "exec",
        "sh",
        "-c",
        "cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max",
    ]));
    assert_eq!(pids.trim(), "4096");
}

#[tokio::test]
async fn opt_ins_grant_what_they_say_and_are_shown() {
    let (_docker, mut env) = TestEnv::new("secoptin").await;
    env.flags
        .extend(["--cap-add", "sys_ptrace", "--seccomp-unconfined"].map(String::from));
    ok(env.envmgr(&["daemon"]));

    // An added capability reaches the bounding set only: the dev user cannot use it...
    let bnd = caps(&proc_status_field(&env, None, "CapBnd"));
    assert_eq!(bnd, 1 << CAP_SYS_PTRACE_BIT, "CapBnd {bnd:x}");
    assert_eq!(caps(&proc_status_field(&env, None, "CapEff")), 0);
    assert_eq!(caps(&proc_status_field(&env, None, "CapPrm")), 0);
    // ...and neither can `exec --user root`: Engine 20.10 computes an exec's effective set for
    // the container's configured user (dev), and no-new-privileges blocks setuid/file caps.
    assert_eq!(caps(&proc_status_field(&env, Some("root"), "CapEff")), 0);
    assert_eq!(
        caps(&proc_status_field(&env, Some("root"), "CapBnd")),
        1 << CAP_SYS_PTRACE_BIT
    );
    assert_eq!(proc_status_field(&env, None, "Seccomp"), "0");
    assert_eq!(proc_status_field(&env, None, "NoNewPrivs"), "1");

    let json: serde_json::Value =
        serde_json::from_str(&ok(env.envmgr(&["status", "--json"]))).unwrap();
    let opt_ins = json["security"]["opt_ins"].as_object().unwrap();
    assert_eq!(opt_ins.len(), 2, "{opt_ins:?}");
    assert!(opt_ins["cap-add"].as_str().unwrap().contains("SYS_PTRACE"));
    assert!(opt_ins.contains_key("seccomp-unconfined"));
    assert_eq!(
        json["security"]["cap_add"],
        serde_json::json!(["SYS_PTRACE"])
    );
    let table = ok(env.envmgr(&["status"]));
    assert!(
        table.contains("seccomp-unconfined: all system calls allowed"),
        "{table}"
    );

    let out = env.envmgr(&["--cap-add", "ALL", "daemon"]);
    assert!(support::text(&out).contains("--cap-add ALL is not allowed"));
}

/// The host's first non-loopback IPv4 address (where a 0.0.0.0 binding would answer).
fn non_loopback_ip() -> IpAddr {
    let out = std::process::Command::new("hostname")
        .arg("-I")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter_map(|a| a.parse::<IpAddr>().ok())
        .find(|a| a.is_ipv4() && !a.is_loopback() && !a.to_string().starts_with("172.17."))
        .expect("a non-loopback IPv4 address on this host")
}

fn host_port(json: &serde_json::Value) -> (String, u16) {
    let port = json["ports"][0].as_str().unwrap().to_string(); // "127.0.0.1:49153->8080/tcp"
    let (host, _) = port.split_once("->").unwrap();
    let (ip, p) = host.rsplit_once(':').unwrap();
    (ip.to_string(), p.parse().unwrap())
}

fn connects(ip: IpAddr, port: u16) -> bool {
    TcpStream::connect_timeout(&SocketAddr::new(ip, port), Duration::from_secs(2)).is_ok()
}

#[tokio::test]
async fn ports_are_published_on_loopback_only_unless_asked() {
    let (_docker, env) = TestEnv::new("loopback").await;
    ok(env.envmgr(&["daemon"]));
    env.wait_healthy(Duration::from_secs(30));
    let json: serde_json::Value =
        serde_json::from_str(&ok(env.envmgr(&["status", "--json"]))).unwrap();
    let (ip, port) = host_port(&json);
    assert_eq!(ip, "127.0.0.1");
    assert!(
        connects("127.0.0.1".parse().unwrap(), port),
        "loopback must answer"
    );
    assert!(
        !connects(non_loopback_ip(), port),
        "the network address must not answer"
    );

    let (_docker, mut open) = TestEnv::new("allifaces").await;
    open.flags.push("--publish-all-interfaces".into());
    ok(open.envmgr(&["daemon"]));
    open.wait_healthy(Duration::from_secs(30));
    let json: serde_json::Value =
        serde_json::from_str(&ok(open.envmgr(&["status", "--json"]))).unwrap();
    let (ip, port) = host_port(&json);
    assert_eq!(ip, "0.0.0.0");
    assert!(
        connects(non_loopback_ip(), port),
        "opt-in must publish on the network address"
    );
    assert!(json["security"]["opt_ins"]["publish-all-interfaces"].is_string());
}
