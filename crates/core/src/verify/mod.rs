//! The verification pipeline: commits and tags -> (payload, signature) as git splits
//! them -> a verdict per object under the trust policy, on all cores.
//!
//! **Trust follows history.** The policy committed at the *trusted base* B (the range's
//! base, `--trusted-base`, else HEAD's commit; never the work tree) is trusted as it is;
//! its `start` is the trust root R. Each commit X hands its children an *effective
//! policy* E(X) ([`history`]): E(R) is the policy in R's tree; otherwise E(X) = E(first
//! parent) unless X changes that policy's files (`.vigil.toml` or the named policy file,
//! and every file it names), in which case X is judged by E(parent) and, when `good`,
//! E(X) is the policy in X's tree (none: B's again); an unauthorised change leaves
//! E(parent) in force, so the commits trusted only through it fail too. A root commit,
//! or a history with no policy yet, has B's policy. Each commit (a merge too) is judged
//! by its first parent's effective policy, the trust root by its own, tags by B's. A key
//! in the `revoked_keys` of B's policy or of any authorised policy met is revoked for
//! every commit (compromised, retroactive); a key removed from `allowed_signers` is
//! retired from that change on (prospective). So a pull request that adds its author's
//! key fails at that commit and at every later commit trusted only through it, and the
//! verdict for a commit does not depend on the branch checked out.
//!
//! One-off trust files and a policy file outside the repository are one flat policy for
//! every object.
pub mod check;
pub mod command;
pub mod history;
pub mod policy;
pub mod tags;

use std::{collections::HashMap, sync::Arc, time::Instant};

use rayon::prelude::*;
use vigil_git::{signed::ObjectKind, CommitSelection, GitError, Repo, SignedObject};
use vigil_model::{ObjectVerdict, Verdict};

pub use check::{check, check_under, Compromise, KeyTime, GIT_NAMESPACE};
use history::{Effective, History, Origin};
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
    /// The trusted base's policy (or the one-off policy, or a policy file from outside
    /// the repository: then it judges every object).
    pub policy: Arc<Policy>,
    /// Set when the policy comes from the repository's history: each commit is then
    /// judged by the effective policy of its first parent.
    pub location: Option<PolicyLocation>,
    /// The trusted base's commit id (with `location`).
    pub base: Option<String>,
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
    let mut outcome = VerifyOutcome::default();
    let results: Vec<Result<ObjectVerdict, String>> = match (&req.location, &req.base) {
        (Some(location), Some(base)) => by_history(req, location, base, &objects)?,
        _ => objects
            .par_iter()
            .map_init(
                || req.repo.reader(),
                |reader, o| {
                    let object = reader.signed_object(o).map_err(|e| e.to_string())?;
                    Ok(check(&object, &req.policy, req.time))
                },
            )
            .collect(),
    };
    for r in results {
        match r {
            Ok(v) => outcome.verdicts.push(v),
            Err(e) => outcome.errors.push(e),
        }
    }
    outcome.elapsed_secs = started.elapsed().as_secs_f64();
    Ok(outcome)
}

/// At most this many passes to gather the compromised keys (each pass can only add).
const MAX_PASSES: usize = 8;

