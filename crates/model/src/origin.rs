//! Where content came from: a path, and for git sources the commit.
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
