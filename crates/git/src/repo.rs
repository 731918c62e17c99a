//! Opening a repository as data only.
use std::{
    cell::RefCell,
    path::{Path, PathBuf},
    rc::Rc,
    sync::{Arc, OnceLock},
};

use gix::{objs::Kind, odb::pack, prelude::Find};
use vigil_model::CommitInfo;

use crate::{
    delta::{base_offset, decode_entry},
    error::{fetch_hint, GitError},
    memory::{MemoryBudget, REMAP_BYTES},
    object_id::ObjectId,
    pack_order::PackOrder,
};

/// A repository opened isolated from the environment and from global and system
/// configuration; shareable across threads.
pub struct Repo {
    inner: gix::ThreadSafeRepository,
    /// The work tree (or the git dir of a bare repository).
    pub root: PathBuf,
    /// Listed when first asked for.
    pack_order: OnceLock<Arc<PackOrder>>,
    /// What the caches of the readers and tree diffs may hold.
    memory: MemoryBudget,
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
            memory: MemoryBudget::DEFAULT,
        })
    }

    /// The same repository opened anew: its own object store, so the pack and index
    /// pages a phase of a scan touched leave the process's memory when the phase drops
    /// it. A mapped file's pages count in RSS for as long as the mapping lives, and
    /// over a long history the tree diffs would otherwise touch nearly all of them.
    pub(crate) fn reopened(&self) -> Result<Repo, GitError> {
        let mut repo = Repo::discover(&self.root)?;
        repo.memory = self.memory;
        Ok(repo)
    }

    /// Sets what the caches of later readers, tree diffs and preloads may hold.
    pub fn set_memory(&mut self, memory: MemoryBudget) {
        self.memory = memory;
    }

    pub(crate) fn memory(&self) -> MemoryBudget {
        self.memory
    }

    /// A handle for the calling thread, with an object cache for tree and blob reads.
    pub(crate) fn local(&self) -> gix::Repository {
        let mut r = self.inner.to_thread_local();
        let cache = self.memory.cache_bytes();
        r.object_cache_size_if_unset(cache);
        r.objects.set_pack_cache(move || {
            Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(cache))
        });
        r
    }

    /// A blob reader for the calling thread (each worker thread keeps one).
    pub fn reader(&self) -> Reader {
        let mut repo = self.inner.to_thread_local();
        let cache = self.memory.cache_bytes();
        // Blobs are read about once each: no decoded-object cache, only delta bases.
        repo.object_cache_size(0);
        repo.objects.set_pack_cache(move || {
            Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(cache))
        });
        Reader::new(repo, Arc::clone(self.pack_order()), cache)
    }

    /// The repository's packs, to read objects in pack order.
    pub(crate) fn pack_order(&self) -> &Arc<PackOrder> {
        self.pack_order
            .get_or_init(|| Arc::new(PackOrder::load(&self.inner.to_thread_local())))
    }

    pub(crate) fn object_hash(&self) -> gix::hash::Kind {
        self.inner.objects.object_hash()
    }

    pub(crate) fn is_shallow(&self) -> bool {
        self.inner.to_thread_local().is_shallow().unwrap_or(false)
    }
}

fn is_bare(dir: &Path) -> bool {
    dir.join("HEAD").is_file() && dir.join("objects").is_dir() && dir.join("refs").is_dir()
}

/// Author and id of a commit, shared by all its findings.
pub(crate) fn commit_info(id: gix::ObjectId, commit: &gix::objs::CommitRef<'_>) -> Arc<CommitInfo> {
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
    /// The blobs read last, oldest first, with their place in the packs: a change's
    /// old blob is often one just read, and so is the base of a blob's delta.
    recent: RefCell<Vec<HeldBlob>>,
    /// Buffers of blobs no longer used, to read the next blobs into without
    /// allocating (and faulting in) fresh memory for each.
    spare: RefCell<Vec<Vec<u8>>>,
    /// The packs, opened as needed, to decode blobs directly.
    packs: (Arc<PackOrder>, RefCell<Packs>),
    /// The most bytes `recent` holds, and `spare` too (see [`MemoryBudget`]).
    held_bytes: usize,
}

