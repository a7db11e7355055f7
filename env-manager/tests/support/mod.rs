//! Shared helpers of the integration tests: a real Docker engine, a tiny real image, the real
//! `envmgr` binary, and clean-up by name.
//!
//! Nothing here stands in for Docker: every test talks to the engine `DOCKER_HOST` (or the
//! default socket) points at. When it is unreachable the tests FAIL with the fix in the message
//! (CI sets ENVMGR_REQUIRE_DOCKER=1; without it they fail as well — a skipped Docker test would
//! pass for the wrong reason).
#![allow(dead_code)]

pub mod private_daemon;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use bollard::Docker;
use env_manager::commands::build::{build, BuildRequest};

/// Connects to the engine or fails the test with what to do.
pub async fn docker() -> Docker {
    match env_manager::docker::connect().await {
        Ok(d) => d,
        Err(e) => {
            let required = std::env::var("ENVMGR_REQUIRE_DOCKER").as_deref() == Ok("1");
            panic!(
                "these tests need a real Docker engine{}: {e}\nstart one with `scripts/docker-engine.sh start`",
                if required { " (ENVMGR_REQUIRE_DOCKER=1)" } else { "" }
            );
        }
    }
}

/// The test image: FROM scratch + Debian's static busybox, a healthcheck that fails once
/// `/tmp/unhealthy` exists (checked every second), `USER 1000`, and a main process that serves
/// HTTP on 8080 and exits on SIGTERM. About 2 MB; built once per engine (tag = content hash).
pub async fn test_image(docker: &Docker) -> String {
    let dockerfile = r#"FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN mkdir -p /tmp /workspace /home/dev /www && chmod 1777 /tmp && \
    echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd && \
    echo 'dev:x:1000:1000:dev:/home/dev:/bin/sh' >> /etc/passwd && \
    echo 'root:x:0:' > /etc/group && echo 'dev:x:1000:' >> /etc/group && \
    echo hello > /www/index.html && chown -R 1000:1000 /home/dev /workspace
HEALTHCHECK --interval=1s --timeout=2s --retries=1 CMD ["/bin/sh", "-c", "test ! -e /tmp/unhealthy"]
USER 1000
WORKDIR /home/dev
CMD ["/bin/sh", "-c", "rm -f /tmp/unhealthy; httpd -p 8080 -h /www; echo main started; trap 'echo main got TERM; exit 0' TERM; while :; do sleep 1 & wait $!; done"]
"#;
    let busybox = std::fs::read("/bin/busybox").expect("/bin/busybox (install busybox-static)");
    let tag = format!(
        "envmgr-test/busybox:{:016x}",
        fnv1a(dockerfile.as_bytes()) ^ fnv1a(&busybox)
    );
    if docker.inspect_image(&tag).await.is_ok() {
        return tag;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    std::fs::write(dir.path().join("busybox"), &busybox).unwrap();
    let mut perms = std::fs::metadata(dir.path().join("busybox"))
        .unwrap()
        .permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(dir.path().join("busybox"), perms).unwrap();
    let request = BuildRequest {
        context: dir.path(),
        dockerfile: &dir.path().join("Dockerfile"),
        tag: &tag,
        build_args: HashMap::new(),
        no_cache: false,
    };
    build(docker, &request, |_| {})
        .await
        .expect("building the busybox test image");
    tag
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100000001b3)
    })
}

/// A unique container name for one test.
pub fn unique_name(test: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!(
        "envmgr-test-{test}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// One test's environment: a project folder and a container name, removed at the end.
pub struct TestEnv {
    pub project: tempfile::TempDir,
    /// Use this project folder instead of `project` (two containers of one project).
    pub shared_project: Option<PathBuf>,
    pub name: String,
    pub image: String,
    /// Extra global flags for every envmgr call (e.g. --port, opt-ins).
    pub flags: Vec<String>,
    pub docker_host: Option<String>,
}

impl TestEnv {
    pub async fn new(test: &str) -> (Docker, TestEnv) {
        let docker = docker().await;
        let image = test_image(&docker).await;
        let env = TestEnv {
            project: tempfile::tempdir().unwrap(),
            shared_project: None,
            name: unique_name(test),
            image,
            flags: vec!["--port".into(), "8080".into()],
            docker_host: None,
        };
        (docker, env)
    }

    /// An env on another engine (`host` is its DOCKER_HOST), e.g. a private daemon.
    pub async fn on_daemon(test: &str, docker: &Docker, host: &str) -> TestEnv {
        TestEnv {
            project: tempfile::tempdir().unwrap(),
            shared_project: None,
            name: unique_name(test),
            image: test_image(docker).await,
            flags: vec!["--port".into(), "8080".into()],
            docker_host: Some(host.to_string()),
        }
    }

    pub fn dir(&self) -> &Path {
        self.shared_project
            .as_deref()
            .unwrap_or(self.project.path())
    }

    /// `envmgr <args>` with this env's project, name and image; stdin closed.
    pub fn envmgr(&self, args: &[&str]) -> Output {
        self.envmgr_with_stdin(args, None)
    }

    pub fn envmgr_with_stdin(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = self.command(args);
        cmd.stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("running envmgr");
        if let Some(text) = stdin {
            use std::io::Write;
            let mut pipe = child.stdin.take().unwrap();
            pipe.write_all(text.as_bytes()).unwrap();
        }
        child.wait_with_output().unwrap()
    }

    /// The envmgr command line, for tests that spawn it themselves.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_envmgr"));
        // Globals first: after `exec CMD...` every word belongs to the command.
        cmd.arg("--project-dir")
            .arg(self.dir())
            .arg("--name")
            .arg(&self.name)
            .arg("--image")
            .arg(&self.image)
            .args(&self.flags)
            .args(args)
            .env_remove("ENVMGR_IMAGE")
            .env_remove("ENVMGR_CONTAINER");
        if let Some(host) = &self.docker_host {
            cmd.env("DOCKER_HOST", host);
        }
        cmd
    }

    /// Waits until `envmgr health` says healthy.
    pub fn wait_healthy(&self, timeout: Duration) {
        let start = Instant::now();
        loop {
            let out = self.envmgr(&["health"]);
            if out.status.code() == Some(0) {
                return;
            }
            assert!(
                start.elapsed() < timeout,
                "not healthy after {timeout:?}: {}",
                text(&out)
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        let mut cmd = Command::new("docker");
        if let Some(host) = &self.docker_host {
            cmd.env("DOCKER_HOST", host);
        }
        let _ = cmd
            .args(["rm", "-f", "-v", &self.name])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// stdout + stderr of an envmgr run, for assertions and failure messages.
pub fn text(out: &Output) -> String {
    format!(
        "[exit {:?}]\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Asserts envmgr succeeded and returns its stdout.
pub fn ok(out: Output) -> String {
    assert!(out.status.success(), "envmgr failed: {}", text(&out));
    stdout(&out)
}

/// Reads one field (`CapEff`, `NoNewPrivs`, ...) of /proc/self/status as seen by `user` in
/// the container.
pub fn proc_status_field(env: &TestEnv, user: Option<&str>, field: &str) -> String {
    let mut args = vec!["exec"];
    if let Some(u) = user {
        args.extend(["--user", u]);
    }
    args.extend(["cat", "/proc/self/status"]);
    let out = ok(env.envmgr(&args));
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("{field} missing in /proc/self/status:\n{out}"))
        .trim()
        .to_string()
}

/// Path of a file under the project's `.agent-mount/`.
pub fn agent_mount(env: &TestEnv, rel: &str) -> PathBuf {
    env.dir().join(".agent-mount").join(rel)
}
