//! Commits and trees read once, in pack order, for the tree diffs of a long history.
//!
//! Diffing commit after commit reads each commit twice and each tree two or three
//! times, in an order that has nothing to do with the pack's delta chains. Instead
//! every commit and tree is decoded once, walking the packs by offset: an object
//! stored as a delta has its base earlier in the pack (already decoded and held), so
//! each delta is one inflate and one copy, with no index lookups or delta-chain
//! rebuilding (see [`crate::PackOrder`]).
use std::ops::Range;

use gix::{hashtable::HashMap, objs::Kind, odb::pack, prelude::Find, ObjectId};

use crate::{delta::decode_entry, repo::Repo, workers::chunked};

/// Decoded commits and trees by id; those beyond the memory cap are read when asked for.
pub(crate) struct Preloaded {
    /// One part per stretch of the packs, each decoded by its own thread.
    parts: Vec<Part>,
    hash: gix::hash::Kind,
}

/// Objects one after the other in one buffer (a few allocations, not one per object).
#[derive(Default)]
struct Part {
    by_id: HashMap<ObjectId, (Kind, Range<usize>)>,
    bytes: Vec<u8>,
}

/// The kinds preloaded.
const KINDS: [Kind; 2] = [Kind::Commit, Kind::Tree];

/// The most bytes held: enough for every commit and tree of a large repository,
/// bounded for a huge one.
const MAX_BYTES: usize = 1 << 30;

impl Preloaded {
    /// None preloaded: every object is read when asked for.
    pub(crate) fn none(hash: gix::hash::Kind) -> Preloaded {
        Preloaded {
            parts: Vec::new(),
            hash,
        }
    }

    /// Decodes the packed commits and trees in pack order: one contiguous stretch per
    /// thread. A delta whose base lies in another thread's stretch (about 1% of them
    /// on a two-way split) is read through gix instead.
    pub(crate) fn load(repo: &Repo) -> Preloaded {
        let order = repo.pack_order();
        let objects = order.of_kinds(&KINDS);
        let threads = rayon::current_num_threads().max(1);
        let stretch = objects.len().div_ceil(threads);
        let parts = chunked(
            &objects,
            stretch,
            || (),
            |(), stretch| decode_stretch(repo, stretch, MAX_BYTES / threads),
        );
        Preloaded {
            parts,
            hash: repo.object_hash(),
        }
    }

    pub(crate) fn get(&self, id: &gix::oid) -> Option<(Kind, &[u8])> {
        self.parts.iter().find_map(|p| {
            let (kind, range) = p.by_id.get(id)?;
            Some((*kind, &p.bytes[range.clone()]))
        })
    }
}

/// Decodes `objects` (pack number, offset, id, kind; in pack order) until `max_bytes`.
fn decode_stretch(repo: &Repo, objects: &[(usize, u64, ObjectId, Kind)], max_bytes: usize) -> Part {
    let order = repo.pack_order();
    let reader = repo.reader();
    let mut part = Part::default();
    let mut inflate = gix::zlib::Inflate::default();
    let (mut packed, mut out) = (Vec::new(), Vec::new());
    // The current pack, and where in it each object decoded so far sits.
    let mut pack: Option<(usize, Option<pack::data::File>)> = None;
    let mut at_offset: Vec<(u64, Range<usize>)> = Vec::new();
    for &(number, offset, id, kind) in objects {
        if part.bytes.len() > max_bytes {
            break;
        }
        if pack.as_ref().is_none_or(|(p, _)| *p != number) {
            pack = Some((number, order.open_pack(number)));
            at_offset.clear();
        }
        let file = pack.as_ref().and_then(|(_, f)| f.as_ref());
        let base = |base_offset: u64| {
            let i = at_offset
                .binary_search_by_key(&base_offset, |(o, _)| *o)
                .ok()?;
            part.bytes.get(at_offset[i].1.clone())
        };
        let decoded = file
            .and_then(|f| decode_entry(f, offset, kind, &mut inflate, &mut packed, &mut out, base))
            // A ref-delta, a base held elsewhere, or a damaged entry: gix reads it
            // (and the diff that needs it reports any error).
            .or_else(|| {
                let found = reader.repo.objects.try_find(&id, &mut out).ok()??;
                let len = found.data.len();
                (found.kind == kind && found.data.as_ptr() == out.as_ptr())
                    .then(|| out.truncate(len))
            });
        if decoded.is_some() {
            let range = part.bytes.len()..part.bytes.len() + out.len();
            part.bytes.extend_from_slice(&out);
            at_offset.push((offset, range.clone()));
            part.by_id.insert(id, (kind, range));
        }
    }
    part
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
