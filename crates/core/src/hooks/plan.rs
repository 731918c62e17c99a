//! What a hook or a CI job scans: `vigil hook pre-commit` the staged changes (or, under
//! the pre-commit framework's push stage, its range), `vigil hook pre-push` the commits
//! being pushed, `--ci` what the CI event says, as the range resolver says.
use std::{
    io::Read,
    path::{Path, PathBuf},
};

use vigil_git::{GitError, Repo};

use crate::{
    hooks::Hook,
    resolve::{
        resolve_ci, resolve_pre_commit, resolve_pre_push, Commits, ResolveError, Resolved, Target,
    },
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
    Ok(HookPlan::of(repo.root, resolved))
}

/// Works out what a CI job scans or verifies in the repository at or above `cwd`, from
/// the CI's variables (`env`) and its event file (`read_file`, GitHub's
/// `GITHUB_EVENT_PATH`).
pub fn plan_ci(
    cwd: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    read_file: &dyn Fn(&str) -> std::io::Result<String>,
) -> Result<HookPlan, HookPlanError> {
    let repo = Repo::discover(cwd)?;
    let resolved = resolve_ci(&repo, env, read_file)?;
    Ok(HookPlan::of(repo.root, resolved))
}

/// [`plan_ci`] with this process's environment and the event file it names (written by
/// the runner, but read bounded all the same, as every input).
pub fn plan_ci_from_env(cwd: &Path) -> Result<HookPlan, HookPlanError> {
    let env = |k: &str| std::env::var(k).ok();
    let read = |path: &str| -> std::io::Result<String> {
        crate::input::read_text(Path::new(path)).map_err(|e| match e {
            crate::input::InputError::Io { source, .. } => source,
            e if e.is_missing() => std::io::Error::from(std::io::ErrorKind::NotFound),
            e => std::io::Error::other(e.reason()),
        })
    };
    plan_ci(cwd, &env, &read)
}

impl HookPlan {
    fn of(root: PathBuf, resolved: Resolved) -> HookPlan {
        let (sources, nothing) = match resolved.target {
            Target::Staged => (vec![GitSource::Staged], None),
            Target::History => (vec![GitSource::History { shard: None }], None),
            Target::Commits(sets) => (sets.iter().map(source_of).collect(), None),
            Target::Nothing { why } => (Vec::new(), Some(why)),
        };
        HookPlan {
            root,
            origin: resolved.origin,
            sources,
            nothing,
        }
    }

    /// One line saying what was resolved: `range a1b2c3d..d4e5f6a from GitHub
    /// pull_request`.
    pub fn describe(&self) -> String {
        let short = |id: &str| id.chars().take(7).collect::<String>();
        let what: Vec<String> = self
            .sources
            .iter()
            .map(|s| match s {
                GitSource::Staged => "the staged changes".to_owned(),
                GitSource::History { .. } => "the whole history".to_owned(),
                GitSource::Range { spec, .. } => match spec.split_once("..") {
                    Some((a, b)) => format!("range {}..{}", short(a), short(b)),
                    None => format!("range {spec}"),
                },
                GitSource::Since { rev, .. } => format!("commits since {rev}"),
                GitSource::NotOnRemotes { tip, .. } => {
                    format!("the commits of {} on no remote-tracking ref", short(tip))
                }
            })
            .collect();
        match &self.nothing {
            Some(why) => format!("nothing to check from {}: {why}", self.origin),
            None => format!("{} from {}", what.join(", "), self.origin),
        }
    }
}

fn source_of(set: &Commits) -> GitSource {
    match set {
        Commits::Range(r) => GitSource::Range {
            spec: format!("{}..{}", r.base, r.head),
            shard: None,
        },
        Commits::New { tip } => GitSource::NotOnRemotes {
            tip: tip.clone(),
            shard: None,
        },
    }
}
