//! Commits and trees read once, in pack order, for the tree diffs of a long history.
//!
//! Diffing commit after commit reads each commit twice and each tree two or three
//! times, in an order that has nothing to do with the pack's delta chains. Instead
//! every commit and tree is decoded once, walking the packs by offset: an object
//! stored as a delta has its base earlier in the pack (already decoded and held), so
//! each delta is one inflate and one copy, with no index lookups or delta-chain
//! rebuilding (see [`crate::PackOrder`]).
use gix::{hashtable::HashMap, objs::Kind, odb::pack, prelude::Find, ObjectId};

use crate::{delta::decode_entry, memory::REMAP_BYTES, repo::Repo, workers::chunked};

/// Decoded commits and trees by id; those beyond the memory budget are read when
/// asked for.
pub(crate) struct Preloaded {
    /// One part per stretch of the packs, each decoded by its own thread.
    parts: Vec<Part>,
    hash: gix::hash::Kind,
}

/// Objects one after the other in blocks of fixed size: a few allocations, not one per
/// object, and none that doubles (a growing buffer would hold twice its bytes while
/// it moves).
#[derive(Default)]
struct Part {
    by_id: HashMap<ObjectId, (Kind, Held)>,
    blocks: Vec<Vec<u8>>,
    /// The bytes taken: the blocks and the index.
    size: usize,
}

/// Where an object's bytes sit in a part's blocks.
#[derive(Debug, Clone, Copy)]
struct Held {
    block: u32,
    start: u32,
    len: u32,
}

impl Part {
    fn bytes(&self, held: Held) -> &[u8] {
        let start = held.start as usize;
        &self.blocks[held.block as usize][start..start + held.len as usize]
    }

    /// Copies `data` into the last block, or a new one if it does not fit.
    fn hold(&mut self, data: &[u8]) -> Option<Held> {
        let fits = self
            .blocks
            .last()
            .is_some_and(|b| b.capacity() - b.len() >= data.len());
        if !fits {
            let block = Vec::with_capacity(BLOCK_BYTES.max(data.len()));
            self.size += block.capacity();
            self.blocks.push(block);
        }
        let block_number = self.blocks.len() - 1;
        let block = self.blocks.last_mut()?;
        let held = Held {
            block: u32::try_from(block_number).ok()?,
            start: u32::try_from(block.len()).ok()?,
            len: u32::try_from(data.len()).ok()?,
        };
        block.extend_from_slice(data);
        self.size += INDEX_ENTRY_BYTES;
        Some(held)
    }
}

/// The kinds preloaded.
const KINDS: [Kind; 2] = [Kind::Commit, Kind::Tree];

/// Preloaded objects are copied into blocks of this size.
const BLOCK_BYTES: usize = 1 << 20;

/// What one object's entry in a part's index takes, about (id, kind, place, the hash
/// table's spare room).
const INDEX_ENTRY_BYTES: usize = 64;

impl Preloaded {
    /// None preloaded: every object is read when asked for.
    pub(crate) fn none(hash: gix::hash::Kind) -> Preloaded {
        Preloaded {
            parts: Vec::new(),
            hash,
        }
    }

    /// Decodes the packed commits and trees in pack order, as many as the memory
    /// budget's preload share holds: one contiguous stretch per thread. A delta whose
    /// base lies in another thread's stretch (about 1% of them on a two-way split) is
    /// read through gix instead.
    pub(crate) fn load(repo: &Repo) -> Preloaded {
        let budget = repo.memory().preload_bytes();
        let objects = repo.pack_order().of_kinds_within(&KINDS, budget as u64);
        let threads = rayon::current_num_threads().max(1);
        let stretch = objects.len().div_ceil(threads);
        let parts = chunked(
            &objects,
            stretch,
            || (),
            |(), stretch| decode_stretch(repo, stretch, budget / threads),
        );
        Preloaded {
            parts,
            hash: repo.object_hash(),
        }
    }

    pub(crate) fn get(&self, id: &gix::oid) -> Option<(Kind, &[u8])> {
        self.parts.iter().find_map(|p| {
            let (kind, held) = p.by_id.get(id)?;
            Some((*kind, p.bytes(*held)))
        })
    }
}

