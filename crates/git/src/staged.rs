//! What the index would commit: index entries against the HEAD tree.
use std::collections::HashMap;

use gix::{bstr::ByteSlice, ObjectId};

use crate::{
    change::{Change, ChangeSet},
    error::GitError,
    object_id,
    repo::Repo,
};

/// The changes staged for the next commit. Works in a repository with no commit yet
/// (everything staged is new), during a merge (an unmerged path is compared using
/// the version being merged in), with renames (an exact rename adds nothing; a file
/// renamed and edited is compared to the file it came from when they share a name)
/// and with submodules (counted, not scanned: their content lives elsewhere).
pub fn staged(repo: &Repo) -> Result<ChangeSet, GitError> {
    let local = repo.local();
    let index = local
        .index_or_empty()
        .map_err(|e| GitError::read("the index", e))?;
    let head: HashMap<Vec<u8>, ObjectId> = head_blobs(&local)?;

    let mut set = ChangeSet::default();
    let mut in_index: HashMap<&[u8], ()> = HashMap::new();
    let mut candidates: Vec<(String, ObjectId)> = Vec::new();
    for entry in index.entries() {
        let path = entry.path(&index);
        in_index.insert(path.as_bytes(), ());
        use gix::index::entry::{Mode, Stage};
        if entry.mode == Mode::COMMIT {
            set.submodules += 1;
            continue;
        }
        if !(entry.mode == Mode::FILE
            || entry.mode == Mode::FILE_EXECUTABLE
            || entry.mode == Mode::SYMLINK)
        {
            continue;
        }
        // Unmerged: stage 1 is the base, 2 ours (HEAD), 3 theirs; theirs is what arrives.
        if matches!(entry.stage(), Stage::Base | Stage::Ours) {
            continue;
        }
        if head.get(path.as_bytes()) == Some(&entry.id) {
            continue;
        }
        candidates.push((path.to_str_lossy().into_owned(), entry.id));
    }
    // Paths gone from the index, by blob and by file name, for rename pairing.
    let deleted: Vec<(&Vec<u8>, &ObjectId)> = head
        .iter()
        .filter(|(p, _)| !in_index.contains_key(p.as_slice()))
        .collect();
    for (path, id) in candidates {
        let old = match head.get(path.as_bytes()) {
            Some(old) => Some(*old),
            None => {
                if deleted.iter().any(|(_, d)| **d == id) {
                    continue; // exact rename: nothing added
                }
                let name = file_name(path.as_bytes());
                deleted
                    .iter()
                    .find(|(p, _)| file_name(p) == name)
                    .map(|(_, d)| **d)
            }
        };
        set.changes.push(Change {
            path: path.into(),
            commit: None,
            time: 0,
            new: object_id::ObjectId(id),
            old: smallvec::smallvec![old.map(object_id::ObjectId)],
        });
    }
    Ok(set.finish(None))
}

fn file_name(path: &[u8]) -> &[u8] {
    path.rsplit(|&b| b == b'/').next().unwrap_or(path)
}

/// Every blob of the HEAD tree by path; empty when HEAD is unborn.
fn head_blobs(repo: &gix::Repository) -> Result<HashMap<Vec<u8>, ObjectId>, GitError> {
    let Ok(Some(head)) = repo.head_commit().map(Some).or_else(|e| {
        if repo.head().is_ok_and(|h| h.is_unborn()) {
            Ok(None)
        } else {
            Err(e)
        }
    }) else {
        return Ok(HashMap::new());
    };
    let tree = head
        .tree()
        .map_err(|e| GitError::read("the HEAD tree", e))?;
    let mut recorder = gix::traverse::tree::Recorder::default();
    tree.traverse()
        .breadthfirst(&mut recorder)
        .map_err(|e| GitError::read("the HEAD tree", e))?;
    Ok(recorder
        .records
        .into_iter()
        .filter(|e| e.mode.is_blob() || e.mode.is_link())
        .map(|e| (e.filepath.into(), e.oid))
        .collect())
}
