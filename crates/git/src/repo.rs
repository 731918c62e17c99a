//! Opening a repository as data only.
use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use gix::ObjectId;
use vigil_secrets::CommitInfo;

use crate::error::{fetch_hint, GitError};

/// A repository opened isolated from the environment and from global and system
/// configuration; shareable across threads.
pub struct Repo {
    inner: gix::ThreadSafeRepository,
    /// The work tree (or the git dir of a bare repository).
    pub root: PathBuf,
}

impl Repo {
    /// Opens the repository holding `path` (searching upwards like git).
    pub fn discover(path: &Path) -> Result<Repo, GitError> {
        let start = std::path::absolute(path).map_err(|e| GitError::Open {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        let root = start
            .ancestors()
            .find(|d| d.join(".git").exists() || is_bare(d))
            .ok_or_else(|| GitError::NotARepository {
                path: path.to_owned(),
            })?
            .to_owned();
        let options = gix::open::Options::isolated();
        let inner =
            gix::ThreadSafeRepository::open_opts(&root, options).map_err(|e| GitError::Open {
                path: root.clone(),
                message: e.to_string(),
            })?;
        Ok(Repo { inner, root })
    }

    /// A handle for the calling thread, with an object cache for tree and blob reads.
    pub(crate) fn local(&self) -> gix::Repository {
        let mut r = self.inner.to_thread_local();
        r.object_cache_size_if_unset(16 << 20);
        r.objects.set_pack_cache(|| {
            Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
                PACK_CACHE_BYTES,
            ))
        });
        r
    }

    /// A blob reader for the calling thread (each worker thread keeps one).
    pub fn reader(&self) -> Reader {
        let mut repo = self.inner.to_thread_local();
        // Blobs are read about once each: no decoded-object cache, but a delta-base
        // cache as large as git's default, since versions of a file are read in order.
        repo.object_cache_size(0);
        repo.objects.set_pack_cache(|| {
            Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
                PACK_CACHE_BYTES,
            ))
        });
        Reader(repo, std::cell::RefCell::new(Vec::with_capacity(2)))
    }

    pub(crate) fn is_shallow(&self) -> bool {
        self.inner.to_thread_local().is_shallow().unwrap_or(false)
    }

    /// Resolves a revision to a commit id, or says it is missing and how to fetch it.
    pub(crate) fn resolve(&self, repo: &gix::Repository, rev: &str) -> Result<ObjectId, GitError> {
        let missing = || GitError::Missing {
            what: format!("revision {rev:?}"),
            hint: fetch_hint(rev, self.is_shallow()),
        };
        let id = repo.rev_parse_single(rev).map_err(|_| missing())?;
        let object = id.object().map_err(|_| missing())?;
        let commit = object.peel_to_commit().map_err(|e| GitError::BadRange {
            spec: rev.to_owned(),
            message: format!("does not name a commit: {e}"),
        })?;
        Ok(commit.id)
    }
}

fn is_bare(dir: &Path) -> bool {
    dir.join("HEAD").is_file() && dir.join("objects").is_dir() && dir.join("refs").is_dir()
}

/// Author and id of a commit, shared by all its findings.
pub(crate) fn commit_info(id: ObjectId, commit: &gix::objs::CommitRef<'_>) -> Arc<CommitInfo> {
    let author = commit.author().ok();
    Arc::new(CommitInfo {
        id: id.to_string(),
        author_name: author.map(|a| a.name.to_string()).unwrap_or_default(),
        author_email: author.map(|a| a.email.to_string()).unwrap_or_default(),
        date: author.map(|a| a.seconds()).unwrap_or_default(),
    })
}

/// Reads blobs on one thread, through its own object cache.
/// The second field holds the two blobs read last: the next change of a file
/// compares against the new blob of the previous one.
pub struct Reader(
    pub(crate) gix::Repository,
    std::cell::RefCell<Vec<(ObjectId, std::rc::Rc<Vec<u8>>)>>,
);

/// Delta-base cache per reader (git's `core.deltaBaseCacheLimit` is 96 MiB).
const PACK_CACHE_BYTES: usize = 96 << 20;

impl Reader {
    /// Reads a blob; the error names it and the path it was found at.
    pub fn blob(&self, id: ObjectId, path: &str) -> Result<std::rc::Rc<Vec<u8>>, GitError> {
        if let Some((_, data)) = self.1.borrow().iter().find(|(r, _)| *r == id) {
            return Ok(std::rc::Rc::clone(data));
        }
        let mut obj = self
            .0
            .find_object(id)
            .map_err(|e| GitError::read(format!("blob {id} ({path})"), e))?;
        let data = std::rc::Rc::new(std::mem::take(&mut obj.data));
        let mut recent = self.1.borrow_mut();
        if recent.len() == 2 {
            recent.remove(0);
        }
        recent.push((id, std::rc::Rc::clone(&data)));
        Ok(data)
    }
}