/// A blob a reader holds: its id (`None` for a delta base decoded on the way to
/// another blob: deltas find their base by rank), its rank in pack order, its bytes.
type HeldBlob = (Option<ObjectId>, u64, Rc<Vec<u8>>);

/// Opened pack data files by pack number, and the inflater and delta buffer used with them.
#[derive(Default)]
struct Packs {
    files: Vec<Option<Option<pack::data::File>>>,
    inflate: gix::zlib::Inflate,
    delta: Vec<u8>,
    /// Bytes the reads since the files were opened may have mapped (see [`REMAP_BYTES`]).
    mapped: usize,
}

impl Packs {
    /// Pack `number`'s data file, opened on first use; `None` if it cannot be.
    fn file<'a>(
        files: &'a mut Vec<Option<Option<pack::data::File>>>,
        order: &PackOrder,
        number: usize,
    ) -> Option<&'a pack::data::File> {
        if files.len() <= number {
            files.resize_with(number + 1, || None);
        }
        files[number]
            .get_or_insert_with(|| order.open_pack(number))
            .as_ref()
    }
}

/// Blobs kept in [`Reader::recent`].
const RECENT: usize = 16;

/// What one read of a mapped file may bring into memory however little it reads: the
/// kernel maps 16 pages around a page fault (`fault_around_bytes`, 64 KiB by default).
const FAULT_AROUND_BYTES: usize = 64 << 10;

/// The longest chain of delta bases a reader decodes itself (git's default is 50).
const MAX_CHAIN: usize = 64;

impl Reader {
    fn new(repo: gix::Repository, order: Arc<PackOrder>, held_bytes: usize) -> Reader {
        Reader {
            repo,
            recent: RefCell::new(Vec::with_capacity(RECENT)),
            spare: RefCell::new(Vec::with_capacity(RECENT)),
            packs: (order, RefCell::new(Packs::default())),
            held_bytes,
        }
    }

    /// Reads blob `id`, at `rank` in pack order (`u64::MAX` if not known); the error
    /// names it and the path it was found at.
    ///
    /// A packed blob stored whole or as a chain of offset deltas is decoded here (see
    /// `decode`): no index lookup or copy into and out of gix's delta cache. Anything
    /// else is read through gix.
    pub(crate) fn blob(
        &self,
        id: ObjectId,
        rank: u64,
        path: &str,
    ) -> Result<Rc<Vec<u8>>, GitError> {
        if let Some((_, _, data)) = self.recent.borrow().iter().find(|h| h.0 == Some(id)) {
            return Ok(Rc::clone(data));
        }
        // Held already as the base of a delta read before: it has an id now.
        if rank != u64::MAX {
            let mut recent = self.recent.borrow_mut();
            if let Some(held) = recent.iter_mut().find(|h| h.0.is_none() && h.1 == rank) {
                held.0 = Some(id);
                return Ok(Rc::clone(&held.2));
            }
        }
        let mut buf = self.spare.borrow_mut().pop().unwrap_or_default();
        let data = match self.decode(rank, &mut buf, 0) {
            Some(()) => buf,
            None => self.read(id.0, path, buf)?,
        };
        Ok(self.hold(Some(id), rank, data))
    }

    /// Keeps `data` among the recent blobs; the oldest go once there are more than
    /// `RECENT` or they hold more than `held_bytes` (the last two always stay).
    fn hold(&self, id: Option<ObjectId>, rank: u64, data: Vec<u8>) -> Rc<Vec<u8>> {
        let data = Rc::new(data);
        let mut recent = self.recent.borrow_mut();
        recent.push((id, rank, Rc::clone(&data)));
        let mut held: usize = recent.iter().map(|(_, _, d)| d.len()).sum();
        while recent.len() > RECENT || (held > self.held_bytes && recent.len() > 2) {
            let (_, _, old) = recent.remove(0);
            held -= old.len();
            if let Ok(buf) = Rc::try_unwrap(old) {
                self.spare_buffer(buf);
            }
        }
        data
    }

