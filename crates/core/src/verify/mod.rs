//! The verification pipeline: commits and tags -> (payload, signature) as git splits
//! them -> a verdict per object under the trust policy, on all cores.
//!
//! **Policy changes are judged by the previous policy.** A commit that changes any file
//! of the policy (`.vigil.toml` itself, the allowed_signers file, the revoked keys, the
//! keyring, a named policy file) is verified against the policy of its first parent,
//! read from the parent's tree. So a pull request that adds its author's key fails at
//! the commit that adds it, however the rest of the branch is signed. The commit that
//! first introduces a policy is judged by the policy it introduces.
pub mod check;
pub mod command;
pub mod policy;
pub mod tags;

use std::time::Instant;

use rayon::prelude::*;
use vigil_git::{CommitSelection, GitError, Reader, Repo, SignedObject};
use vigil_model::{ObjectVerdict, Verdict};

pub use check::{check, KeyTime, GIT_NAMESPACE};
pub use policy::{verify_section, Dir, Policy, PolicyError, PolicySource, VerifyConfig};

/// Where the repository's policy lives, so a commit's parent's policy can be read.
#[derive(Debug, Clone)]
pub struct PolicyLocation {
    /// `.vigil.toml`'s path relative to the repository root (`/`-separated).
    pub config_rel: String,
}

/// What to verify and how.
pub struct VerifyRequest<'a> {
    pub repo: &'a Repo,
    pub commits: CommitSelection,
    pub tags: bool,
    pub policy: &'a Policy,
    /// Set when the policy comes from the repository: enables the policy-change rule.
    pub location: Option<PolicyLocation>,
    pub time: KeyTime,
    /// Verify history before the policy's `start` too.
    pub ignore_start: bool,
}

/// Verdicts in walk order (commits newest first, then tags), and what could not be read.
#[derive(Debug, Default)]
pub struct VerifyOutcome {
    pub verdicts: Vec<ObjectVerdict>,
    pub errors: Vec<String>,
    pub elapsed_secs: f64,
}

/// Selects, reads and judges every object of the request.
pub fn verify(req: &VerifyRequest<'_>) -> Result<VerifyOutcome, GitError> {
    let started = Instant::now();
    let start = match (&req.commits, req.ignore_start) {
        (CommitSelection::Revs(_), _) | (_, true) => None,
        _ => req.policy.start.as_deref(),
    };
    let objects = vigil_git::select(req.repo, &req.commits, req.tags, start)?;
    let results: Vec<Result<ObjectVerdict, GitError>> = objects
        .par_iter()
        .map_init(
            || req.repo.reader(),
            |reader, o| {
                let object = reader.signed_object(o)?;
                Ok(judge(reader, &object, req))
            },
        )
        .collect();
    let mut outcome = VerifyOutcome::default();
    for r in results {
        match r {
            Ok(v) => outcome.verdicts.push(v),
            Err(e) => outcome.errors.push(e.to_string()),
        }
    }
    outcome.elapsed_secs = started.elapsed().as_secs_f64();
    Ok(outcome)
}

fn judge(reader: &Reader, object: &SignedObject, req: &VerifyRequest<'_>) -> ObjectVerdict {
    let Some(location) = &req.location else {
        return check(object, req.policy, req.time);
    };
    if object.kind != vigil_git::signed::ObjectKind::Commit {
        return check(object, req.policy, req.time);
    }
    match changes_policy(reader, object, &req.policy.files) {
        Ok(None) => check(object, req.policy, req.time),
        Ok(Some(parent)) => {
            let mut v = match parent_policy(reader, parent.as_deref(), location) {
                Ok(Some(previous)) => {
                    let mut v = check(object, &previous, req.time);
                    v.reason = format!(
                        "{} (judged by the policy of its parent {})",
                        v.reason,
                        parent.as_deref().unwrap_or("")
                    );
                    v
                }
                Ok(None) => {
                    let mut v = check(object, req.policy, req.time);
                    v.reason = format!("{} (this commit introduces the trust policy)", v.reason);
                    v
                }
                Err(message) => {
                    let mut v = check(object, req.policy, req.time);
                    v.verdict = Verdict::UntrustedKey;
                    v.reason = format!("this commit changes the trust policy, and its parent's policy cannot be read: {message}");
                    v
                }
            };
            v.policy_change = true;
            v
        }
        Err(e) => {
            let mut v = check(object, req.policy, req.time);
            v.verdict = Verdict::Malformed;
            v.reason = format!("cannot tell whether this commit changes the trust policy: {e}");
            v
        }
    }
}

/// `Some(first parent)` (`Some(None)` for a root commit) when `object` changes any of
/// `files`; `None` when it changes none.
fn changes_policy(
    reader: &Reader,
    object: &SignedObject,
    files: &[String],
) -> Result<Option<Option<String>>, GitError> {
    let parent = object.split.parents.first().cloned();
    for path in files {
        let now = reader.blob_id_at(&object.id, path)?;
        let before = match &parent {
            Some(p) => reader.blob_id_at(p, path)?,
            None => None,
        };
        if now != before {
            return Ok(Some(parent));
        }
    }
    Ok(None)
}

/// The files of one commit's tree.
struct CommitTree<'a> {
    reader: &'a Reader,
    commit: &'a str,
}

impl PolicySource for CommitTree<'_> {
    fn read(&self, path: &str, by: &str) -> Result<Option<Vec<u8>>, PolicyError> {
        let bytes = self
            .reader
            .file_at(self.commit, path)
            .map(|f| f.map(|(_, b)| b))
            .map_err(|e| PolicyError::Read {
                path: path.to_owned(),
                by: by.to_owned(),
                message: e.to_string(),
            })?;
        let limit = crate::input::max_input_size();
        match bytes {
            Some(b) if b.len() as u64 > limit => Err(PolicyError::Read {
                path: path.to_owned(),
                by: by.to_owned(),
                message: crate::input::InputError::TooLarge {
                    path: path.into(),
                    limit,
                }
                .reason(),
            }),
            other => Ok(other),
        }
    }

    fn name(&self, path: &str) -> String {
        path.to_owned()
    }
}

/// The policy in force at `parent` (`Ok(None)`: it had none).
fn parent_policy(
    reader: &Reader,
    parent: Option<&str>,
    location: &PolicyLocation,
) -> Result<Option<Policy>, String> {
    let Some(parent) = parent else {
        return Ok(None);
    };
    let tree = CommitTree {
        reader,
        commit: parent,
    };
    let Some(bytes) = tree
        .read(&location.config_rel, "the repository")
        .map_err(|e| e.to_string())?
    else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(&bytes);
    let Some(section) = verify_section(&text)
        .map_err(|m| format!("{} in commit {parent}: {m}", location.config_rel))?
    else {
        return Ok(None);
    };
    if section.is_empty() {
        return Ok(None);
    }
    let policy = Policy::load(&tree, &location.config_rel, &section)
        .map_err(|e| format!("in commit {parent}: {e}"))?;
    Ok(Some(policy))
}
