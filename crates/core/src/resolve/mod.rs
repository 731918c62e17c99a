//! The range resolver: given where vigil runs, what to scan or verify. Every door asks
//! here, so a hook, a GitHub workflow and a GitLab pipeline pick the same commits for
//! the same push.
//!
//! - [`target`]: the answer ([`Resolved`], [`Target`], [`Commits`]) and [`ResolveError`];
//! - `push`: what one ref update adds (fast-forward, forced push, new ref), shared by all;
//! - [`pre_push`]: git's pre-push hook input, and the pre-commit framework's variables;
//! - [`github`]: GitHub Actions events; [`gitlab`]: GitLab CI/CD pipelines.
//!
//! Environment variables are read through a function and files are passed in, so the
//! callers (and the tests) choose where they come from.
pub mod github;
pub mod gitlab;
pub mod pre_push;
mod push;
pub mod target;

use vigil_git::Repo;

pub use github::resolve_github;
pub use gitlab::resolve_gitlab;
pub use pre_push::{resolve_pre_commit, resolve_pre_push};
pub use target::{CommitRange, Commits, Platform, ResolveError, Resolved, Target};

/// What a CI job should scan or verify: detects GitHub Actions (`GITHUB_ACTIONS=true`)
/// or GitLab CI/CD (`GITLAB_CI=true`) and asks that platform's resolver. `read_file`
/// reads the GitHub event payload.
pub fn resolve_ci(
    repo: &Repo,
    env: &dyn Fn(&str) -> Option<String>,
    read_file: &dyn Fn(&str) -> std::io::Result<String>,
) -> Result<Resolved, ResolveError> {
    if env("GITHUB_ACTIONS").as_deref() == Some("true") {
        resolve_github(repo, env, read_file)
    } else if env("GITLAB_CI").as_deref() == Some("true") {
        resolve_gitlab(repo, env)
    } else {
        Err(ResolveError::NotCi)
    }
}
