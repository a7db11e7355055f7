//! Render jobs on a farm: `submit_render_job` snapshots the live scene into
//! a job directory and hands its frames to Slurm or the local worker pool
//! (the `render-farm` crate); the other tools watch, cancel and retry jobs.
//!
//! Farm calls block on files and scheduler commands, so they run on
//! tokio's blocking pool; only the snapshot and the contact sheet need the
//! live Blender.

use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine as _;
use render_farm::{Farm, JobRequest, JobSummary, JobView, RenderSettings, State};
use rmcp::{
    handler::server::wrapper::Parameters,
    model::{CallToolResult, ContentBlock},
    tool, tool_router, Json,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::render::Engine;
use super::{BlenderTools, ToolError};
use crate::Snippet;

static SNAPSHOT: Snippet = group_snippet!("farm_snapshot", "snapshot.py");
static CONTACT_SHEET: Snippet = group_snippet!("farm_contact_sheet", "contact_sheet.py");

/// Most frames shown on a finished job's contact sheet.
const SHEET_FRAMES: usize = 12;

/// Arguments of `submit_render_job`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SubmitRenderJobInput {
    /// Frames, e.g. "1-240" or "1-10,20,30-40x2".
    pub frames: String,
    /// Frames per chunk, the unit a worker renders in one Blender start (default 10).
    #[serde(default)]
    pub chunk: Option<usize>,
    /// CYCLES, EEVEE or WORKBENCH (default: the scene's).
    #[serde(default)]
    pub engine: Option<Engine>,
    /// Samples per pixel (default: the scene's).
    #[serde(default)]
    pub samples: Option<u32>,
    /// [width, height] in pixels (default: the scene's).
    #[serde(default)]
    pub resolution: Option<[u32; 2]>,
    /// Output pattern under the output directory; # marks the frame digits
    /// (default "<job id>/####").
    #[serde(default)]
    pub output: Option<String>,
    /// "local" (worker pool on this machine, default) or "slurm".
    #[serde(default)]
    pub backend: Option<String>,
    /// A label for the job.
    #[serde(default)]
    pub name: Option<String>,
    /// Higher runs first (Slurm honours only negative values, as --nice).
    #[serde(default)]
    pub priority: Option<i32>,
}

/// Arguments of `get_render_job` and `retry_render_job`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct JobInput {
    /// The job id.
    pub job: String,
}

/// Arguments of `cancel_render_job`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CancelRenderJobInput {
    /// The job id.
    pub job: String,
    /// Only these chunk numbers (default: the whole job).
    #[serde(default)]
    pub chunks: Option<Vec<usize>>,
}

/// The jobs in the farm directory.
#[derive(Debug, Serialize, JsonSchema)]
pub struct JobList {
    /// Newest first.
    pub jobs: Vec<JobSummary>,
}

impl BlenderTools {
    fn farm(&self) -> Result<Arc<Farm>, ToolError> {
        self.config.farm.clone().ok_or_else(|| {
            ToolError::new(
                "the render farm is off: start the server with --farm-dir DIR (storage every \
                 worker can read; see blender-mcp-rs --help)",
            )
        })
    }

    /// Runs a blocking farm call off the async runtime.
    async fn on_farm<T: Send + 'static>(
        &self,
        call: impl FnOnce(&Farm) -> Result<T, render_farm::FarmError> + Send + 'static,
    ) -> Result<T, ToolError> {
        let farm = self.farm()?;
        tokio::task::spawn_blocking(move || call(&farm))
            .await
            .map_err(|e| ToolError::new(format!("the farm call failed: {e}")))?
            .map_err(|e| ToolError::new(e.to_string()))
    }

    /// `view` as a tool result, with the contact sheet (and, where ffmpeg is
    /// installed, the movie) of a finished job.
    async fn job_result(&self, mut view: JobView) -> Result<CallToolResult, ToolError> {
        let mut content = Vec::new();
        if view.state == State::Done {
            let id = view.id.clone();
            match self.on_farm(move |farm| farm.movie(&id)).await {
                Ok(movie) => view.movie = movie,
                Err(e) => content.push(ContentBlock::text(format!("no movie: {e}"))),
            }
            // The job's state matters more than its preview: a sheet that
            // cannot be made (Blender busy or gone) is a note, not a failure.
            match self.contact_sheet(&view).await {
                Ok(sheet) => {
                    let png = base64::engine::general_purpose::STANDARD.encode(sheet);
                    self.last_image.set(&png);
                    content.push(ContentBlock::image(png, "image/png"));
                }
                Err(e) => content.push(ContentBlock::text(format!("no contact sheet: {e}"))),
            }
        }
        content.push(ContentBlock::text(
            serde_json::to_string(&view).unwrap_or_default(),
        ));
        let mut result = CallToolResult::success(content);
        result.structured_content = serde_json::to_value(&view).ok();
        Ok(result)
    }

    /// The job's contact sheet, made by the live Blender the first time.
    async fn contact_sheet(&self, view: &JobView) -> Result<Vec<u8>, ToolError> {
        let path = view.job_dir.join("contact_sheet.png");
        if !path.exists() {
            let step = view.outputs.len().div_ceil(SHEET_FRAMES).max(1);
            let sample: Vec<&PathBuf> = view.outputs.iter().step_by(step).collect();
            let _: serde_json::Value = self
                .run_snippet(&CONTACT_SHEET, json!({"paths": sample, "output": path}))
                .await?;
        }
        std::fs::read(&path)
            .map_err(|e| ToolError::new(format!("cannot read {}: {e}", path.display())))
    }
}

