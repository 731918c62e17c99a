//! What a resolver answers: the commits to scan or verify and why, or the error that
//! stops it. A leaf: every platform's resolver imports it, it imports none of them.
use vigil_git::GitError;

/// What to scan or verify, and why (for the line a front-end prints:
/// "range a1b2c3..d4e5f6 from GitHub pull_request").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub target: Target,
    /// Where vigil runs and what the event was, e.g. "GitHub pull_request".
    pub origin: String,
}

/// What to scan or verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The index against HEAD (pre-commit).
    Staged,
    /// One or more sets of commits: a push of several refs gives one per ref, and one
    /// push may both update a branch (a range) and create one (new commits).
    Commits(Vec<Commits>),
    /// The whole history (scheduled and manual runs).
    History,
    /// Nothing to do, and why: a deleted branch, an empty push.
    Nothing { why: String },
}

/// One set of commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Commits {
    /// `base..head`: the commits reachable from head and not from base.
    Range(CommitRange),
    /// A new branch or tag: the commits reachable from `tip` and from no
    /// remote-tracking ref (`git rev-list TIP --not --remotes`), leaving out refs that
    /// point at `tip` itself (in CI the checkout has already fetched the pushed ref).
    New { tip: String },
}

/// `base..head`, as full commit ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitRange {
    pub base: String,
    pub head: String,
}

/// Where vigil runs: it decides how to tell the user to fetch a missing commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    GitHub,
    GitLab,
    /// A git hook on a developer's machine.
    Local,
}

impl Platform {
    /// The setting that gives the job the whole history.
    pub fn unshallow_fix(self) -> &'static str {
        match self {
            Platform::GitHub => "set `fetch-depth: 0` on actions/checkout (`with: fetch-depth: 0`)",
            Platform::GitLab => "set the CI/CD variable `GIT_DEPTH: 0` for this job",
            Platform::Local => "run `git fetch --unshallow`",
        }
    }
}

/// Why no target could be resolved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// A commit the target needs is not in the repository: the result would be
    /// incomplete (exit 3), not wrong input.
    #[error("{what} is not in this repository{why}; {fix}")]
    Incomplete {
        what: String,
        /// ": this is a shallow clone" or empty.
        why: String,
        fix: String,
    },
    #[error("not in a CI job vigil knows: neither GITHUB_ACTIONS=true nor GITLAB_CI=true is set")]
    NotCi,
    #[error("{name} is not set{context}")]
    MissingVariable { name: String, context: String },
    #[error("{name} is not a full commit id (40 or 64 hex digits)")]
    BadVariable { name: String },
    /// The GitHub event file could not be read or lacks what its event needs.
    #[error("GitHub event file {path}: {message}")]
    BadEvent { path: String, message: String },
    #[error("{platform} {what} {name:?} is not supported; vigil resolves {supported}")]
    Unsupported {
        platform: &'static str,
        what: &'static str,
        name: String,
        supported: &'static str,
    },
    /// A pre-push line that is not what git writes; never echoes the line.
    #[error("pre-push input, line {line}: {message}; expected `<local ref> <local sha> <remote ref> <remote sha>`")]
    PrePushLine { line: usize, message: String },
    #[error(transparent)]
    Git(#[from] GitError),
}

impl ResolveError {
    /// True for "the scan would be incomplete" (exit 3), as opposed to a usage error.
    pub fn is_incomplete(&self) -> bool {
        match self {
            ResolveError::Incomplete { .. } => true,
            ResolveError::Git(e) => e.is_incomplete(),
            _ => false,
        }
    }

    /// `what` is missing; in a shallow clone the fix is the platform's depth setting.
    pub(crate) fn missing(platform: Platform, what: String, id: &str, shallow: bool) -> Self {
        if shallow {
            ResolveError::Incomplete {
                what,
                why: ": this is a shallow clone".to_owned(),
                fix: format!(
                    "{} (or fetch the commit with `git fetch origin {id}`)",
                    platform.unshallow_fix()
                ),
            }
        } else {
            ResolveError::Incomplete {
                what,
                why: String::new(),
                fix: format!("fetch it with `git fetch origin {id}`"),
            }
        }
    }
}

/// True for a full hex object id (SHA-1 or SHA-256).
pub(crate) fn is_full_id(s: &str) -> bool {
    matches!(s.len(), 40 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// True for the all-zero id git and the CI platforms use for "no commit".
pub(crate) fn is_zero_id(s: &str) -> bool {
    is_full_id(s) && s.bytes().all(|b| b == b'0')
}
