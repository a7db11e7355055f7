//! The frames a byte string holds, parsed straight from PROTOCOL.md §2
//! without the codec: the oracle both the decoder fuzz target
//! (fuzz/fuzz_targets/frame_decoder.rs) and its CI stand-in
//! (tests/fault_decoder_random.rs) compare the codec with.

/// Complete frames before the first fatal length, and whether one was met.
pub fn reference(data: &[u8], max_frame: usize) -> (Vec<Vec<u8>>, bool) {
    let mut frames = Vec::new();
    let mut at = 0;
    while data.len() - at >= 4 {
        let length = u32::from_be_bytes(data[at..at + 4].try_into().unwrap()) as usize;
        if length == 0 || length > max_frame {
            return (frames, true);
        }
        if data.len() - at - 4 < length {
            break;
        }
        frames.push(data[at + 4..at + 4 + length].to_vec());
        at += 4 + length;
    }
    (frames, false)
}
