//! Which commits and tags a verification covers, and their raw bytes.
use std::collections::{HashSet, VecDeque};

use gix::ObjectId;
use rayon::prelude::*;

use crate::{
    error::{fetch_hint, GitError},
    fsck::{commit_problem, tag_problem},
    mergetag::{merge_tags, MergeTag},
    repo::{Reader, Repo},
    revision::{
        all_tips, collect_walk, remote_tips, resolve, rev_parse_single, shallow_end, RangeSpec,
    },
    signed::{split_commit, split_tag, ObjectKind, Split},
};

/// The commits to verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitSelection {
    /// No commits (e.g. only tags).
    None,
    /// The commits reachable from HEAD.
    Head,
    /// `A..B`.
    Range(RangeSpec),
    /// Every commit reachable from any reference.
    All,
    /// Exactly these revisions (each a commit, or an annotated tag verified as a tag).
    Revs(Vec<String>),
}

/// An object to verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    /// Full hex id.
    pub id: String,
    pub kind: ObjectKind,
    /// For tags: the reference that names it (`refs/tags/v1.0`).
    pub ref_name: Option<String>,
    /// For a reference under `refs/tags/` that names no tag object (a lightweight tag):
    /// what it names (`commit`, `tree` or `blob`; `id` is that object's).
    pub points_to: Option<&'static str>,
}

/// A commit or tag read and split for verification.
#[derive(Debug, Clone)]
pub struct SignedObject {
    pub id: String,
    pub kind: ObjectKind,
    pub ref_name: Option<String>,
    pub split: Split,
    /// What `git fsck` would report as wrong with its header (see [`crate::fsck`]).
    pub malformed: Option<String>,
    /// A lightweight tag: what its reference names instead of a tag object (the split
    /// is then empty). See [`ObjectRef::points_to`].
    pub points_to: Option<&'static str>,
    /// A commit's `mergetag` headers: the signed tags a merge carries.
    pub mergetags: Vec<MergeTag>,
}

/// Lists the commits of `commits` (less the ancestors of `start`, if given: history
/// before it is not checked) and, when `tags`, every reference under `refs/tags/` (a
/// lightweight one too: see [`ObjectRef::points_to`]).
/// Commits come newest first, in the walk's order; tags sorted by reference name.
pub fn select(
    repo: &Repo,
    commits: &CommitSelection,
    tags: bool,
    start: Option<&str>,
) -> Result<Vec<ObjectRef>, GitError> {
    let local = repo.local();
    let mut hidden = Vec::new();
    if let Some(start) = start {
        let id = resolve(repo, &local, start)?;
        let commit = local
            .find_commit(id)
            .map_err(|e| GitError::read(format!("commit {id}"), e))?;
        hidden.extend(commit.parent_ids().map(gix::Id::detach));
    }
    let commit = |id: ObjectId| ObjectRef {
        id: id.to_string(),
        kind: ObjectKind::Commit,
        ref_name: None,
        points_to: None,
    };
    let mut out = Vec::new();
    let tips = match commits {
        CommitSelection::None => Vec::new(),
        CommitSelection::Head => vec![resolve(repo, &local, "HEAD")?],
        CommitSelection::Range(RangeSpec::Range { base, tip }) => {
            hidden.push(resolve(repo, &local, base)?);
            vec![resolve(repo, &local, tip)?]
        }
        CommitSelection::Range(RangeSpec::NotOnRemotes { tip }) => {
            let tip = resolve(repo, &local, tip)?;
            hidden.extend(remote_tips(&local, tip)?);
            vec![tip]
        }
        CommitSelection::All => all_tips(&local)?,
        CommitSelection::Revs(revs) => {
            for rev in revs {
                out.push(resolve_object(repo, &local, rev)?);
            }
            Vec::new()
        }
    };
    if !tips.is_empty() {
        let walk = local
            .rev_walk(tips.iter().copied())
            .with_hidden(hidden.iter().copied())
            .all()
            .map_err(|e| GitError::read("the commit graph", e))?;
        let ids = match collect_walk(repo, walk) {
            Ok(ids) => ids,
            // gix's walk decodes each commit's header and ends at one it cannot read:
            // walk again as git does, reading only the parent lines. A commit that is
            // really missing is then reported as missing; a malformed one is listed,
            // and judged malformed, while the walk goes on behind it.
            Err(GitError::Missing { .. }) => parent_line_walk(repo, &local, &tips, &hidden)?,
            Err(e) => return Err(e),
        };
        out.extend(ids.into_iter().map(commit));
    }
    if tags {
        let mut found = tag_refs(&local)?;
        found.sort_by(|a, b| a.ref_name.cmp(&b.ref_name));
        out.extend(found);
    }
    Ok(out)
}

