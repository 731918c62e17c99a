//! Commit ranges and whole histories as changes.
use std::{collections::HashMap, sync::Arc};

use gix::ObjectId;
use vigil_model::CommitInfo;

use crate::{
    change::{Change, ChangeSet, OldBlobs, Shard},
    error::{fetch_hint, GitError},
    object_access::{commit_tree, object_data},
    object_id,
    preloaded::{Preloaded, WithPreloaded},
    repo::{commit_info, Repo},
    revision::{all_tips, collect_walk, remote_tips, resolve, shallow_end, RangeSpec},
    tree_diff::Trees,
    workers::chunked,
};

/// The changes made by the commits of `spec`, each diffed against its first parent.
pub fn range(repo: &Repo, spec: &RangeSpec, shard: Option<Shard>) -> Result<ChangeSet, GitError> {
    let walk = repo.reopened()?;
    let local = walk.local();
    let (tip, hidden, what) = match spec {
        RangeSpec::Range { base, tip } => {
            let base = resolve(&walk, &local, base)?;
            let tip = resolve(&walk, &local, tip)?;
            (tip, vec![base], format!("commits of {base}..{tip}"))
        }
        RangeSpec::NotOnRemotes { tip } => {
            let tip = resolve(&walk, &local, tip)?;
            let hidden = remote_tips(&local, tip)?;
            (tip, hidden, format!("commits of {tip} not on a remote"))
        }
    };
    let revs = local
        .rev_walk([tip])
        .with_hidden(hidden)
        .all()
        .map_err(|e| GitError::read(what, e))?;
    let ids = collect_walk(repo, revs)?;
    let preloaded = if ids.len() > PRELOAD_MIN_COMMITS {
        Preloaded::load(&walk)
    } else {
        Preloaded::none(repo.object_hash())
    };
    let order = diff_order(&walk, &ids);
    drop((local, walk));
    changes_of(repo, &ids, &order, &preloaded, shard)
}

/// The changes made by every commit reachable from any reference.
///
/// The walk, the preload and the pack-order sort read most of the packs and their
/// indexes through a store opened for them ([`Repo::reopened`]), dropped before the
/// diffs, which read through a store per batch: a mapped file's pages count in the
/// process's memory for as long as the mapping lives.
pub fn history(repo: &Repo, shard: Option<Shard>) -> Result<ChangeSet, GitError> {
    let walk = repo.reopened()?;
    let local = walk.local();
    let tips = all_tips(&local)?;
    if tips.is_empty() {
        return Ok(ChangeSet::default());
    }
    // A whole history is long: its commits and trees are decoded first, in pack
    // order, and the walk reads the commits from there.
    let preloaded = Preloaded::load(&walk);
    let ids = reachable(&walk, &local, &preloaded, tips, &Default::default())?;
    let order = diff_order(&walk, &ids);
    drop((local, walk));
    changes_of(repo, &ids, &order, &preloaded, shard)
}

/// The changes made by every commit reachable from any reference and not from `hidden`
/// (the tips a past scan covered), each diffed against its parents as in [`history`].
/// A hidden commit no longer in the repository (a branch force-pushed and collected) is
/// left out and returned, so the caller can say so.
pub fn history_since(
    repo: &Repo,
    hidden: &[object_id::ObjectId],
    shard: Option<Shard>,
) -> Result<(ChangeSet, Vec<object_id::ObjectId>), GitError> {
    let walk = repo.reopened()?;
    let local = walk.local();
    let tips = all_tips(&local)?;
    let (present, gone): (Vec<_>, Vec<_>) = hidden
        .iter()
        .partition(|id| local.find_commit(id.0).is_ok());
    if tips.is_empty() {
        return Ok((ChangeSet::default(), gone));
    }
    let preloaded = Preloaded::load(&walk);
    let present = present.into_iter().map(|id| id.0).collect();
    let covered = reachable(&walk, &local, &preloaded, present, &Default::default())?;
    let covered = covered.into_iter().collect();
    let ids = reachable(&walk, &local, &preloaded, tips, &covered)?;
    let order = diff_order(&walk, &ids);
    drop((local, walk));
    Ok((changes_of(repo, &ids, &order, &preloaded, shard)?, gone))
}

/// Every commit reachable from `tips` and not from `hidden` (closed under parents), each parsed once from `preloaded` (a second
/// inflate of every commit, as a walk through the object database does, costs more
/// than the walk itself).
fn reachable(
    repo: &Repo,
    local: &gix::Repository,
    preloaded: &Preloaded,
    tips: Vec<ObjectId>,
    hidden: &gix::hashtable::HashSet<ObjectId>,
) -> Result<Vec<ObjectId>, GitError> {
    let tips: Vec<ObjectId> = tips.into_iter().filter(|t| !hidden.contains(t)).collect();
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
            if !hidden.contains(&parent) && seen.insert(parent) {
                stack.push(parent);
            }
        }
        ids.push(id);
    }
    Ok(ids)
}

