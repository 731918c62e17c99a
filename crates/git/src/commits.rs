//! Commit ranges and whole histories as changes.
use std::sync::Arc;

use gix::ObjectId;
use rayon::prelude::*;
use vigil_model::CommitInfo;

use crate::{
    change::{Change, ChangeSet, Shard},
    error::{fetch_hint, GitError},
    object_access::{commit_tree, object_data},
    object_id,
    preloaded::{Preloaded, WithPreloaded},
    repo::{commit_info, Repo},
    revision::{all_tips, collect_walk, remote_tips, resolve, shallow_end, RangeSpec},
    tree_diff::{EntryChange, Trees},
};

/// The changes made by the commits of `spec`, each diffed against its first parent.
pub fn range(repo: &Repo, spec: &RangeSpec, shard: Option<Shard>) -> Result<ChangeSet, GitError> {
    let local = repo.local();
    let (tip, hidden, what) = match spec {
        RangeSpec::Range { base, tip } => {
            let base = resolve(repo, &local, base)?;
            let tip = resolve(repo, &local, tip)?;
            (tip, vec![base], format!("commits of {base}..{tip}"))
        }
        RangeSpec::NotOnRemotes { tip } => {
            let tip = resolve(repo, &local, tip)?;
            let hidden = remote_tips(&local, tip)?;
            (tip, hidden, format!("commits of {tip} not on a remote"))
        }
    };
    let walk = local
        .rev_walk([tip])
        .with_hidden(hidden)
        .all()
        .map_err(|e| GitError::read(what, e))?;
    let ids = collect_walk(repo, walk)?;
    let preloaded = if ids.len() > PRELOAD_MIN_COMMITS {
        Preloaded::load(repo)
    } else {
        Preloaded::none(repo.object_hash())
    };
    changes_of(repo, &ids, &preloaded, shard)
}

/// The changes made by every commit reachable from any reference.
pub fn history(repo: &Repo, shard: Option<Shard>) -> Result<ChangeSet, GitError> {
    let local = repo.local();
    let tips = all_tips(&local)?;
    if tips.is_empty() {
        return Ok(ChangeSet::default());
    }
    // A whole history is long: its commits and trees are decoded first, in pack
    // order, and the walk reads the commits from there.
    let preloaded = Preloaded::load(repo);
    let ids = reachable(repo, &local, &preloaded, tips)?;
    changes_of(repo, &ids, &preloaded, shard)
}

/// Every commit reachable from `tips`, each parsed once from `preloaded` (a second
/// inflate of every commit, as a walk through the object database does, costs more
/// than the walk itself).
fn reachable(
    repo: &Repo,
    local: &gix::Repository,
    preloaded: &Preloaded,
    tips: Vec<ObjectId>,
) -> Result<Vec<ObjectId>, GitError> {
    let shallow = local.shallow_commits().ok().flatten();
    let objects = WithPreloaded {
        preloaded,
        objects: &local.objects,
    };
    let mut seen: gix::hashtable::HashSet<ObjectId> = tips.iter().copied().collect();
    let mut stack = tips;
    let mut ids = Vec::new();
    while let Some(id) = stack.pop() {
        if shallow.as_ref().is_some_and(|s| s.contains(&id)) {
            return Err(shallow_end(id));
        }
        let data =
            object_data(&objects, local, id, gix::objs::Kind::Commit).map_err(|e| match e {
                GitError::Missing { .. } => GitError::Missing {
                    what: format!("a commit of the walked history ({e})"),
                    hint: fetch_hint("<commit>", repo.is_shallow()),
                },
                e => GitError::Corrupt {
                    what: format!("commit {id} of the walked history"),
                    message: e.to_string(),
                },
            })?;
        for parent in gix::objs::CommitRefIter::from_bytes(&data, local.object_hash()).parent_ids()
        {
            if seen.insert(parent) {
                stack.push(parent);
            }
        }
        ids.push(id);
    }
    Ok(ids)
}

/// Above this many commits a range's commits and trees are decoded in pack order first.
const PRELOAD_MIN_COMMITS: usize = 256;

/// Tree-diffs every commit against its parents, in parallel.
fn changes_of(
    repo: &Repo,
    ids: &[ObjectId],
    preloaded: &Preloaded,
    shard: Option<Shard>,
) -> Result<ChangeSet, GitError> {
    let per_commit: Vec<Result<(Vec<Change>, u64), GitError>> = ids
        .par_iter()
        .map_init(
            || repo.local(),
            |local, id| commit_changes(local, preloaded, *id),
        )
        .collect();
    let mut set = ChangeSet {
        commits: ids.len() as u64,
        ..ChangeSet::default()
    };
    for r in per_commit {
        let (changes, submodules) = r?;
        set.changes.extend(changes);
        set.submodules += submodules;
    }
    Ok(set.finish(shard))
}

fn commit_changes(
    repo: &gix::Repository,
    preloaded: &Preloaded,
    id: ObjectId,
) -> Result<(Vec<Change>, u64), GitError> {
    let what = || format!("commit {id}");
    let objects = WithPreloaded {
        preloaded,
        objects: &repo.objects,
    };
    let data = object_data(&objects, repo, id, gix::objs::Kind::Commit)?;
    let decoded = gix::objs::CommitRef::from_bytes(&data, repo.object_hash())
        .map_err(|e| GitError::read(what(), e))?;
    let info: Arc<CommitInfo> = commit_info(id, &decoded);
    let time = decoded
        .committer()
        .map(|c| c.seconds())
        .unwrap_or(info.date);
    let tree_id = decoded.tree();
    let parents: Vec<ObjectId> = decoded.parents().collect();
    drop(decoded);

    let first_parent_tree = parents
        .first()
        .map(|p| commit_tree(&objects, repo, *p))
        .transpose()?;
    let trees = Trees { preloaded, repo };
    // A missing tree stays `Missing`: the scan is then incomplete, with a fetch hint.
    let entries = trees
        .changes(first_parent_tree, tree_id)
        .map_err(|e| match e {
            GitError::Missing { .. } => e,
            e => GitError::read(format!("the tree diff of commit {id}"), e),
        })?;

    let other_parents: Vec<ObjectId> = parents[1.min(parents.len())..]
        .iter()
        .map(|p| commit_tree(&objects, repo, *p))
        .collect::<Result<_, _>>()?;

    let mut changes = Vec::new();
    let mut submodules = 0;
    for entry in entries {
        let EntryChange {
            path,
            mode,
            id: new,
            previous,
        } = entry;
        let old = previous
            .filter(|(mode, _)| mode.is_blob_or_symlink())
            .map(|(_, id)| id);
        if mode.is_commit() {
            submodules += 1;
            continue;
        }
        if !mode.is_blob() {
            continue;
        }
        let mut olds = vec![old.map(object_id::ObjectId)];
        let mut from_other_parent = false;
        for tree in &other_parents {
            let theirs = trees.blob_at(*tree, &path);
            from_other_parent |= theirs == Some(new);
            olds.push(theirs.map(object_id::ObjectId));
        }
        if from_other_parent {
            continue;
        }
        changes.push(Change {
            path: String::from_utf8_lossy(&path).into_owned(),
            commit: Some(Arc::clone(&info)),
            time,
            new: object_id::ObjectId(new),
            old: olds,
        });
    }
    Ok((changes, submodules))
}