    /// Decodes the packed blob at `rank` into `out` if it is whole, or an offset delta
    /// whose base is in `recent` or can itself be decoded so (`depth` bases deep
    /// already, at most `MAX_CHAIN`): a base this reader decodes stays among its
    /// recent blobs, where the next delta of the same chain finds it. gix would
    /// rebuild the chain from its own cache, which holds none of the blobs read here.
    fn decode(&self, rank: u64, out: &mut Vec<u8>, depth: usize) -> Option<()> {
        let (number, offset) = PackOrder::place(rank)?;
        if self.decode_over_held(number, offset, out).is_some() {
            return Some(());
        }
        // Only a delta whose base is not held is worth another try, after its base.
        let base_rank = self.delta_base(number, offset)?;
        if depth >= MAX_CHAIN || self.recent.borrow().iter().any(|(_, r, _)| *r == base_rank) {
            return None;
        }
        let mut base = self.spare.borrow_mut().pop().unwrap_or_default();
        if self.decode(base_rank, &mut base, depth + 1).is_none() {
            self.spare_buffer(base);
            return None;
        }
        self.hold(None, base_rank, base);
        self.decode_over_held(number, offset, out)
    }

    /// Decodes the entry at `offset` of pack `number` into `out` if it is a whole blob,
    /// or an offset delta of a blob in `recent`; a missing base costs no inflate.
    fn decode_over_held(&self, number: usize, offset: u64, out: &mut Vec<u8>) -> Option<()> {
        let (order, packs) = &self.packs;
        let mut packs = packs.borrow_mut();
        let Packs {
            files,
            inflate,
            delta,
            mapped,
        } = &mut *packs;
        let file = Packs::file(files, order, number)?;
        // A base stays held while deltas keep using it: git often stores many versions
        // of a file as deltas of one (the largest), between other objects.
        let base_at = |base_offset| {
            let base_rank = PackOrder::rank_of(number, base_offset);
            let mut recent = self.recent.borrow_mut();
            let at = recent.iter().position(|(_, r, _)| *r == base_rank)?;
            let held = recent.remove(at);
            let base = Rc::clone(&held.2);
            recent.push(held);
            Some(base)
        };
        let found = decode_entry(file, offset, Kind::Blob, inflate, delta, out, base_at);
        // Blobs are read in the order of their changes, not of the pack: each read may
        // map pages of its own, at least the ones the kernel maps around a fault.
        *mapped += out.len().max(FAULT_AROUND_BYTES);
        if *mapped > REMAP_BYTES {
            *mapped = 0;
            files.clear();
        }
        found
    }

    /// Keeps a buffer to read a later blob into; a chain of bases takes one per base,
    /// so only as many as `recent` holds are kept, and no more bytes than it may hold
    /// (one huge blob's buffer would otherwise stay for the rest of the scan).
    fn spare_buffer(&self, buf: Vec<u8>) {
        let mut spare = self.spare.borrow_mut();
        let kept: usize = spare.iter().map(Vec::capacity).sum();
        if spare.len() < RECENT && kept + buf.capacity() <= self.held_bytes {
            spare.push(buf);
        }
    }

    /// The rank of the base of the offset delta at `offset` of pack `number`; `None`
    /// for any other entry.
    fn delta_base(&self, number: usize, offset: u64) -> Option<u64> {
        let (order, packs) = &self.packs;
        let mut packs = packs.borrow_mut();
        let entry = Packs::file(&mut packs.files, order, number)?
            .entry(offset)
            .ok()?;
        Some(PackOrder::rank_of(number, base_offset(&entry)?))
    }