/// A merge's changes are compared with its first this many parents. An octopus merge
/// of thousands of parents would otherwise cost a tree diff per parent; a parent past
/// this one is not consulted, so what the merge holds from it counts as added: scanned
/// once more, never missed.
const MAX_MERGE_PARENTS: usize = 64;

/// Above this many commits a range's commits and trees are decoded in pack order first.
const PRELOAD_MIN_COMMITS: usize = 256;

/// Commits tree-diffed per batch: what a batch yields is held twice while it joins
/// the others, and the trees it reads through its own store stay mapped until the
/// batch ends (4,096 commits held 50 MB more of a 200,000-commit history's pack than
/// 1,024, at about the same speed).
const DIFF_BATCH: usize = 1024;

/// Commits a thread takes at a time within a batch.
const DIFF_CHUNK: usize = 64;

/// The order to diff `ids` in (indexes into it): pack order for more than a few
/// commits, else as walked.
fn diff_order(repo: &Repo, ids: &[ObjectId]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..ids.len()).collect();
    if ids.len() > PRELOAD_MIN_COMMITS {
        let packs = repo.pack_order().indexes();
        order.sort_by_cached_key(|&i| packs.rank(&ids[i]));
    }
    order
}

/// Tree-diffs every commit against its parents on all cores, in `order` (pack order: the trees
/// a commit and its parent need sit near each other there, so the trees not preloaded
/// are still in the thread's caches when the next commits ask for them.
fn changes_of(
    repo: &Repo,
    ids: &[ObjectId],
    order: &[usize],
    preloaded: &Preloaded,
    shard: Option<Shard>,
) -> Result<ChangeSet, GitError> {
    let mut set = ChangeSet {
        commits: ids.len() as u64,
        ..ChangeSet::default()
    };
    let mut malformed = Vec::new();
    let mut paths = Paths::default();
    for batch in order.chunks(DIFF_BATCH) {
        // Each batch reads trees through a store of its own: what one batch mapped
        // leaves memory with it, so the pages held do not grow with the history.
        let batch_repo = repo.reopened()?;
        let per_chunk = chunked(
            batch,
            DIFF_CHUNK,
            || batch_repo.local(),
            |local, chunk| {
                chunk
                    .iter()
                    .map(|&i| (i, commit_changes(local, preloaded, ids[i])))
                    .collect::<Vec<_>>()
            },
        );
        for (i, r) in per_chunk.into_iter().flatten() {
            match r {
                Ok((changes, submodules)) => {
                    set.changes.extend(changes.into_iter().map(|mut c| {
                        c.path = paths.shared(c.path);
                        c
                    }));
                    set.submodules += submodules;
                }
                // One commit whose header cannot be decoded never stops the others.
                Err(GitError::Corrupt { message, .. }) => malformed.push((i, message)),
                Err(e) => return Err(e),
            }
        }
    }
    malformed.sort_unstable_by_key(|(i, _)| *i);
    set.malformed = malformed
        .into_iter()
        .map(|(i, message)| (ids[i].to_string(), message))
        .collect();
    Ok(set.finish(shard))
}

/// The distinct paths of a history, each held once: a file changed by ten thousand
/// commits is one allocation, not ten thousand.
#[derive(Default)]
struct Paths(std::collections::HashSet<Arc<str>>);

impl Paths {
    fn shared(&mut self, path: Arc<str>) -> Arc<str> {
        if let Some(held) = self.0.get(&path) {
            return Arc::clone(held);
        }
        self.0.insert(Arc::clone(&path));
        path
    }
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
    let decoded = gix::objs::CommitRef::from_bytes(&data, repo.object_hash()).map_err(|e| {
        GitError::Corrupt {
            what: what(),
            message: crate::fsck::commit_problem(&data, repo.object_hash().len_in_hex())
                .map_or_else(|| e.to_string(), |p| format!("git fsck: {p}")),
        }
    })?;
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
        .map(|p| commit_tree(preloaded, repo, *p))
        .transpose()?;
    let trees = Trees { preloaded, repo };
    // A missing tree stays `Missing`: the scan is then incomplete, with a fetch hint.
    let diff_error = |e| match e {
        GitError::Missing { .. } => e,
        e => GitError::read(format!("the tree diff of commit {id}"), e),
    };
    let entries = trees
        .changes(first_parent_tree, tree_id)
        .map_err(diff_error)?;

