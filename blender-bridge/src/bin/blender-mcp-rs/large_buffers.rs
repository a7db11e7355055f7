//! Large buffers go back to the system as soon as they are freed.
//!
//! glibc's malloc serves a block above its mmap threshold (128 KiB) with a
//! mapping of its own and unmaps it on free, but raises the threshold to the
//! size of each such block freed, up to 32 MiB. After the first large reply
//! the next ones were therefore carved from the heap arenas, which keep
//! freed memory and split it across threads: relaying a 16 MiB reply peaked
//! at 82 MiB of RSS instead of 49 MiB (docs/BENCHMARKS.md, "GUI path").
//! Fixing the threshold turns that adaptation off; the small allocations
//! that make up nearly all of the server's are not affected.

/// glibc's own default threshold, kept from being raised.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 128 * 1024;

/// Fixes glibc's mmap threshold; a no-op with other allocators.
pub(crate) fn return_to_the_system_when_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it is called before
    // any other thread exists, and a refusal (0) leaves glibc's default.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}