#[tool_router(router = farm_router, vis = "pub(crate)")]
impl BlenderTools {
    #[tool(
        name = "submit_render_job",
        description = "Render frames of the live scene on the render farm: snapshots the scene \
                       (resources packed; the open file is untouched), splits the frames into \
                       chunks and queues them on the local worker pool or Slurm. Returns the job \
                       at once; watch it with get_render_job.",
        annotations(
            title = "Submit render job",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    pub async fn submit_render_job(
        &self,
        Parameters(input): Parameters<SubmitRenderJobInput>,
    ) -> Result<Json<JobView>, ToolError> {
        let farm = self.farm()?;
        if let Some([w, h]) = input.resolution {
            if w == 0 || h == 0 || w > 16384 || h > 16384 {
                return Err(ToolError::new(
                    "resolution must be [width, height], each 1-16384",
                ));
            }
        }
        let output = input
            .output
            .as_deref()
            .map(|o| self.config.confine_output(o))
            .transpose()?;
        let engine = input
            .engine
            .map(|e| {
                serde_json::to_value(e)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
            })
            .unwrap_or_default();
        let request = JobRequest {
            name: input.name,
            frames: input.frames,
            chunk: input.chunk,
            settings: RenderSettings {
                engine,
                samples: input.samples,
                resolution: input.resolution,
            },
            output,
            backend: input.backend,
            priority: input.priority,
        };
        let mut job = self.on_farm(move |farm| farm.prepare(request)).await?;
        if job.output().is_none() {
            match self.config.confine_output(&format!("{}/####", job.id())) {
                Ok(default) => job.set_output(default),
                Err(e) => {
                    farm.discard(job);
                    return Err(e);
                }
            }
        }
        let saved: Result<serde_json::Value, ToolError> = self
            .run_snippet(&SNAPSHOT, json!({"path": job.scene()}))
            .await;
        match saved {
            Ok(snapshot) => {
                if let Some(fps) = snapshot["fps"].as_f64() {
                    job.set_fps(fps);
                }
            }
            Err(e) => {
                farm.discard(job);
                return Err(e);
            }
        }
        self.on_farm(move |farm| farm.submit(job)).await.map(Json)
    }

    #[tool(
        name = "get_render_job",
        description = "A render job's state (queued, running, done, failed, cancelled) with its \
                       chunks and frames, progress, elapsed and remaining time, failures with log \
                       tails, and output paths; a finished job comes with a contact sheet.",
        annotations(
            title = "Get render job",
            read_only_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn get_render_job(
        &self,
        Parameters(input): Parameters<JobInput>,
    ) -> Result<CallToolResult, ToolError> {
        let view = self.on_farm(move |farm| farm.get(&input.job)).await?;
        self.job_result(view).await
    }

    #[tool(
        name = "list_render_jobs",
        description = "The render jobs in the farm directory, newest first, with state and progress.",
        annotations(
            title = "List render jobs",
            read_only_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn list_render_jobs(&self) -> Result<Json<JobList>, ToolError> {
        let jobs = self.on_farm(|farm| farm.list()).await?;
        Ok(Json(JobList { jobs }))
    }

    #[tool(
        name = "cancel_render_job",
        description = "Stop a render job, or some of its chunks: queued work is dropped and \
                       running workers are killed before this returns. Frames already rendered stay.",
        annotations(
            title = "Cancel render job",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    pub async fn cancel_render_job(
        &self,
        Parameters(input): Parameters<CancelRenderJobInput>,
    ) -> Result<Json<JobView>, ToolError> {
        self.on_farm(move |farm| farm.cancel(&input.job, input.chunks.as_deref()))
            .await
            .map(Json)
    }

    #[tool(
        name = "retry_render_job",
        description = "Queue a render job's failed chunks again; frames already rendered are skipped.",
        annotations(
            title = "Retry render job",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    pub async fn retry_render_job(
        &self,
        Parameters(input): Parameters<JobInput>,
    ) -> Result<Json<JobView>, ToolError> {
        self.on_farm(move |farm| farm.retry(&input.job))
            .await
            .map(Json)
    }
}

#[cfg(test)]
mod tests {
    use super::super::ToolGroup;
    use super::*;

    #[test]
    fn the_farm_tools_are_their_own_group_and_only_watchers_are_read_only() {
        for name in [
            "submit_render_job",
            "get_render_job",
            "list_render_jobs",
            "cancel_render_job",
            "retry_render_job",
        ] {
            assert_eq!(
                BlenderTools::tool_group(name),
                Some(ToolGroup::Farm),
                "{name}"
            );
        }
        let router = BlenderTools::farm_router();
        let mut read_only: Vec<String> = router
            .list_all()
            .into_iter()
            .filter(|t| t.annotations.as_ref().and_then(|a| a.read_only_hint) == Some(true))
            .map(|t| t.name.to_string())
            .collect();
        read_only.sort();
        assert_eq!(read_only, ["get_render_job", "list_render_jobs"]);
    }
}