    // The blobs this commit adds or changes against its first parent.
    let mut submodules = 0;
    let mut blobs = Vec::new();
    for entry in entries {
        if entry.mode.is_commit() {
            submodules += 1;
        } else if entry.mode.is_blob() {
            blobs.push(entry);
        }
    }
    let mut olds: Vec<OldBlobs> = blobs
        .iter()
        .map(|e| {
            let old = e
                .previous
                .filter(|(mode, _)| mode.is_blob_or_symlink())
                .map(|(_, id)| object_id::ObjectId(id));
            smallvec::smallvec![old]
        })
        .collect();
    // A merge: a blob one of the other parents holds already adds nothing; the others'
    // versions are compared too, so only lines new to every parent count as added.
    let mut from_other_parent = vec![false; blobs.len()];
    let other_parents = &parents[1.min(parents.len())..parents.len().min(MAX_MERGE_PARENTS)];
    if !other_parents.is_empty() && !blobs.is_empty() {
        let at: HashMap<&[u8], usize> = blobs
            .iter()
            .enumerate()
            .map(|(i, e)| (e.path.as_slice(), i))
            .collect();
        let mut differs = vec![false; blobs.len()];
        for parent in other_parents {
            let theirs_tree = commit_tree(preloaded, repo, *parent)?;
            // One diff per parent (a merge of sorted entry lists), rather than a
            // lookup per path and parent: linear in the trees, whatever their shape.
            differs.fill(false);
            let diff = trees
                .changes(Some(theirs_tree), tree_id)
                .map_err(diff_error)?;
            for change in diff {
                let Some(&i) = at.get(change.path.as_slice()) else {
                    continue;
                };
                differs[i] = true;
                let theirs = change
                    .previous
                    .filter(|(mode, _)| mode.is_blob())
                    .map(|(_, id)| id);
                from_other_parent[i] |= theirs == Some(blobs[i].id);
                olds[i].push(theirs.map(object_id::ObjectId));
            }
            // Not in the diff: this parent holds the same blob at the same path.
            for (from, differs) in from_other_parent.iter_mut().zip(&differs) {
                *from |= !differs;
            }
        }
    }

    let changes = blobs
        .into_iter()
        .zip(olds)
        .zip(from_other_parent)
        .filter(|(_, from_other_parent)| !from_other_parent)
        .map(|((entry, old), _)| Change {
            path: String::from_utf8_lossy(&entry.path).into(),
            commit: Some(Arc::clone(&info)),
            time,
            new: object_id::ObjectId(entry.id),
            old,
        })
        .collect();
    Ok((changes, submodules))
}

#[cfg(test)]
mod tests {
    use std::{io::Write, path::Path, process::Command, process::Stdio};

    use super::*;

    /// Runs a git plumbing command in `dir` with `input` on stdin; its trimmed output.
    fn plumb(dir: &Path, args: &[&str], input: &str) -> String {
        let mut child = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("git runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write");
        let out = child.wait_with_output().expect("git runs");
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .trim()
            .to_owned()
    }