    /// Reads a blob through gix, into `buf` where gix allows.
    fn read(&self, id: gix::ObjectId, path: &str, mut buf: Vec<u8>) -> Result<Vec<u8>, GitError> {
        let read_error =
            |e: &dyn std::fmt::Display| GitError::read(format!("blob {id} ({path})"), e);
        let found = self
            .repo
            .objects
            .try_find(&id, &mut buf)
            .map_err(|e| read_error(&e))?
            .map(|d| (d.data.as_ptr(), d.data.len()));
        match found {
            // The object was decoded into `buf`, as gix does.
            Some((at, len)) if at == buf.as_ptr() => {
                buf.truncate(len);
                Ok(buf)
            }
            Some(_) => Ok(std::mem::take(
                &mut self.repo.find_object(id).map_err(|e| read_error(&e))?.data,
            )),
            None => Err(GitError::Missing {
                what: format!("blob {id} ({path})"),
                hint: fetch_hint(&id.to_string(), self.repo.is_shallow().unwrap_or(false)),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_repo::{packed_history, FORMATS};

    /// The blob as gix reads it.
    fn gix_read(reader: &Reader, id: gix::ObjectId) -> Vec<u8> {
        let mut buf = Vec::new();
        let found = reader.repo.objects.try_find(&id, &mut buf).expect("read");
        found.expect("blob exists").data.to_vec()
    }

    /// Read in pack order, packed blobs (whole ones and deltas of blobs just read) are
    /// decoded by the reader itself, and equal what gix reads.
    #[test]
    fn reader_decodes_packed_blobs_itself() {
        for format in FORMATS {
            decodes_packed_blobs_itself(format);
        }
    }

    fn decodes_packed_blobs_itself(format: &str) {
        let dir = packed_history(format);
        let repo = Repo::discover(dir.path()).expect("repo");
        assert_eq!(repo.object_hash().to_string(), format);
        let blobs = repo.pack_order().of_kinds(&[Kind::Blob]);
        let reader = repo.reader();
        let (mut whole, mut deltas) = (0, 0);
        for &(number, offset, id, _) in &blobs {
            let mut direct = Vec::new();
            let rank = PackOrder::rank_of(number, offset);
            let decoded = reader.decode(rank, &mut direct, 0);
            let data = reader.blob(ObjectId(id), rank, "test").expect("blob");
            assert_eq!(gix_read(&reader, id), *data, "blob {id}");
            if decoded.is_some() {
                assert_eq!(direct, *data, "blob {id}");
                let file = repo.pack_order().open_pack(number).expect("pack");
                match file.entry(offset).expect("entry").header {
                    pack::data::entry::Header::OfsDelta { .. } => deltas += 1,
                    _ => whole += 1,
                }
            }
        }
        assert!(
            whole > 0 && deltas >= 20,
            "{format}: {whole} whole, {deltas} deltas decoded"
        );
    }

    /// Read against pack order, a delta's base was never read on its own before it:
    /// the reader decodes the chain of bases itself (and holds them for the next).
    #[test]
    fn reader_decodes_a_deltas_chain_of_bases() {
        for format in FORMATS {
            decodes_a_deltas_chain_of_bases(format);
        }
    }

    fn decodes_a_deltas_chain_of_bases(format: &str) {
        let dir = packed_history(format);
        let repo = Repo::discover(dir.path()).expect("repo");
        let blobs = repo.pack_order().of_kinds(&[Kind::Blob]);
        let reader = repo.reader();
        let mut deltas = 0;
        for &(number, offset, id, _) in blobs.iter().rev() {
            let mut direct = Vec::new();
            let decoded = reader.decode(PackOrder::rank_of(number, offset), &mut direct, 0);
            let file = repo.pack_order().open_pack(number).expect("pack");
            if let pack::data::entry::Header::OfsDelta { .. } =
                file.entry(offset).expect("entry").header
            {
                assert!(decoded.is_some(), "delta blob {id} not decoded");
                deltas += 1;
            }
            if decoded.is_some() {
                assert_eq!(gix_read(&reader, id), direct, "blob {id}");
            }
        }
        assert!(deltas >= 20, "{format}: {deltas} deltas");
        // Bases held on the way are no answer to a lookup by id, not even a null one.
        let null = ObjectId(gix::ObjectId::null(repo.object_hash()));
        assert!(reader.blob(null, u64::MAX, "null").is_err());
    }
}
