//! `envmgr build` through the CLI (the busybox test image is built through the library in
//! every other test), the context's ignore rules as the daemon sees them, and API negotiation.

mod support;

use support::{ok, text, TestEnv};

#[tokio::test]
async fn bollard_negotiates_down_to_the_engines_api_version() {
    let docker = support::docker().await;
    let server = docker.version().await.unwrap().api_version.unwrap();
    assert_eq!(env_manager::docker::api_version(&docker), server);
}

#[tokio::test]
async fn build_sends_only_what_the_dockerignore_allows_and_labels_the_image() {
    let (docker, mut env) = TestEnv::new("build").await;
    let base = env.image.clone();
    let ctx = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(ctx.path().join("docker")).unwrap();
    std::fs::create_dir_all(ctx.path().join("big")).unwrap();
    std::fs::write(ctx.path().join("keep.txt"), "kept\n").unwrap();
    std::fs::write(ctx.path().join("big/blob"), vec![0u8; 1 << 20]).unwrap();
    std::fs::write(
        ctx.path().join("docker/Dockerfile"),
        format!("FROM {base}\nCOPY . /ctx/\nRUN find /ctx -type f | sort > /tmp/listing\n"),
    )
    .unwrap();
    std::fs::write(
        ctx.path().join("docker/Dockerfile.dockerignore"),
        "*\n!keep.txt\n",
    )
    .unwrap();
    let tag = format!("envmgr-test/build:{}", env.name);
    env.image = tag.clone();
    let out = env.envmgr(&[
        "build",
        "--context",
        ctx.path().to_str().unwrap(),
        "--file",
        ctx.path().join("docker/Dockerfile").to_str().unwrap(),
    ]);
    let _cleanup = RemoveImage(tag.clone());
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("sending build context: 2 files"),
        "{}",
        text(&out)
    );
    let image = docker.inspect_image(&tag).await.unwrap();
    let labels = image.config.unwrap().labels.unwrap();
    assert_eq!(labels[env_manager::labels::MANAGED], "true");
    let listing = std::process::Command::new("docker")
        .args(["run", "--rm", &tag, "cat", "/tmp/listing"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&listing.stdout),
        "/ctx/docker/Dockerfile\n/ctx/keep.txt\n"
    );

    // A failing step: one line saying so, exit 1.
    std::fs::write(
        ctx.path().join("docker/Dockerfile"),
        format!("FROM {base}\nRUN exit 3\n"),
    )
    .unwrap();
    let out = env.envmgr(&[
        "build",
        "--context",
        ctx.path().to_str().unwrap(),
        "--file",
        ctx.path().join("docker/Dockerfile").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .lines()
            .last()
            .unwrap()
            .starts_with("envmgr: image build failed:"),
        "{stderr}"
    );
    assert!(stderr.contains("returned a non-zero code: 3"), "{stderr}");
    let _ = ok(env.envmgr(&["cleanup"]));
}

struct RemoveImage(String);

impl Drop for RemoveImage {
    fn drop(&mut self) {
        let _ = std::process::Command::new("docker")
            .args(["rmi", "-f", &self.0])
            .output();
    }
}