/// The commits reachable from `tips` and not from `hidden`, breadth first, each read
/// only as far as its `parent` lines (git's revision walk needs no more), so that a
/// malformed author or committer line does not end the walk.
fn parent_line_walk(
    repo: &Repo,
    local: &gix::Repository,
    tips: &[ObjectId],
    hidden: &[ObjectId],
) -> Result<Vec<ObjectId>, GitError> {
    let shallow = local.shallow_commits().ok().flatten();
    let is_shallow = |id: &ObjectId| shallow.as_ref().is_some_and(|s| s.contains(id));
    let parents = |id: ObjectId| -> Result<Vec<ObjectId>, GitError> {
        let missing = || GitError::Missing {
            what: format!("commit {id}"),
            hint: fetch_hint(&id.to_string(), repo.is_shallow()),
        };
        let object = local.find_object(id).map_err(|_| missing())?;
        if object.kind != gix::objs::Kind::Commit {
            return Err(GitError::Corrupt {
                what: format!("object {id}"),
                message: format!("a {} where a commit was expected", object.kind),
            });
        }
        Ok(parent_lines(&object.data))
    };
    // `stop`: commits not to list or go past; `end_is_error`: reaching the end of a
    // shallow clone means commits are missing (for the hidden side it only ends there).
    let reach = |starts: &[ObjectId], stop: &HashSet<ObjectId>, end_is_error: bool| {
        let mut seen = HashSet::new();
        let mut queue: VecDeque<ObjectId> = starts
            .iter()
            .filter(|t| !stop.contains(*t) && seen.insert(**t))
            .copied()
            .collect();
        let mut out = Vec::new();
        while let Some(id) = queue.pop_front() {
            out.push(id);
            if is_shallow(&id) {
                if end_is_error {
                    return Err(shallow_end(id));
                }
                continue;
            }
            for p in parents(id)? {
                if !stop.contains(&p) && seen.insert(p) {
                    queue.push_back(p);
                }
            }
        }
        Ok(out)
    };
    let hidden: HashSet<ObjectId> = reach(hidden, &HashSet::new(), false)?.into_iter().collect();
    reach(tips, &hidden, true)
}

/// The ids of a raw commit's `parent` lines (after its `tree` line, if it has one), as
/// far as they can be read.
fn parent_lines(raw: &[u8]) -> Vec<ObjectId> {
    raw.split(|&b| b == b'\n')
        .skip_while(|l| l.starts_with(b"tree "))
        .map_while(|l| l.strip_prefix(b"parent "))
        .map_while(|hex| ObjectId::from_hex(hex).ok())
        .collect()
}

/// A revision as the object to verify: an annotated tag stays a tag, anything else is
/// peeled to its commit.
fn resolve_object(repo: &Repo, local: &gix::Repository, rev: &str) -> Result<ObjectRef, GitError> {
    let missing = || GitError::Missing {
        what: format!("revision {rev:?}"),
        hint: fetch_hint(rev, repo.is_shallow()),
    };
    let id = rev_parse_single(local, rev).map_err(|_| missing())?;
    let header = local.find_header(id.detach()).map_err(|_| missing())?;
    if header.kind() == gix::objs::Kind::Tag {
        let ref_name = local
            .find_reference(rev)
            .ok()
            .map(|r| r.name().as_bstr().to_string());
        return Ok(ObjectRef {
            id: id.to_string(),
            kind: ObjectKind::Tag,
            ref_name,
            points_to: None,
        });
    }
    Ok(ObjectRef {
        id: resolve(repo, local, rev)?.to_string(),
        kind: ObjectKind::Commit,
        ref_name: None,
        points_to: None,
    })
}

