//! Splitting a job's frames into chunks: the unit a worker renders in one
//! Blender start, and the unit that is queued, cancelled and retried.

/// `frames` in consecutive chunks of at most `size` frames (`size` 0 is 1).
pub fn chunk_frames(frames: &[i64], size: usize) -> Vec<Vec<i64>> {
    frames.chunks(size.max(1)).map(<[i64]>::to_vec).collect()
}

/// The chunk size that splits `total` frames into `chunks` chunks, rounding up.
pub fn size_for(total: usize, chunks: usize) -> usize {
    total.div_ceil(chunks.max(1)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_every_frame_once_in_order() {
        let frames: Vec<i64> = (1..=24).collect();
        let chunks = chunk_frames(&frames, size_for(24, 4));
        assert_eq!(chunks.len(), 4);
        assert!(chunks.iter().all(|c| c.len() == 6));
        assert_eq!(chunks.concat(), frames);
        let uneven = chunk_frames(&frames, 10);
        assert_eq!(
            uneven.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![10, 10, 4]
        );
        assert_eq!(chunk_frames(&frames, 0).len(), 24);
    }
}
