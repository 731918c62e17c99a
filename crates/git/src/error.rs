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
    /// A revision that cannot name a commit in this history (`HEAD~10` in a history of
    /// three commits): fetching would not help.
    #[error("revision {rev:?}: {message}")]
    BadRevision { rev: String, message: String },
    /// An object is here but cannot be decoded: fetching would not help either.
    #[error("{what} is corrupt or malformed: {message}")]
    Corrupt { what: String, message: String },
}

impl GitError {
    /// True when the error means "the scan would be incomplete" (exit code 3: an object
    /// is missing, or here but corrupt), as opposed to a usage error.
    pub fn is_incomplete(&self) -> bool {
        matches!(self, GitError::Missing { .. } | GitError::Corrupt { .. })
    }

    pub(crate) fn read(what: impl Into<String>, e: impl std::fmt::Display) -> GitError {
        GitError::Read {
            what: what.into(),
            message: e.to_string(),
        }
    }
}

/// An error and its sources, one sentence.
pub(crate) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

/// What a failure to read `what` (`rev` names it for a fetch) means: an object that is
/// not here (fetch it), a revision past the first commit (the history has fewer
/// commits), or an object that is here but cannot be decoded (corrupt or malformed).
pub(crate) fn unreadable(
    what: String,
    rev: &str,
    shallow: bool,
    e: &(dyn std::error::Error + 'static),
) -> GitError {
    let text = chain(e);
    let lower = text.to_lowercase();
    if shallow {
        return GitError::Missing {
            what,
            hint: fetch_hint(rev, true),
        };
    }
    if lower.contains("out of range") {
        // The innermost message says how many commits there are, without gix's frames.
        let mut inner: &(dyn std::error::Error + 'static) = e;
        while let Some(s) = inner.source() {
            inner = s;
        }
        let inner = inner.to_string();
        let said = inner.rsplit(": ").next().unwrap_or(&inner);
        return GitError::BadRevision {
            rev: rev.to_owned(),
            message: format!("the history has fewer commits than it asks for ({said})"),
        };
    }
    let missing = [
        "not found",
        "could not be found",
        "does not exist",
        "does not have any commits",
        "unknown",
        "no such",
    ];
    if missing.iter().any(|m| lower.contains(m)) {
        return GitError::Missing {
            what,
            hint: fetch_hint(rev, false),
        };
    }
    GitError::Corrupt {
        what,
        message: text,
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
