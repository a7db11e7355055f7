//! `persist` from a stopped container, and `cleanup` touching only envmgr's own containers.

mod support;

use std::collections::HashMap;

use bollard::models::ContainerCreateBody;
use bollard::query_parameters::CreateContainerOptions;
use support::{ok, TestEnv};

#[tokio::test]
async fn persist_copies_analysis_and_logs_from_a_stopped_container() {
    let (_docker, env) = TestEnv::new("persist").await;
    ok(env.envmgr(&["daemon"]));
    ok(env.envmgr(&["exec", "sh", "-c", "mkdir -p /workspace/analysis/run1 && echo 42 > /workspace/analysis/run1/result.txt && echo line > /workspace/logs/blender.log"]));
    ok(env.envmgr(&["stop"]));
    assert_eq!(env.envmgr(&["health"]).status.code(), Some(1));

    let out = ok(env.envmgr(&["persist"]));
    let backups = support::agent_mount(&env, "backups");
    let folders: Vec<_> = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(folders.len(), 1, "{out}");
    let folder = &folders[0];
    let stamp = folder.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        stamp.len() == 16 && stamp.ends_with('Z') && stamp.contains('T'),
        "{stamp}"
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("analysis/run1/result.txt")).unwrap(),
        "42\n"
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("logs/blender.log")).unwrap(),
        "line\n"
    );
    let output = std::fs::read_to_string(folder.join("container-output.log")).unwrap();
    assert!(
        output.contains("main started") && output.contains("main got TERM"),
        "{output}"
    );
}

#[tokio::test]
async fn cleanup_removes_only_this_projects_stopped_envmgr_containers() {
    let (docker, mine) = TestEnv::new("cleanmine").await;
    let (_d, mut same_project_running) = TestEnv::new("cleansame").await;
    same_project_running.shared_project = Some(mine.dir().to_path_buf());
    let (_d, other_project) = TestEnv::new("cleanother").await;
    let (_d, unrelated) = TestEnv::new("cleanunrelated").await;

    ok(mine.envmgr(&["daemon"]));
    ok(mine.envmgr(&["stop"]));
    // Same project, still running: kept without --running.
    ok(same_project_running.envmgr(&["daemon"]));
    // Another project's stopped envmgr container: kept without --all-projects.
    ok(other_project.envmgr(&["daemon"]));
    ok(other_project.envmgr(&["stop"]));
    // A stopped container envmgr did not create: never touched.
    docker
        .create_container(
            Some(CreateContainerOptions {
                name: Some(unrelated.name.clone()),
                ..Default::default()
            }),
            ContainerCreateBody {
                image: Some(unrelated.image.clone()),
                labels: Some(HashMap::from([(
                    "some.other.tool".to_string(),
                    "yes".to_string(),
                )])),
                ..Default::default()
            },
        )
        .await
        .unwrap();

    let out = ok(mine.envmgr(&["cleanup"]));
    assert!(out.contains(&mine.name), "{out}");
    assert!(out.starts_with("removed 1 container(s)"), "{out}");
    let exists = |name: &str| {
        std::process::Command::new("docker")
            .args(["inspect", "--format", "{{.Name}}", name])
            .output()
            .unwrap()
            .status
            .success()
    };
    assert!(!exists(&mine.name));
    assert!(
        exists(&same_project_running.name),
        "running container removed"
    );
    assert!(
        exists(&other_project.name),
        "another project's container removed"
    );
    assert!(
        exists(&unrelated.name),
        "a container envmgr did not create was removed"
    );

    // --running takes the running one of this project too; still nothing else.
    let out = ok(mine.envmgr(&["cleanup", "--running"]));
    assert!(out.contains(&same_project_running.name), "{out}");
    assert!(exists(&other_project.name) && exists(&unrelated.name));
}