/// Judges each commit by the effective policy of its first parent, and tags by the
/// base's policy; a key revoked by any authorised policy met is revoked everywhere.
fn by_history(
    req: &VerifyRequest<'_>,
    location: &PolicyLocation,
    base: &str,
    objects: &[vigil_git::ObjectRef],
) -> Result<Vec<Result<ObjectVerdict, String>>, GitError> {
    let root = match req.ignore_start {
        true => None,
        false => match &req.policy.start {
            Some(s) => Some(req.repo.commit_id(s).ok_or_else(|| GitError::Missing {
                what: format!("the policy's start commit {s}"),
                hint: String::new(),
            })?),
            None => None,
        },
    };
    let before_root = match &root {
        Some(r) => req.repo.history_before(r)?,
        None => Default::default(),
    };
    let base_policy = req.policy.clone();
    let base_eff = Arc::new(Effective {
        policy: base_policy.clone(),
        origin: Origin::Base(base.to_owned()),
        taint: None,
        broken: None,
    });
    let reader = req.repo.reader();
    let mut history = History::new(
        &reader,
        location,
        base_eff.clone(),
        root.clone(),
        before_root,
        req.time,
    );
    let mut compromised = vec![Compromise {
        policy: base_policy,
        at: format!("of the trusted base {base}"),
    }];
    // Each commit's first parent and effective policy, and its own.
    let mut plan: HashMap<&str, Result<Plan, String>> = HashMap::new();
    for _ in 0..MAX_PASSES {
        history.reset();
        plan.clear();
        for o in objects.iter().filter(|o| o.kind == ObjectKind::Commit) {
            let entry = (|| {
                // Its own first (so the keys its policy revokes are known), then its parent's.
                let own = history.effective(&o.id, &compromised)?;
                let parent = reader.parent_ids(&o.id)?.into_iter().next();
                if root.as_deref() == Some(o.id.as_str()) {
                    // The trust root is judged by the policy it holds (trusted as is).
                    return Ok::<_, GitError>(Plan {
                        parent,
                        eff: own,
                        changes: false,
                        trust_root: true,
                    });
                }
                let eff = match &parent {
                    Some(p) => history.effective(p, &compromised)?,
                    None => history.base.clone(),
                };
                let changes = history.changes(&o.id, parent.as_deref(), &eff.policy)?;
                Ok(Plan {
                    parent,
                    eff,
                    changes,
                    trust_root: false,
                })
            })();
            plan.insert(o.id.as_str(), entry.map_err(|e| e.to_string()));
        }
        let mut seen: Vec<String> = compromised.iter().map(|c| c.at.clone()).collect();
        let mut grew = false;
        let mut found: Vec<(&String, &Arc<Effective>)> = history.known().iter().collect();
        found.sort_by(|a, b| a.0.cmp(b.0));
        for (_, e) in found {
            if e.policy.revoked.is_none() {
                continue;
            }
            let at = match &e.origin {
                Origin::Base(_) => continue,
                Origin::Root(r) => format!("of the trust root {r}"),
                Origin::Authorised(a) => format!("authorised at {a}"),
            };
            if !seen.contains(&at) {
                seen.push(at.clone());
                compromised.push(Compromise {
                    policy: e.policy.clone(),
                    at,
                });
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    let results = objects
        .par_iter()
        .map_init(
            || req.repo.reader(),
            |reader, o| {
                let object = reader.signed_object(o).map_err(|e| e.to_string())?;
                if o.kind != ObjectKind::Commit {
                    let mut v = check_under(&object, &base_eff.policy, &compromised, req.time);
                    v.reason = format!("{} (judged by {})", v.reason, base_eff.origin.describe());
                    return Ok(v);
                }
                let p = plan[o.id.as_str()].clone()?;
                Ok(judge_commit(&object, &p, &compromised, req.time))
            },
        )
        .collect();
    Ok(results)
}

/// How one commit is judged: by its first parent's effective policy (the trust root by
/// its own).
#[derive(Clone)]
struct Plan {
    parent: Option<String>,
    eff: Arc<Effective>,
    /// It changes the files of that policy.
    changes: bool,
    trust_root: bool,
}

/// One commit's verdict under its first parent's effective policy, with a reason that
/// says which policy judged it.
fn judge_commit(
    object: &SignedObject,
    plan: &Plan,
    compromised: &[Compromise],
    time: KeyTime,
) -> ObjectVerdict {
    let (eff, changes, parent) = (&plan.eff, plan.changes, plan.parent.as_deref());
    let mut v = check_under(object, &eff.policy, compromised, time);
    let by = eff.origin.describe();
    if let Some(message) = &eff.broken {
        v.verdict = Verdict::UntrustedKey;
        v.reason = format!("{by} cannot be read, so nothing is trusted after it: {message}");
        v.policy_change = changes;
        return v;
    }
    v.reason = match (changes, parent) {
        _ if plan.trust_root => format!(
            "{} (the trust root, the base policy's `start`: judged by the policy it holds)",
            v.reason
        ),
        (true, Some(p)) => format!(
            "{} (this commit changes the trust policy: judged by the policy of its parent {p}, {by})",
            v.reason
        ),
        (true, None) => format!(
            "{} (a root commit that introduces a trust policy: judged by {by})",
            v.reason
        ),
        (false, None) => format!("{} (a root commit: judged by {by})", v.reason),
        (false, Some(_)) => format!("{} (judged by {by})", v.reason),
    };
    v.policy_change = changes;
    if !v.verdict.passes() {
        if let Some(t) = &eff.taint {
            let through = t.claimed.as_ref().is_some_and(|claimed| {
                check_under(object, claimed, compromised, time).verdict == Verdict::Good
            });
            if through && t.commit != object.id {
                v.reason = format!(
                    "{}; trusted only through {}'s policy change, which was not authorised: {}",
                    v.reason,
                    t.commit,
                    t.verdict.as_str()
                );
            }
        }
    }
    v
}
