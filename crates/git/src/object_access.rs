//! Raw bytes of commits and trees by id, for the walks and tree diffs: a missing
//! object says how to fetch it.
use gix::ObjectId;

use crate::{
    error::{fetch_hint, GitError},
    preloaded::Preloaded,
};

/// The raw bytes of object `id`, which must be a `kind`; a missing one says how to
/// fetch it (into a shallow clone of `repo` or not).
pub(crate) fn object_data(
    objects: &impl gix::prelude::Find,
    repo: &gix::Repository,
    id: ObjectId,
    kind: gix::objs::Kind,
) -> Result<Vec<u8>, GitError> {
    let mut data = Vec::new();
    match objects.try_find(&id, &mut data) {
        Ok(Some(found)) if found.kind == kind => Ok(data),
        Ok(Some(found)) => Err(GitError::read(
            format!("{kind} {id}"),
            format!("it is a {}", found.kind),
        )),
        Ok(None) => Err(GitError::Missing {
            what: format!("{kind} {id}"),
            hint: fetch_hint(&id.to_string(), repo.is_shallow().unwrap_or(false)),
        }),
        Err(e) => Err(GitError::read(format!("{kind} {id}"), e)),
    }
}

/// The tree of `commit`; a commit that cannot be read is missing. A preloaded commit
/// is read in place: a commit with a huge message may be the parent of thousands.
pub(crate) fn commit_tree(
    preloaded: &Preloaded,
    repo: &gix::Repository,
    commit: ObjectId,
) -> Result<ObjectId, GitError> {
    let tree = |data: &[u8]| {
        gix::objs::CommitRefIter::from_bytes(data, repo.object_hash())
            .tree_id()
            .map_err(|e| GitError::read(format!("commit {commit}"), e))
    };
    if let Some((gix::objs::Kind::Commit, data)) = preloaded.get(&commit) {
        return tree(data);
    }
    let data = object_data(&repo.objects, repo, commit, gix::objs::Kind::Commit).map_err(|_| {
        GitError::Missing {
            what: format!("commit {commit}"),
            hint: fetch_hint(&commit.to_string(), repo.is_shallow().unwrap_or(false)),
        }
    })?;
    tree(&data)
}