/// Decodes `objects` (pack number, offset, id, kind; in pack order) until `max_bytes`.
fn decode_stretch(repo: &Repo, objects: &[(usize, u64, ObjectId, Kind)], max_bytes: usize) -> Part {
    let order = repo.pack_order();
    let mut fallback = Fallback::default();
    let mut part = Part::default();
    let mut inflate = gix::zlib::Inflate::default();
    let (mut packed, mut out) = (Vec::new(), Vec::new());
    // The current pack, and where in it each object decoded so far sits.
    let mut pack: Option<(usize, Option<pack::data::File>)> = None;
    let mut at_offset: Vec<(u64, Held)> = Vec::new();
    let mut mapped_at = 0;
    for &(number, offset, id, kind) in objects {
        if part.size > max_bytes {
            break;
        }
        if pack.as_ref().is_none_or(|(p, _)| *p != number) {
            pack = Some((number, order.open_pack(number)));
            at_offset.clear();
        } else if part.size > mapped_at + REMAP_BYTES {
            // Mapped anew: the pages behind are not needed again (see REMAP_BYTES).
            pack = Some((number, order.open_pack(number)));
            mapped_at = part.size;
        }
        let file = pack.as_ref().and_then(|(_, f)| f.as_ref());
        let base = |base_offset: u64| {
            let i = at_offset
                .binary_search_by_key(&base_offset, |(o, _)| *o)
                .ok()?;
            Some(part.bytes(at_offset[i].1))
        };
        let decoded = file
            .and_then(|f| decode_entry(f, offset, kind, &mut inflate, &mut packed, &mut out, base))
            // A ref-delta, a base held elsewhere, or a damaged entry: gix reads it
            // (and the diff that needs it reports any error).
            .or_else(|| {
                let store = fallback.store(repo)?;
                let found = store.objects.try_find(&id, &mut out).ok()??;
                let len = found.data.len();
                (found.kind == kind && found.data.as_ptr() == out.as_ptr())
                    .then(|| out.truncate(len))
            });
        if let Some(held) = decoded.and_then(|()| part.hold(&out)) {
            at_offset.push((offset, held));
            part.by_id.insert(id, (kind, held));
        }
    }
    part
}

/// The store a stretch reads the objects it cannot decode itself through, opened anew
/// after [`FALLBACK_READS_PER_STORE`] reads: each read may map pages all over the pack
/// and its index (a delta's whole chain of bases, an index lookup), and they leave the
/// process's memory only with the store. Through one store for the whole preload they
/// came to 210 MB on a 200,000-commit history.
#[derive(Default)]
struct Fallback {
    store: Option<gix::Repository>,
    reads: usize,
}

/// Reads through one fallback store.
const FALLBACK_READS_PER_STORE: usize = 256;

impl Fallback {
    fn store(&mut self, repo: &Repo) -> Option<&gix::Repository> {
        if self.reads.is_multiple_of(FALLBACK_READS_PER_STORE) {
            self.store = None;
            self.store = repo.reopened().ok().map(|r| r.local());
        }
        self.reads += 1;
        self.store.as_ref()
    }
}

/// Object lookups that try the preloaded objects before the object database.
pub(crate) struct WithPreloaded<'a, F> {
    pub preloaded: &'a Preloaded,
    pub objects: F,
}

impl<F: Find> Find for WithPreloaded<'_, F> {
    fn try_find<'a>(
        &self,
        id: &gix::oid,
        buffer: &'a mut Vec<u8>,
    ) -> gix::Result<Option<gix::objs::Data<'a>>> {
        match self.preloaded.get(id) {
            Some((kind, data)) => {
                buffer.clear();
                buffer.extend_from_slice(data);
                Ok(Some(gix::objs::Data::new(
                    buffer,
                    kind,
                    self.preloaded.hash,
                )))
            }
            None => self.objects.try_find(id, buffer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_repo::{packed_history, FORMATS};

    /// A packed history whose trees are deltas of each other: every commit and tree
    /// is decoded by our own delta code, and equals what gix reads.
    #[test]
    fn preload_decodes_packed_commits_and_trees_itself() {
        for format in FORMATS {
            preload_decodes(format);
        }
    }

    fn preload_decodes(format: &str) {
        let dir = packed_history(format);
        let repo = Repo::discover(dir.path()).expect("repo");
        let packed = repo.pack_order().of_kinds(&KINDS);
        assert_eq!(
            packed.len(),
            160,
            "{format}: a commit and 3 trees per commit"
        );
        let file = repo.pack_order().open_pack(packed[0].0).expect("a pack");
        let deltas = packed
            .iter()
            .filter(|(_, offset, _, _)| {
                matches!(
                    file.entry(*offset).map(|e| e.header),
                    Ok(pack::data::entry::Header::OfsDelta { .. })
                )
            })
            .count();
        assert!(deltas >= 30, "{format}: {deltas} trees stored as deltas");

        let preloaded = Preloaded::load(&repo);
        let local = repo.reader();
        let held = |id: &ObjectId| preloaded.get(id).expect("preloaded").1;
        let (mut inflate, mut buf) = (gix::zlib::Inflate::default(), Vec::new());
        for (_, offset, id, kind) in &packed {
            let mut theirs = Vec::new();
            let theirs = local.repo.objects.try_find(id, &mut theirs).expect("read");
            assert_eq!(theirs.as_ref().map(|d| d.kind), Some(*kind), "{id}");
            assert_eq!(Some(held(id)), theirs.map(|d| d.data), "{kind} {id}");
            // Decoded here, not read through gix: every delta's base is held.
            let base = |at: u64| packed.iter().find(|p| p.1 == at).map(|p| held(&p.2));
            let mut ours = Vec::new();
            assert!(decode_entry(
                &file,
                *offset,
                *kind,
                &mut inflate,
                &mut buf,
                &mut ours,
                base
            )
            .is_some());
            assert_eq!(ours, held(id), "{kind} {id}");
        }
    }
}
