//! What a hook scans when git runs it: `vigil hook pre-commit` the staged changes (or,
//! under the pre-commit framework's push stage, its range), `vigil hook pre-push` the
//! commits being pushed, as the range resolver says.
use std::{
    io::Read,
    path::{Path, PathBuf},
};

use vigil_git::{GitError, Repo};

use crate::{
    hooks::Hook,
    resolve::{resolve_pre_commit, resolve_pre_push, Commits, ResolveError, Target},
    scan_request::GitSource,
};

/// At most this much of pre-push's stdin is read (a line per pushed ref).
const MAX_PRE_PUSH_INPUT: u64 = 1 << 20;

/// The scans a hook runs.
#[derive(Debug)]
pub struct HookPlan {
    /// The repository's top level.
    pub root: PathBuf,
    /// Where the plan came from ("pre-push: 2 refs"), for the front-end to say.
    pub origin: String,
    /// One git source per set of commits, or the staged changes; empty: nothing to scan.
    pub sources: Vec<GitSource>,
    /// Why there is nothing to scan, when there is not.
    pub nothing: Option<String>,
}

/// Why a hook could not work out what to scan.
#[derive(Debug, thiserror::Error)]
pub enum HookPlanError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error("cannot read the pre-push input: {0}")]
    Input(std::io::Error),
    #[error("the pre-push input is larger than {MAX_PRE_PUSH_INPUT} bytes")]
    InputTooLarge,
}

impl HookPlanError {
    /// A base commit is missing (a shallow clone): the scan would be incomplete.
    pub fn is_incomplete(&self) -> bool {
        match self {
            HookPlanError::Resolve(e) => e.is_incomplete(),
            HookPlanError::Git(e) => e.is_incomplete(),
            _ => false,
        }
    }
}

/// Works out what `hook` scans in the repository at or above `cwd`. `stdin` is read
/// only by pre-push, and only when the pre-commit framework has not set its range.
pub fn plan(
    hook: Hook,
    cwd: &Path,
    stdin: &mut dyn Read,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<HookPlan, HookPlanError> {
    let repo = Repo::discover(cwd)?;
    let framework = env("PRE_COMMIT_FROM_REF").is_some_and(|v| !v.is_empty());
    let resolved = match hook {
        Hook::PreCommit => resolve_pre_commit(&repo, env)?,
        Hook::PrePush if framework => resolve_pre_commit(&repo, env)?,
        Hook::PrePush => {
            let mut text = String::new();
            stdin
                .take(MAX_PRE_PUSH_INPUT + 1)
                .read_to_string(&mut text)
                .map_err(HookPlanError::Input)?;
            if text.len() as u64 > MAX_PRE_PUSH_INPUT {
                return Err(HookPlanError::InputTooLarge);
            }
            resolve_pre_push(&repo, &text)?
        }
    };
    let (sources, nothing) = match resolved.target {
        Target::Staged => (vec![GitSource::Staged], None),
        Target::History => (vec![GitSource::History { shard: None }], None),
        Target::Commits(sets) => (sets.iter().map(source_of).collect(), None),
        Target::Nothing { why } => (Vec::new(), Some(why)),
    };
    Ok(HookPlan {
        root: repo.root,
        origin: resolved.origin,
        sources,
        nothing,
    })
}

fn source_of(set: &Commits) -> GitSource {
    match set {
        Commits::Range(r) => GitSource::Range {
            spec: format!("{}..{}", r.base, r.head),
            shard: None,
        },
        Commits::New { tip } => GitSource::NotOnRemotes { tip: tip.clone() },
    }
}
