//! A ref moved from an old commit to a new one (a push, seen from a pre-push hook or
//! from CI): which commits it adds. Shared by every platform's resolver.
use vigil_git::Repo;

use super::target::{is_zero_id, CommitRange, Commits, Platform, ResolveError};

/// What one ref update adds, with a note for the origin line ("" for a plain
/// fast-forward).
#[derive(Debug)]
pub(crate) struct Update {
    pub commits: Commits,
    pub note: String,
}

/// The full id of the commit `id` names, or the error saying it is missing and how to
/// fetch it on `platform`.
pub(crate) fn require(
    repo: &Repo,
    platform: Platform,
    what: &str,
    id: &str,
) -> Result<String, ResolveError> {
    repo.commit_id(id).ok_or_else(|| {
        ResolveError::missing(
            platform,
            format!("{what} {id}"),
            id,
            repo.is_shallow_clone(),
        )
    })
}

/// The commits a ref update from `before` to `after` adds: `before..after` for a
/// fast-forward; from the merge base for a forced push; the new commits for a new ref
/// (an all-zero `before`) or a forced push whose old head is gone. `None` when the ref
/// did not move.
pub(crate) fn update(
    repo: &Repo,
    platform: Platform,
    before: &str,
    after: &str,
) -> Result<Option<Update>, ResolveError> {
    let head = require(repo, platform, "the pushed commit", after)?;
    let new = |note: String| {
        Ok(Some(Update {
            commits: Commits::New { tip: head.clone() },
            note,
        }))
    };
    if is_zero_id(before) {
        return new("new ref: the commits on no remote-tracking ref".to_owned());
    }
    let Some(base) = repo.commit_id(before) else {
        if repo.is_shallow_clone() {
            return Err(ResolveError::missing(
                platform,
                format!("the commit before the push, {before},"),
                before,
                true,
            ));
        }
        // A full clone lacks the old head when nothing reaches it any more (a forced
        // push) or, before a push, when someone else's commits were not fetched yet.
        return new(format!(
            "the old head {before} is not in this repository (a forced push?), \
             so the commits on no remote-tracking ref"
        ));
    };
    if base == head {
        return Ok(None);
    }
    let walk_failed = |e: vigil_git::GitError| {
        if repo.is_shallow_clone() {
            ResolveError::missing(
                platform,
                format!("the history between {base} and {head}"),
                &base,
                true,
            )
        } else {
            ResolveError::Git(e)
        }
    };
    if repo.is_ancestor(&base, &head).map_err(walk_failed)? {
        return Ok(Some(Update {
            commits: Commits::Range(CommitRange { base, head }),
            note: String::new(),
        }));
    }
    match repo.merge_base(&base, &head).map_err(walk_failed)? {
        Some(merge_base) => Ok(Some(Update {
            note: format!("forced push: from the merge base {merge_base} of the old head {base}"),
            commits: Commits::Range(CommitRange {
                base: merge_base,
                head,
            }),
        })),
        None => new(format!(
            "forced push: the old head {base} shares no history, so the commits on no remote-tracking ref"
        )),
    }
}
