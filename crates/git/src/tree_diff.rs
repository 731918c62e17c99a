//! The entries a commit added or changed, by diffing its tree against a parent's.
//!
//! The trees are read in place from the preloaded objects (see [`Preloaded`]), with no
//! copy per tree: a long history's tree diffs are then merges of sorted entry lists,
//! the way git's `diff-tree -r` walks them.
use std::{borrow::Cow, cmp::Ordering};

use gix::{
    objs::{tree::EntryMode, tree::EntryRef, Kind, TreeRefIter},
    ObjectId,
};

use crate::{error::GitError, object_access::object_data, preloaded::Preloaded};

/// A non-tree entry (blob, symlink or submodule) that is new or changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EntryChange {
    /// `/`-separated, from the root of the tree.
    pub path: Vec<u8>,
    pub mode: EntryMode,
    pub id: ObjectId,
    /// The entry it replaced at the same path, if that was not a tree.
    pub previous: Option<(EntryMode, ObjectId)>,
}

/// Reads trees from the preloaded objects, or else from the object database.
pub(crate) struct Trees<'a> {
    pub preloaded: &'a Preloaded,
    pub repo: &'a gix::Repository,
}

impl Trees<'_> {
    fn get(&self, id: &ObjectId) -> Result<Cow<'_, [u8]>, GitError> {
        match self.preloaded.get(id) {
            Some((Kind::Tree, data)) => Ok(Cow::Borrowed(data)),
            _ => object_data(&self.repo.objects, self.repo, *id, Kind::Tree).map(Cow::Owned),
        }
    }

    /// The non-tree entries of `new` that `old` (`None`: no tree) lacks or holds
    /// differently, looking into every subtree that differs. Subtrees wait in a list
    /// rather than on the call stack, so no nesting depth can exhaust it.
    pub(crate) fn changes(
        &self,
        old: Option<ObjectId>,
        new: ObjectId,
    ) -> Result<Vec<EntryChange>, GitError> {
        let mut out = Vec::new();
        let mut pending = vec![(old, new, Vec::new())];
        while let Some((old, new, path)) = pending.pop() {
            let old = old.map(|id| self.get(&id)).transpose()?;
            let new = self.get(&new)?;
            self.diff(
                old.as_deref().unwrap_or_default(),
                &new,
                &path,
                &mut pending,
                &mut out,
            )?;
        }
        Ok(out)
    }

    /// One level: records the changed non-tree entries of `new` against `old` (both
    /// at `path`), and adds the subtrees that differ to `pending`.
    fn diff(
        &self,
        old: &[u8],
        new: &[u8],
        path: &[u8],
        pending: &mut Vec<(Option<ObjectId>, ObjectId, Vec<u8>)>,
        out: &mut Vec<EntryChange>,
    ) -> Result<(), GitError> {
        let hash = self.repo.object_hash();
        let entries = |bytes| {
            TreeRefIter::from_bytes(bytes, hash).map(|e| e.map_err(|e| GitError::read("a tree", e)))
        };
        let mut old = entries(old).peekable();
        for entry in entries(new) {
            let entry = entry?;
            // Entries of `old` before this one are gone from `new`: nothing to scan.
            let mut previous = None;
            while let Some(o) =
                old.next_if(|o| o.as_ref().map_or(true, |o| git_order(o, &entry).is_le()))
            {
                let o = o?;
                if git_order(&o, &entry).is_eq() {
                    previous = Some(o);
                    break;
                }
            }
            if previous.is_some_and(|p| p.oid == entry.oid && p.mode == entry.mode) {
                continue;
            }
            let mut entry_path = Vec::with_capacity(path.len() + 1 + entry.filename.len());
            if !path.is_empty() {
                entry_path.extend_from_slice(path);
                entry_path.push(b'/');
            }
            entry_path.extend_from_slice(entry.filename);
            let previous = previous.map(|p| (p.mode, p.oid.to_owned()));
            if entry.mode.is_tree() {
                let before = previous
                    .filter(|(mode, _)| mode.is_tree())
                    .map(|(_, id)| id);
                pending.push((before, entry.oid.to_owned(), entry_path));
            } else {
                out.push(EntryChange {
                    path: entry_path,
                    mode: entry.mode,
                    id: entry.oid.to_owned(),
                    previous: previous.filter(|(mode, _)| !mode.is_tree()),
                });
            }
        }
        Ok(())
    }
}

