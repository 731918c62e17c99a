use std::path::PathBuf;

/// What went wrong reading a repository, with the object or revision at fault.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{path}: not a git repository (or any parent up to the filesystem root)")]
    NotARepository { path: PathBuf },
    #[error("cannot open the repository at {path}: {message}")]
    Open { path: PathBuf, message: String },
    /// The scan cannot be complete: a revision or object it needs is not here.
    #[error("{what} is not in this repository{hint}")]
    Missing { what: String, hint: String },
    #[error("cannot read {what}: {message}")]
    Read { what: String, message: String },
    #[error("invalid revision range {spec:?}: {message}")]
    BadRange { spec: String, message: String },
}

impl GitError {
    /// True when the error means "the scan would be incomplete" (exit code 3), as
    /// opposed to a usage error.
    pub fn is_incomplete(&self) -> bool {
        matches!(self, GitError::Missing { .. })
    }

    pub(crate) fn read(what: impl Into<String>, e: impl std::fmt::Display) -> GitError {
        GitError::Read {
            what: what.into(),
            message: e.to_string(),
        }
    }
}

/// How to get a missing commit into a clone.
pub(crate) fn fetch_hint(rev: &str, shallow: bool) -> String {
    if shallow {
        format!(
            ": this is a shallow clone; fetch the history it needs with `git fetch --unshallow` \
             (or `git fetch --deepen=N`), or fetch the commit itself with `git fetch origin {rev}`; \
             in GitHub Actions set `fetch-depth: 0` on actions/checkout, in GitLab CI set `GIT_DEPTH: 0`"
        )
    } else {
        format!(
            ": fetch it with `git fetch origin {rev}` (after a force-push the old head may be gone: \
             scan from the merge base instead, e.g. `--range $(git merge-base A B)..B`)"
        )
    }
}
