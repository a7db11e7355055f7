//! Frame specifications: `"1-240"`, `"1-10,20,30-40x2"`.
//!
//! The notation render managers share (Deadline, Flamenco and OpenCue all
//! accept it): comma-separated items, each a frame or `START-END` with an
//! optional `xSTEP`. Frames keep the order given; repeats are dropped so a
//! frame is never rendered twice.

use crate::error::{FarmError, Result};

/// The most frames one job may hold: beyond it the record and the per-frame
/// state stop being small.
pub const MAX_FRAMES: usize = 100_000;

/// Parses a frame specification into the frames it names, in order.
pub fn parse_frames(spec: &str) -> Result<Vec<i64>> {
    let fail = |reason: String| FarmError::Frames {
        spec: spec.to_owned(),
        reason,
    };
    let mut frames = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for item in spec.split(',').map(str::trim) {
        if item.is_empty() {
            return Err(fail("an item is empty".into()));
        }
        for frame in parse_item(item).map_err(fail)? {
            if seen.insert(frame) {
                frames.push(frame);
                if frames.len() > MAX_FRAMES {
                    return Err(fail(format!(
                        "more than {MAX_FRAMES} frames; split the job"
                    )));
                }
            }
        }
    }
    Ok(frames)
}

/// One item: `N`, `A-B` or `A-BxS`. Negative frames are allowed (`-5--1`).
fn parse_item(item: &str) -> std::result::Result<impl Iterator<Item = i64>, String> {
    let (range, step) = match item.split_once(['x', 'X']) {
        Some((range, step)) => (range, Some(step)),
        None => (item, None),
    };
    let number = |s: &str| {
        s.trim()
            .parse::<i64>()
            .map_err(|_| format!("{s:?} in {item:?} is not a frame number"))
    };
    // The separating '-' is the first one after the first character, so a
    // leading minus belongs to the start frame.
    let split = range
        .char_indices()
        .skip(1)
        .find(|&(_, c)| c == '-')
        .map(|(i, _)| i);
    let (start, end) = match split {
        Some(i) => (number(&range[..i])?, number(&range[i + 1..])?),
        None => {
            let frame = number(range)?;
            (frame, frame)
        }
    };
    if end < start {
        return Err(format!(
            "{item:?} ends before it starts; write {end}-{start} for the frames between them"
        ));
    }
    let step = match step {
        Some(s) => number(s)?,
        None => 1,
    };
    if step < 1 {
        return Err(format!("the step in {item:?} must be 1 or more"));
    }
    if (end - start) / step >= MAX_FRAMES as i64 {
        return Err(format!(
            "{item:?} has more than {MAX_FRAMES} frames; split the job"
        ));
    }
    Ok((start..=end).step_by(step as usize))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_steps_and_single_frames() {
        assert_eq!(parse_frames("1-4").unwrap(), vec![1, 2, 3, 4]);
        assert_eq!(
            parse_frames("1-3, 7,10-14x2").unwrap(),
            vec![1, 2, 3, 7, 10, 12, 14]
        );
        assert_eq!(parse_frames("-2-1").unwrap(), vec![-2, -1, 0, 1]);
        assert_eq!(parse_frames("5,1-6").unwrap(), vec![5, 1, 2, 3, 4, 6]);
    }

    #[test]
    fn bad_specs_say_why_and_how() {
        for (spec, needle) in [
            ("10-1", "ends before it starts"),
            ("", "empty"),
            ("1-", "not a frame number"),
            ("a", "not a frame number"),
            ("1-9x0", "step"),
            ("1,,2", "empty"),
            ("1-1000000", "more than"),
        ] {
            let message = parse_frames(spec).unwrap_err().to_string();
            assert!(message.contains(needle), "{spec}: {message}");
            assert!(message.contains("1-10,20,30-40x2"), "{message}");
        }
    }
}
