//! `build`: build the image from a Dockerfile and context, labelled as envmgr's.

use std::collections::HashMap;
use std::path::Path;

use bollard::query_parameters::BuildImageOptions;
use bollard::Docker;
use futures::StreamExt;

use crate::build_context;
use crate::error::{EnvError, Result};
use crate::labels;

/// What to build.
#[derive(Debug, Clone)]
pub struct BuildRequest<'a> {
    /// The folder sent to the daemon as the build context.
    pub context: &'a Path,
    /// The Dockerfile, inside or outside the context.
    pub dockerfile: &'a Path,
    /// The tag the image gets.
    pub tag: &'a str,
    /// `--build-arg NAME=VALUE` pairs.
    pub build_args: HashMap<String, String>,
    /// Build every layer again instead of reusing cached ones.
    pub no_cache: bool,
}

/// Builds the image; `progress` receives the builder's output as it comes. Returns the tag.
pub async fn build(
    docker: &Docker,
    request: &BuildRequest<'_>,
    mut progress: impl FnMut(&str),
) -> Result<String> {
    let ctx = build_context::archive(request.context, request.dockerfile)?;
    progress(&format!(
        "sending build context: {} files, {:.1} MiB\n",
        ctx.files,
        ctx.tar.len() as f64 / (1024.0 * 1024.0)
    ));
    let options = BuildImageOptions {
        dockerfile: ctx.dockerfile_in_tar.clone(),
        t: Some(request.tag.to_string()),
        rm: true,
        forcerm: true,
        nocache: request.no_cache,
        buildargs: Some(request.build_args.clone()),
        labels: Some(HashMap::from([(
            labels::MANAGED.to_string(),
            "true".to_string(),
        )])),
        ..Default::default()
    };
    let mut stream = docker.build_image(options, None, Some(bollard::body_full(ctx.tar.into())));
    while let Some(item) = stream.next().await {
        let info = item.map_err(|e| match e {
            bollard::errors::Error::DockerStreamError { error } => EnvError::BuildFailed(error),
            other => EnvError::Docker(other),
        })?;
        if let Some(detail) = info.error_detail {
            return Err(EnvError::BuildFailed(
                detail.message.unwrap_or_else(|| "unknown error".into()),
            ));
        }
        if let Some(text) = info.stream.or(info.status) {
            progress(&text);
        }
    }
    Ok(request.tag.to_string())
}
