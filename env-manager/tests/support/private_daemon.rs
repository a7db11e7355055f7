//! A second, private Docker engine for the GPU tests.
//!
//! Why: whether a daemon can give GPUs to containers is fixed when dockerd starts (it registers
//! its NVIDIA device driver only if `nvidia-container-runtime-hook` is on its PATH then), so the
//! "no toolkit" failure and the "toolkit present" success cannot both happen on one engine. Each
//! GPU test that needs a differently configured engine starts its own dockerd (own socket, data
//! root, exec root, its own bridge interface, no iptables changes) and stops it at the end.
//! Not `--bridge=none`: a dockerd started that way deletes the host's `docker0`, breaking the
//! main engine.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bollard::Docker;

pub struct PrivateDaemon {
    pub dir: PathBuf,
    pub host: String,
    bridge: String,
    child: Child,
}

/// Runs `ip` with `args`, failing the test on error.
fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("running ip");
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The fake NVIDIA hook. A stand-in for the NVIDIA Container Toolkit, which cannot be installed
/// for real on a machine without an NVIDIA driver: dockerd only looks it up on PATH (to register
/// its `nvidia` driver) and runs it as an OCI prestart hook, where the real one would mount the
/// driver libraries. This one reads the container state runc sends and succeeds.
const FAKE_HOOK: &str = "#!/bin/sh\ncat >/dev/null\nexit 0\n";

impl PrivateDaemon {
    /// Starts dockerd with the given extra flags, and the fake NVIDIA hook on its PATH when
    /// `with_fake_nvidia_hook`.
    /// `subnet` (1..=254) picks the bridge's 10.213.<subnet>.0/24 network; distinct per test.
    pub async fn start(
        tag: &str,
        subnet: u8,
        with_fake_nvidia_hook: bool,
        extra_flags: &[&str],
    ) -> (Docker, PrivateDaemon) {
        assert_eq!(
            unsafe { libc::geteuid() },
            0,
            "the GPU tests start a private dockerd and must run as root"
        );
        // Short path: containerd's socket path must stay under 108 bytes.
        let dir = PathBuf::from(format!("/tmp/egpu-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        let mut path = std::env::var("PATH").unwrap_or_default();
        if with_fake_nvidia_hook {
            let hook = dir.join("bin/nvidia-container-runtime-hook");
            std::fs::write(&hook, FAKE_HOOK).unwrap();
            let mut perms = std::fs::metadata(&hook).unwrap().permissions();
            std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
            std::fs::set_permissions(&hook, perms).unwrap();
            path = format!("{}:{path}", dir.join("bin").display());
        }
        let bridge = format!("egpu{subnet}");
        let _ = Command::new("ip").args(["link", "del", &bridge]).output();
        ip(&["link", "add", &bridge, "type", "bridge"]);
        ip(&[
            "addr",
            "add",
            &format!("10.213.{subnet}.1/24"),
            "dev",
            &bridge,
        ]);
        ip(&["link", "set", &bridge, "up"]);
        let socket = dir.join("docker.sock");
        let log = std::fs::File::create(dir.join("dockerd.log")).unwrap();
        let child = Command::new("dockerd")
            .arg("--data-root")
            .arg(dir.join("data"))
            .arg("--exec-root")
            .arg(dir.join("exec"))
            .arg("--pidfile")
            .arg(dir.join("dockerd.pid"))
            .arg("--host")
            .arg(format!("unix://{}", socket.display()))
            .arg(format!("--bridge={bridge}"))
            .args(["--iptables=false", "--ip-masq=false"])
            .args(extra_flags)
            .env("PATH", path)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("starting a private dockerd");
        let host = format!("unix://{}", socket.display());
        let daemon = PrivateDaemon {
            dir,
            host,
            bridge,
            child,
        };
        let started = Instant::now();
        loop {
            if let Ok(d) = Docker::connect_with_host(&daemon.host) {
                if let Ok(d) = d.negotiate_version().await {
                    if d.ping().await.is_ok() {
                        return (d, daemon);
                    }
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "private dockerd did not answer; log:\n{}",
                std::fs::read_to_string(daemon.dir.join("dockerd.log")).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("dockerd.log")).unwrap_or_default()
    }

    fn path(&self) -> &Path {
        &self.dir
    }
}

impl Drop for PrivateDaemon {
    fn drop(&mut self) {
        // Containers first (they hold mounts), then the daemon, then its folders.
        let _ = Command::new("sh")
            .arg("-c")
            .arg("ids=$(docker ps -aq); [ -z \"$ids\" ] || docker rm -f $ids")
            .env("DOCKER_HOST", &self.host)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(self.path());
        let _ = Command::new("ip")
            .args(["link", "del", &self.bridge])
            .output();
    }
}
