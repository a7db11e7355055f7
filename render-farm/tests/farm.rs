//! The farm crate against real parts: records on disk, and a job rendered
//! by real Blenders through a real `sbatch` and through the local pool.
//!
//! Needs `SLURM_CONF` naming a running cluster (`envmgr farm up`) and a
//! Python with bpy (`BLENDER_MCP_PYTHON`, else the cached venv); fails, with
//! the reason, when either is missing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use render_farm::record::{ChunkRecord, JobRecord};
use render_farm::{Farm, FarmConfig, JobRequest, RenderSettings, SlurmOptions, State};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("render-farm-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn bpy_python() -> PathBuf {
    let path = std::env::var_os("BLENDER_MCP_PYTHON")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|h| PathBuf::from(h).join(".cache/blender-mcp-rs/venv/bin/python"))
        })
        .expect("set BLENDER_MCP_PYTHON to a Python with bpy");
    assert!(
        path.exists(),
        "{} does not exist: set BLENDER_MCP_PYTHON",
        path.display()
    );
    path
}

/// Blender's default scene (a cube, a light, a camera) saved as the job's snapshot.
fn save_default_scene(python: &Path, path: &Path) {
    let code = format!(
        "import bpy; bpy.ops.wm.save_as_mainfile(filepath={:?})",
        path.display().to_string()
    );
    let status = Command::new(python).args(["-c", &code]).status().unwrap();
    assert!(status.success(), "saving the default scene failed");
}

fn farm(dir: &Path) -> Farm {
    Farm::new(FarmConfig {
        dir: dir.join("farm"),
        blender: bpy_python(),
        workers: 2,
        retries: 1,
        slurm: SlurmOptions::default(),
    })
}

/// Renders frames 1-4 in two chunks on `backend` and checks every image.
fn render_on(backend: &str) {
    let dir = scratch(backend);
    let farm = farm(&dir);
    let job = farm
        .prepare(JobRequest {
            name: Some(format!("rust {backend}")),
            frames: "1-4".into(),
            chunk: Some(2),
            settings: RenderSettings {
                engine: Some("WORKBENCH".into()),
                samples: None,
                resolution: Some([24, 16]),
            },
            output: Some(dir.join("out/f_####")),
            backend: Some(backend.into()),
            priority: None,
        })
        .unwrap();
    save_default_scene(&bpy_python(), &job.scene());
    let submitted = farm.submit(job).unwrap();
    assert_eq!(submitted.chunks.len(), 2);
    assert!(submitted.chunks.iter().all(|c| c.handle.is_some()));
    let deadline = Instant::now() + Duration::from_secs(300);
    let view = loop {
        let view = farm.get(&submitted.id).unwrap();
        if !view.state.is_active() {
            break view;
        }
        assert!(Instant::now() < deadline, "not done in time: {view:?}");
        std::thread::sleep(Duration::from_millis(250));
    };
    assert_eq!(view.state, State::Done, "{view:?}");
    let expected: Vec<PathBuf> = (1..=4)
        .map(|f| dir.join(format!("out/f_000{f}.png")))
        .collect();
    assert_eq!(view.outputs, expected);
    for path in &expected {
        let bytes = std::fs::read(path).unwrap();
        assert!(
            bytes.starts_with(b"\x89PNG"),
            "{} is not a PNG",
            path.display()
        );
    }
    // The record on disk says the same as the view.
    let listed = farm.list().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].state, listed[0].frames_done), (State::Done, 4));
}

#[test]
fn a_job_renders_through_a_real_sbatch() {
    let conf = std::env::var("SLURM_CONF")
        .expect("SLURM_CONF must name a running cluster's config: run `envmgr farm up` first");
    assert!(
        Path::new(&conf).exists(),
        "SLURM_CONF={conf} does not exist"
    );
    render_on("slurm");
}

#[test]
fn a_job_renders_on_the_local_pool() {
    render_on("local");
}

#[test]
fn records_round_trip_atomically() {
    let dir = scratch("record");
    let path = dir.join("job.json");
    let record = JobRecord {
        id: "a-1".into(),
        name: "a".into(),
        backend: "local".into(),
        priority: Some(-3),
        submitted_at: 1.5,
        finished_at: None,
        settings: RenderSettings {
            engine: Some("CYCLES".into()),
            samples: Some(8),
            resolution: Some([64, 48]),
        },
        output: "/out/####".into(),
        retries: 2,
        cancelled: false,
        fps: Some(24.0),
        chunks: vec![ChunkRecord {
            index: 0,
            frames: vec![1, 2],
            state: State::Running,
            attempts: 1,
            handle: Some("7_0".into()),
            reason: None,
            started_at: Some(2.0),
        }],
    };
    record.save(&path).unwrap();
    assert_eq!(JobRecord::load(&path).unwrap(), record);
    let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "the temporary file was left behind");
    assert_eq!(record.state(), State::Running);
}

#[test]
fn refused_requests_leave_nothing_behind() {
    let dir = scratch("refused");
    let farm = farm(&dir);
    let request = |frames: &str, backend: &str| JobRequest {
        name: None,
        frames: frames.into(),
        chunk: None,
        settings: RenderSettings::default(),
        output: Some(dir.join("out/####")),
        backend: Some(backend.into()),
        priority: None,
    };
    let err = farm
        .prepare(request("10-1", "local"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("ends before it starts"), "{err}");
    let err = farm
        .prepare(request("1-3", "slrum"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("choose slurm or local"), "{err}");
    let err = farm.get("nope").unwrap_err().to_string();
    assert!(
        err.contains("no render job") && err.contains("no jobs yet"),
        "{err}"
    );
    assert!(
        !dir.join("farm").exists()
            || std::fs::read_dir(dir.join("farm"))
                .unwrap()
                .next()
                .is_none()
    );
}
