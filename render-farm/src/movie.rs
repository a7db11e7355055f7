//! An MP4 of a finished job's frames, where `ffmpeg` is installed.
//!
//! Frames may have gaps (`"1-10,20,30-40x2"`), so the images are listed for
//! ffmpeg's concat demuxer, each shown for one frame at the scene's rate,
//! rather than matched by a numbered pattern.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{FarmError, Result};

/// The movie's file name in the job directory.
pub const MOVIE_FILE: &str = "movie.mp4";

/// `ffmpeg` on `PATH`, if any.
pub fn ffmpeg() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("ffmpeg"))
        .find(|candidate| candidate.is_file())
}

/// Encodes `frames` (image paths in frame order) at `fps` into `dest`
/// (H.264, yuv420p: what every player takes). Writes the file list next to
/// `dest`; the movie appears only when ffmpeg succeeded.
pub fn encode(ffmpeg: &Path, frames: &[PathBuf], fps: f64, dest: &Path) -> Result<()> {
    if frames.is_empty() || fps.is_nan() || fps <= 0.0 {
        return Err(FarmError::Invalid(format!(
            "a movie needs frames and a positive frame rate (got {} frames at {fps} fps)",
            frames.len()
        )));
    }
    let list = dest.with_extension("frames.txt");
    let duration = 1.0 / fps;
    let mut text = String::from("ffconcat version 1.0\n");
    for frame in frames {
        let quoted = frame.display().to_string().replace('\'', r"'\''");
        text.push_str(&format!("file '{quoted}'\nduration {duration}\n"));
    }
    std::fs::write(&list, text).map_err(FarmError::io(&list))?;
    let partial = dest.with_extension("partial.mp4");
    let output = Command::new(ffmpeg)
        .args([
            "-y",
            "-loglevel",
            "error",
            "-f",
            "concat",
            "-safe",
            "0",
            "-i",
        ])
        .arg(&list)
        .args([
            "-r",
            &fps.to_string(),
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
        ])
        // Even dimensions, which yuv420p needs.
        .args(["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"])
        .arg(&partial)
        .output()
        .map_err(FarmError::io(ffmpeg))?;
    if !output.status.success() {
        let _ = std::fs::remove_file(&partial);
        return Err(FarmError::Invalid(format!(
            "ffmpeg could not encode the movie: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    std::fs::rename(&partial, dest).map_err(FarmError::io(dest))
}