/// Git's order of tree entries: by name, as if a tree's name ended in `/`.
fn git_order(a: &EntryRef<'_>, b: &EntryRef<'_>) -> Ordering {
    let (an, bn): (&[u8], &[u8]) = (a.filename, b.filename);
    let n = an.len().min(bn.len());
    an[..n].cmp(&bn[..n]).then_with(|| {
        let next = |name: &[u8], e: &EntryRef<'_>| {
            name.get(n)
                .copied()
                .unwrap_or(if e.mode.is_tree() { b'/' } else { 0 })
        };
        next(an, a).cmp(&next(bn, b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        repo::Repo,
        test_repo::{git, FORMATS},
    };

    /// gix's own tree diff, as the non-tree additions and modifications it records.
    fn gix_changes(repo: &gix::Repository, old: ObjectId, new: ObjectId) -> Vec<EntryChange> {
        use gix::diff::tree::recorder::Change as C;
        let (old, new) = (
            repo.find_tree(old).expect("old tree"),
            repo.find_tree(new).expect("new tree"),
        );
        let mut recorder = gix::diff::tree::Recorder::default();
        gix::diff::tree(
            TreeRefIter::from_bytes(&old.data, repo.object_hash()),
            TreeRefIter::from_bytes(&new.data, repo.object_hash()),
            gix::diff::tree::State::default(),
            &repo.objects,
            &mut recorder,
        )
        .expect("gix diff");
        let mut out: Vec<EntryChange> = recorder
            .records
            .into_iter()
            .filter_map(|r| match r {
                C::Addition {
                    entry_mode,
                    oid,
                    path,
                    ..
                } => Some((entry_mode, oid, None, path)),
                C::Modification {
                    previous_entry_mode,
                    previous_oid,
                    entry_mode,
                    oid,
                    path,
                } => Some((
                    entry_mode,
                    oid,
                    Some((previous_entry_mode, previous_oid)),
                    path,
                )),
                C::Deletion { .. } => None,
            })
            .filter(|(mode, ..)| !mode.is_tree())
            .map(|(mode, id, previous, path)| EntryChange {
                path: path.to_vec(),
                mode,
                id,
                previous: previous.filter(|(m, _)| !m.is_tree()),
            })
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }

    /// Additions, edits, deletions, a file turned into a folder and back, a mode
    /// change and a symlink, in nested folders: the same entries as gix's diff.
    #[test]
    fn changes_match_gix() {
        for format in FORMATS {
            changes_match_gix_in(format);
        }
    }

    fn changes_match_gix_in(format: &str) {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        let write = |path: &str, text: &str| {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("dirs");
            std::fs::write(path, text).expect("write");
        };
        git(root, &["init", "-q", &format!("--object-format={format}")]);
        write("a.txt", "a\n");
        write("a/x.rs", "x\n");
        write("ab/deep/y.rs", "y\n");
        write("b", "file b\n");
        write("z/keep.txt", "keep\n");
        write("m/inner.txt", "an unchanged folder\n");
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", "one"]);
        // Sorts before the folder `m` in git's order ('.' < '/'), after it by name alone.
        write("m.txt", "beside the folder\n");
        write("a.txt", "a changed\n");
        write("a/new.rs", "new\n");
        write("ab/deep/y.rs", "y changed\n");
        std::fs::remove_file(root.join("b")).expect("rm");
        write("b/inside.txt", "b is a folder now\n");
        write("c.sh", "#!/bin/sh\n");
        std::os::unix::fs::symlink("a.txt", root.join("link")).expect("symlink");
        std::fs::remove_dir_all(root.join("z")).expect("rm z");
        write("z", "z is a file now\n");
        git(root, &["add", "-A"]);
        git(root, &["update-index", "--chmod=+x", "c.sh"]);
        git(root, &["commit", "-q", "-m", "two"]);
        git(root, &["update-index", "--chmod=-x", "c.sh"]);
        git(root, &["commit", "-q", "-m", "three"]);

        let repo = Repo::discover(root).expect("repo");
        let local = repo.local();
        let preloaded = Preloaded::none(local.object_hash());
        let trees = Trees {
            preloaded: &preloaded,
            repo: &local,
        };
        let tree = |rev: &str| {
            local
                .rev_parse_single(format!("{rev}^{{tree}}").as_str())
                .expect("tree")
                .detach()
        };
        for (old, new) in [
            ("HEAD~2", "HEAD~1"),
            ("HEAD~1", "HEAD~2"),
            ("HEAD~1", "HEAD"),
            ("HEAD~2", "HEAD"),
        ] {
            let mut ours = trees.changes(Some(tree(old)), tree(new)).expect("diff");
            ours.sort_by(|a, b| a.path.cmp(&b.path));
            assert_eq!(
                ours,
                gix_changes(&local, tree(old), tree(new)),
                "{format}: {old}..{new}"
            );
        }
        let all = trees.changes(None, tree("HEAD")).expect("diff");
        let paths: Vec<&[u8]> = all.iter().map(|c| c.path.as_slice()).collect();
        assert!(
            paths.contains(&&b"ab/deep/y.rs"[..]) && paths.contains(&&b"link"[..]),
            "{paths:?}"
        );
        assert!(all.iter().all(|c| c.previous.is_none()));
    }
}