/// Every reference under `refs/tags/`: a tag object, or what a lightweight tag names.
fn tag_refs(local: &gix::Repository) -> Result<Vec<ObjectRef>, GitError> {
    let refs = local
        .references()
        .map_err(|e| GitError::read("references", e))?;
    let mut out = Vec::new();
    for r in refs.tags().map_err(|e| GitError::read("tags", e))? {
        let Ok(r) = r else { continue };
        let Some(id) = r.try_id() else { continue };
        let name = r.name().as_bstr().to_string();
        let header = local
            .find_header(id.detach())
            .map_err(|e| GitError::read(format!("the object {name} points to"), e))?;
        let points_to = match header.kind() {
            gix::objs::Kind::Tag => None,
            gix::objs::Kind::Commit => Some("commit"),
            gix::objs::Kind::Tree => Some("tree"),
            gix::objs::Kind::Blob => Some("blob"),
        };
        out.push(ObjectRef {
            id: id.to_string(),
            kind: ObjectKind::Tag,
            ref_name: Some(name),
            points_to,
        });
    }
    Ok(out)
}

impl Reader {
    /// Reads a commit or tag and splits it as git does.
    pub fn signed_object(&self, object: &ObjectRef) -> Result<SignedObject, GitError> {
        if object.points_to.is_some() {
            // A lightweight tag: no tag object to read; the verifier says what it is.
            return Ok(SignedObject {
                id: object.id.clone(),
                kind: object.kind,
                ref_name: object.ref_name.clone(),
                split: Split::default(),
                malformed: None,
                points_to: object.points_to,
                mergetags: Vec::new(),
            });
        }
        let what = || format!("{} {}", object.kind.as_str(), object.id);
        let id = ObjectId::from_hex(object.id.as_bytes()).map_err(|e| GitError::read(what(), e))?;
        let found = self
            .repo
            .find_object(id)
            .map_err(|e| GitError::read(what(), e))?;
        let hex_len = self.repo.object_hash().len_in_hex();
        let (split, malformed, mergetags) = match object.kind {
            ObjectKind::Commit => (
                split_commit(&found.data, is_sha256(&self.repo)),
                commit_problem(&found.data, hex_len),
                merge_tags(&found.data),
            ),
            ObjectKind::Tag => (
                split_tag(&found.data),
                tag_problem(&found.data, hex_len),
                Vec::new(),
            ),
        };
        Ok(SignedObject {
            id: object.id.clone(),
            kind: object.kind,
            ref_name: object.ref_name.clone(),
            split,
            malformed,
            points_to: None,
            mergetags,
        })
    }

    /// The id of the blob at `path` in `commit`'s tree, or `None` when the path is not
    /// a file there.
    pub fn blob_id_at(&self, commit: &str, path: &str) -> Result<Option<String>, GitError> {
        Ok(self.blob_at(commit, path)?.map(|id| id.to_string()))
    }

    /// The blob at `path` in `commit`'s tree: its id and bytes, or `None` when the
    /// path is not a file there.
    pub fn file_at(&self, commit: &str, path: &str) -> Result<Option<(String, Vec<u8>)>, GitError> {
        let Some(blob_id) = self.blob_at(commit, path)? else {
            return Ok(None);
        };
        let mut blob = self
            .repo
            .find_object(blob_id)
            .map_err(|e| GitError::read(format!("{path} in commit {commit}"), e))?;
        Ok(Some((blob_id.to_string(), std::mem::take(&mut blob.data))))
    }

    fn blob_at(&self, commit: &str, path: &str) -> Result<Option<ObjectId>, GitError> {
        let what = || format!("{path} in commit {commit}");
        let id = ObjectId::from_hex(commit.as_bytes()).map_err(|e| GitError::read(what(), e))?;
        let commit = self
            .repo
            .find_commit(id)
            .map_err(|e| GitError::read(what(), e))?;
        let tree = commit.tree().map_err(|e| GitError::read(what(), e))?;
        let entry = tree
            .lookup_entry_by_path(path)
            .map_err(|e| GitError::read(what(), e))?;
        Ok(entry.filter(|e| e.mode().is_blob()).map(|e| e.object_id()))
    }
}

fn is_sha256(repo: &gix::Repository) -> bool {
    !matches!(repo.object_hash(), gix::hash::Kind::Sha1)
}

/// Reads and splits `objects` on all cores; each result in the same order.
pub fn read_signed(repo: &Repo, objects: &[ObjectRef]) -> Vec<Result<SignedObject, GitError>> {
    objects
        .par_iter()
        .map_init(|| repo.reader(), |reader, o| reader.signed_object(o))
        .collect()
}
