//! The unit of content the detector scans.
use std::sync::Arc;

use vigil_model::Origin;

/// A run of contiguous lines: a whole file, stdin, or a block of lines a commit adds.
/// `first_line` is the 1-based line number of the first byte in the file it
/// belongs to, so git sources can hand over only the added lines of a hunk.
#[derive(Debug, Clone, Copy)]
pub struct Fragment<'a> {
    pub origin: &'a Arc<Origin>,
    pub bytes: &'a [u8],
    pub first_line: u32,
}

impl<'a> Fragment<'a> {
    pub fn new(origin: &'a Arc<Origin>, bytes: &'a [u8]) -> Fragment<'a> {
        Fragment {
            origin,
            bytes,
            first_line: 1,
        }
    }
}
