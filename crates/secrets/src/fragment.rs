//! The unit of content the detector scans.
use std::sync::Arc;

/// The commit a fragment came from (git sources); absent for files and stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    pub id: String,
    pub author_name: String,
    pub author_email: String,
    /// Author date, seconds since the epoch.
    pub date: i64,
}

/// Where content came from. Shared by every finding of a fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Display path: relative to the scan root for folders, `-` for stdin,
    /// the path in the tree for git sources.
    pub path: String,
    pub commit: Option<Arc<CommitInfo>>,
}

impl Origin {
    pub fn path(path: impl Into<String>) -> Arc<Origin> {
        Arc::new(Origin {
            path: path.into(),
            commit: None,
        })
    }
}

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
