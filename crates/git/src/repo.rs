//! Opening a repository as data only.
use std::{
    cell::RefCell,
    path::{Path, PathBuf},
    rc::Rc,
    sync::{Arc, OnceLock},
};

use gix::{prelude::Find, ObjectId};
use vigil_secrets::CommitInfo;

use crate::{
    error::{fetch_hint, GitError},
    pack_order::PackOrder,
};

/// A repository opened isolated from the environment and from global and system
/// configuration; shareable across threads.
pub struct Repo {
    inner: gix::ThreadSafeRepository,
    /// The work tree (or the git dir of a bare repository).
    pub root: PathBuf,
    /// Loaded when a scan first reads many objects.
    pack_order: OnceLock<PackOrder>,
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
        Ok(Repo {
            inner,
            root,
            pack_order: OnceLock::new(),
        })
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
        // Blobs are read about once each: no decoded-object cache, only delta bases.
        repo.object_cache_size(0);
        repo.objects.set_pack_cache(|| {
            Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
                PACK_CACHE_BYTES,
            ))
        });
        Reader::new(repo)
    }

    /// Where objects sit in the packs, read once (for scans that read many objects).
    pub fn pack_order(&self) -> &PackOrder {
        self.pack_order
            .get_or_init(|| PackOrder::load(&self.inner.to_thread_local()))
    }

    pub(crate) fn object_hash(&self) -> gix::hash::Kind {
        self.inner.objects.object_hash()
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

/// Reads blobs on one thread, through its own delta-base cache.
pub struct Reader {
    pub(crate) repo: gix::Repository,
    /// The blobs read last, oldest first: a change's old blob is often one just read.
    recent: RefCell<Vec<(ObjectId, Rc<Vec<u8>>)>>,
    /// Buffers of blobs no longer used, to read the next blobs into without
    /// allocating (and faulting in) fresh memory for each.
    spare: RefCell<Vec<Vec<u8>>>,
}

/// Blobs kept in [`Reader::recent`].
const RECENT: usize = 4;

/// Delta-base cache per reader. Objects are read about in pack order, where a delta's
/// base was nearly always among the last few objects read: a sixth of git's default
/// (96 MiB) costs no more CPU on the benchmark repository than git's, and 60 MB less
/// memory than a third.
const PACK_CACHE_BYTES: usize = 16 << 20;

impl Reader {
    fn new(repo: gix::Repository) -> Reader {
        Reader {
            repo,
            recent: RefCell::new(Vec::with_capacity(RECENT)),
            spare: RefCell::new(Vec::with_capacity(RECENT)),
        }
    }

    /// Reads a blob; the error names it and the path it was found at.
    pub fn blob(&self, id: ObjectId, path: &str) -> Result<Rc<Vec<u8>>, GitError> {
        if let Some((_, data)) = self.recent.borrow().iter().find(|(r, _)| *r == id) {
            return Ok(Rc::clone(data));
        }
        let read_error =
            |e: &dyn std::fmt::Display| GitError::read(format!("blob {id} ({path})"), e);
        let mut buf = self.spare.borrow_mut().pop().unwrap_or_default();
        let found = self
            .repo
            .objects
            .try_find(&id, &mut buf)
            .map_err(|e| read_error(&e))?
            .map(|d| (d.data.as_ptr(), d.data.len()));
        let data = match found {
            // The object was decoded into `buf`, as gix does.
            Some((at, len)) if at == buf.as_ptr() => {
                buf.truncate(len);
                buf
            }
            Some(_) => {
                std::mem::take(&mut self.repo.find_object(id).map_err(|e| read_error(&e))?.data)
            }
            None => {
                return Err(GitError::Missing {
                    what: format!("blob {id} ({path})"),
                    hint: fetch_hint(&id.to_string(), self.repo.is_shallow().unwrap_or(false)),
                })
            }
        };
        let data = Rc::new(data);
        let mut recent = self.recent.borrow_mut();
        if recent.len() == RECENT {
            let (_, old) = recent.remove(0);
            if let Ok(buf) = Rc::try_unwrap(old) {
                self.spare.borrow_mut().push(buf);
            }
        }
        recent.push((id, Rc::clone(&data)));
        Ok(data)
    }
}
