//! `cleanup`: remove only what envmgr created, found by its labels. Never a global prune: other
//! containers and images on the machine are not ours to delete.

use std::collections::HashMap;
use std::path::Path;

use bollard::query_parameters::{
    ListContainersOptions, ListImagesOptions, RemoveContainerOptions, RemoveImageOptions,
};
use bollard::Docker;

use crate::error::Result;
use crate::labels;

/// What to clean.
#[derive(Debug, Clone, Default)]
pub struct CleanupScope<'a> {
    /// Only containers of this project (`None`: every envmgr container on the daemon).
    pub project: Option<&'a Path>,
    /// Remove running containers too (default: stopped ones only).
    pub include_running: bool,
    /// Remove envmgr-built images no container uses (default: dangling ones only).
    pub all_images: bool,
}

/// What was removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cleaned {
    /// Names of the containers removed.
    pub containers: Vec<String>,
    /// Tags (or ids) of the images removed.
    pub images: Vec<String>,
}

/// Removes envmgr's stopped containers in `scope` (running ones too with `include_running`)
/// and its dangling images (every unused envmgr image with `all_images`).
pub async fn cleanup(docker: &Docker, scope: &CleanupScope<'_>) -> Result<Cleaned> {
    let mut label_filters = vec![labels::managed_filter()];
    if let Some(project) = scope.project {
        label_filters.push(labels::project_filter(project));
    }
    let containers = docker
        .list_containers(Some(ListContainersOptions {
            all: true,
            filters: Some(HashMap::from([("label".to_string(), label_filters)])),
            ..Default::default()
        }))
        .await?;
    let mut cleaned = Cleaned::default();
    for c in containers {
        let running = c.state.as_ref().is_some_and(|s| s.to_string() == "running");
        if running && !scope.include_running {
            continue;
        }
        let Some(id) = c.id else { continue };
        docker
            .remove_container(
                &id,
                Some(RemoveContainerOptions {
                    force: scope.include_running,
                    ..Default::default()
                }),
            )
            .await?;
        let name = c
            .names
            .and_then(|n| n.first().cloned())
            .unwrap_or(id)
            .trim_start_matches('/')
            .to_string();
        cleaned.containers.push(name);
    }

    let mut image_filters = HashMap::from([("label".to_string(), vec![labels::managed_filter()])]);
    if !scope.all_images {
        image_filters.insert("dangling".into(), vec!["true".into()]);
    }
    let images = docker
        .list_images(Some(ListImagesOptions {
            filters: Some(image_filters),
            ..Default::default()
        }))
        .await?;
    for image in images {
        let name = image.repo_tags.first().cloned().unwrap_or(image.id.clone());
        match docker
            .remove_image(&image.id, None::<RemoveImageOptions>, None)
            .await
        {
            Ok(_) => cleaned.images.push(name),
            // Still used by a container (ours or not): kept, never forced.
            Err(e) if crate::error::is_conflict(&e) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(cleaned)
}
