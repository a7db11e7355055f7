//! Render jobs on a scheduler or a local pool of headless Blenders.
//!
//! A job is a scene snapshot plus frames split into chunks, recorded in its
//! own directory under the farm directory (storage the workers can read).
//! A [`Backend`] runs chunk attempts — [`backend::slurm::Slurm`] as a Slurm
//! job array, [`backend::local::LocalPool`] as child processes — and each
//! worker (the embedded `worker.py` in the farm Blender) renders its frames
//! and marks each one done on disk. [`Farm`] ties them together and
//! [`reconcile::reconcile`] turns what the backend and the frames say into
//! job, chunk and frame states, retrying failed chunks. Nothing here knows
//! about MCP or the live Blender.

pub mod backend;
pub mod chunks;
pub mod error;
pub mod farm;
pub mod frames;
pub mod job_dir;
pub mod movie;
pub mod names;
pub mod reconcile;
pub mod record;
pub mod view;
pub mod worker;

pub use backend::{slurm::SlurmOptions, Backend, TaskStatus};
pub use error::FarmError;
pub use farm::{Farm, FarmConfig, JobRequest, PreparedJob};
pub use frames::parse_frames;
pub use record::{JobRecord, RenderSettings, State};
pub use view::{JobSummary, JobView};