    /// A merge of `n` parents, each adding `p/fNN.txt` to a base holding `shared.txt`;
    /// the merge holds every parent's file, `shared.txt` with a line none of them has,
    /// and a new `resolution.txt`. Returns the base and the merge.
    fn octopus(dir: &Path, n: usize) -> (String, String) {
        plumb(dir, &["init", "-q"], "");
        let blob = |text: &str| plumb(dir, &["hash-object", "-w", "--stdin"], text);
        let tree = |entries: &[(&str, &str, &str)]| {
            let text: String = entries
                .iter()
                .map(|(mode, name, id)| {
                    let kind = if *mode == "040000" { "tree" } else { "blob" };
                    format!("{mode} {kind} {id}\t{name}\n")
                })
                .collect();
            plumb(dir, &["mktree"], &text)
        };
        let shared = blob("shared\n");
        let base_tree = tree(&[("100644", "shared.txt", &shared)]);
        let base = plumb(dir, &["commit-tree", &base_tree, "-m", "base"], "");
        let mut files = Vec::new();
        let mut parents = Vec::new();
        for i in 0..n {
            let name = format!("f{i:02}.txt");
            let id = blob(&format!("file {i}\n"));
            let p = tree(&[("100644", &name, &id)]);
            let t = tree(&[("100644", "shared.txt", &shared), ("040000", "p", &p)]);
            parents.push(plumb(
                dir,
                &["commit-tree", &t, "-p", &base, "-m", &format!("p{i}")],
                "",
            ));
            files.push((name, id));
        }
        let entries: Vec<(&str, &str, &str)> = files
            .iter()
            .map(|(name, id)| ("100644", name.as_str(), id.as_str()))
            .collect();
        let p = tree(&entries);
        let merged = blob("shared\nmerged\n");
        let resolution = blob("resolution\n");
        let t = tree(&[
            ("100644", "shared.txt", &merged),
            ("100644", "resolution.txt", &resolution),
            ("040000", "p", &p),
        ]);
        let mut args = vec!["commit-tree".to_owned(), t];
        for parent in &parents {
            args.extend(["-p".to_owned(), parent.clone()]);
        }
        args.extend(["-m".to_owned(), "octopus".to_owned()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        (base, plumb(dir, &args, ""))
    }

    /// The merge commit's changes: (path, how many blobs each is compared with).
    fn merge_changes(dir: &Path, base: &str, merge: &str) -> Vec<(String, usize)> {
        let repo = Repo::discover(dir).expect("repo");
        let spec = RangeSpec::Range {
            base: base.to_owned(),
            tip: merge.to_owned(),
        };
        let set = range(&repo, &spec, None).expect("range");
        let mut out: Vec<(String, usize)> = set
            .changes
            .iter()
            .filter(|c| c.commit.as_ref().is_some_and(|i| i.id == merge))
            .map(|c| (c.path.to_string(), c.old.len()))
            .collect();
        out.sort();
        out
    }

    /// The changes of a history as (path, commit, new blob, old blobs), in order.
    fn change_list(repo: &Repo) -> Vec<String> {
        let set = history(repo, None).expect("history");
        set.changes
            .iter()
            .map(|c| {
                let commit = c.commit.as_ref().map(|i| i.id.clone());
                format!("{} {commit:?} {} {:?}", c.path, c.new.0, c.old)
            })
            .collect()
    }

    /// The memory budget changes only what is preloaded and cached: a preload that
    /// holds a few of the commits and trees (the rest read as the diffs ask, in pack
    /// order) gives the same changes, attributed to the same commits, as one that holds
    /// them all.
    #[test]
    fn the_memory_budget_never_changes_the_changes() {
        for format in crate::test_repo::FORMATS {
            let dir = crate::test_repo::packed_history(format);
            let mut repo = Repo::discover(dir.path()).expect("repo");
            let whole = change_list(&repo);
            assert!(whole.len() >= 40, "{format}: {} changes", whole.len());
            for bytes in [0, 4 << 10, 64 << 10] {
                repo.set_memory(crate::memory::MemoryBudget::tiny(bytes));
                assert_eq!(change_list(&repo), whole, "{format}, budget {bytes}");
            }
        }
    }

    /// What an octopus merge brings from any parent adds nothing; what is new to all
    /// of them is compared with every parent's version.
    #[test]
    fn a_merge_adds_only_what_no_parent_holds() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (base, merge) = octopus(dir.path(), 5);
        assert_eq!(
            merge_changes(dir.path(), &base, &merge),
            vec![
                ("resolution.txt".to_owned(), 5),
                ("shared.txt".to_owned(), 5)
            ]
        );
    }

    /// Past `MAX_MERGE_PARENTS`, parents are not consulted: what the merge holds from
    /// them is scanned again, with the first parents' versions to compare to.
    #[test]
    fn a_merge_of_many_parents_is_compared_with_the_first_ones() {
        let dir = tempfile::tempdir().expect("temp dir");
        let n = MAX_MERGE_PARENTS + 3;
        let (base, merge) = octopus(dir.path(), n);
        let mut expected: Vec<(String, usize)> = (MAX_MERGE_PARENTS..n)
            .map(|i| (format!("p/f{i:02}.txt"), MAX_MERGE_PARENTS))
            .collect();
        expected.push(("resolution.txt".to_owned(), MAX_MERGE_PARENTS));
        expected.push(("shared.txt".to_owned(), MAX_MERGE_PARENTS));
        expected.sort();
        assert_eq!(merge_changes(dir.path(), &base, &merge), expected);
    }

    /// Since the tips a past scan covered: only the commits no hidden tip reaches; a
    /// hidden id not in the repository is returned, not an error.
    #[test]
    fn history_since_hides_what_the_past_tips_reach() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (base, merge) = octopus(dir.path(), 3);
        plumb(dir.path(), &["update-ref", "refs/heads/main", &merge], "");
        let repo = Repo::discover(dir.path()).expect("repo");
        let commits = |set: &ChangeSet| {
            let mut ids: Vec<String> = set
                .changes
                .iter()
                .filter_map(|c| c.commit.as_ref().map(|i| i.id.clone()))
                .collect();
            ids.sort();
            ids.dedup();
            ids
        };
        let whole = history(&repo, None).expect("history");
        assert_eq!(whole.commits, 5);
        let hex = |h: &str| object_id::ObjectId::from_hex(h).expect("hex");
        let gone = hex(&"ab".repeat(20));
        let (since, missing) =
            history_since(&repo, &[hex(&base), gone], None).expect("history since");
        assert_eq!(missing, vec![gone]);
        assert_eq!(since.commits, 4, "the base is hidden, its children are not");
        assert!(!commits(&since).contains(&base));
        let (none, _) = history_since(&repo, &[hex(&merge)], None).expect("history since");
        assert_eq!(none.commits, 0);
        assert!(none.changes.is_empty());
    }
}
