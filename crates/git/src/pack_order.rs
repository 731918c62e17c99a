//! The order objects sit in the repository's packs, and their kinds.
//!
//! A pack stores most objects as deltas against a nearby object, so reading objects in
//! pack order resolves each delta against a base that is still in the delta-base
//! cache; reading them in any other order (by id, by path, by commit) rebuilds delta
//! chains over and over, which costs several times more.
use std::path::{Path, PathBuf};

use gix::{hashtable::HashMap, objs::Kind, odb::pack, ObjectId};

use crate::{delta::base_offset, object_id};

/// Each packed object's rank in pack order (packs one after the other, each by offset)
/// and, where the pack headers tell it, its kind.
#[derive(Debug, Default)]
pub struct PackOrder {
    by_id: HashMap<ObjectId, Packed>,
    /// The packs' `.idx` files, by pack number.
    indexes: Vec<PathBuf>,
    hash: gix::hash::Kind,
}

/// The offset part of a rank.
const OFFSET_MASK: u64 = (1 << 40) - 1;

#[derive(Debug, Clone, Copy)]
struct Packed {
    rank: u64,
    kind: Option<Kind>,
}

impl PackOrder {
    /// Reads the pack indexes and entry headers (not the objects) of `repo`'s packs.
    /// A pack that cannot be read only costs speed: its objects are ranked last, and
    /// reading them reports any real problem.
    pub(crate) fn load(repo: &gix::Repository) -> PackOrder {
        let dir = repo.objects.store_ref().path().join("pack");
        let mut indexes: Vec<_> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "idx"))
            .collect();
        indexes.sort();
        let mut order = PackOrder {
            hash: repo.object_hash(),
            ..PackOrder::default()
        };
        for (n, path) in indexes.iter().enumerate() {
            order.add_pack(n, path);
        }
        order.indexes = indexes;
        order
    }

    /// Where `id` comes in pack order; loose and unknown objects come after every
    /// packed one.
    pub fn rank(&self, id: &object_id::ObjectId) -> u64 {
        self.by_id.get(&id.0).map_or(u64::MAX, |p| p.rank)
    }

    /// The pack number and offset a rank stands for; `None` for an unpacked object.
    pub(crate) fn place(rank: u64) -> Option<(usize, u64)> {
        (rank != u64::MAX).then_some(((rank >> 40) as usize, rank & OFFSET_MASK))
    }

    /// The rank of the object at `offset` in pack `pack`: the pack's number in the high
    /// bits and the offset in the low 40 (a pack offset is below 2^40: packs are at
    /// most a terabyte).
    pub(crate) fn rank_of(pack: usize, offset: u64) -> u64 {
        ((pack as u64) << 40) | offset.min(OFFSET_MASK)
    }

    /// The packed objects of `kinds` (where the headers told it), in pack order, each
    /// with its pack's number (see [`PackOrder::open_pack`]), its offset there and its
    /// kind.
    pub(crate) fn of_kinds(&self, kinds: &[Kind]) -> Vec<(usize, u64, ObjectId, Kind)> {
        let mut found: Vec<(u64, ObjectId, Kind)> = self
            .by_id
            .iter()
            .filter_map(|(id, p)| Some((p.rank, *id, p.kind.filter(|k| kinds.contains(k))?)))
            .collect();
        found.sort_unstable_by_key(|f| f.0);
        found
            .into_iter()
            .filter_map(|(rank, id, kind)| {
                let (pack, offset) = PackOrder::place(rank)?;
                Some((pack, offset, id, kind))
            })
            .collect()
    }

    /// The data file of pack number `pack`, opened; `None` if it cannot be.
    pub(crate) fn open_pack(&self, pack: usize) -> Option<pack::data::File> {
        let path = self.indexes.get(pack)?.with_extension("pack");
        pack::data::File::at(path, self.hash).ok()
    }

    /// Ranks the objects of one pack. A delta's kind is its base's: an offset delta's
    /// base comes earlier in the same pack, so walking the entries by offset knows it
    /// already.
    fn add_pack(&mut self, pack: usize, index_path: &Path) {
        let Ok(index) = pack::index::File::at(index_path, self.hash) else {
            return;
        };
        let data = pack::data::File::at(index_path.with_extension("pack"), self.hash).ok();
        let mut entries: Vec<(u64, ObjectId)> =
            index.iter().map(|e| (e.pack_offset, e.oid)).collect();
        entries.sort_unstable();
        // The kind of each entry so far, by offset (ascending).
        let mut kinds: Vec<(u64, Option<Kind>)> = Vec::with_capacity(entries.len());
        let kind_at = |kinds: &[(u64, Option<Kind>)], offset: u64| {
            let i = kinds.binary_search_by_key(&offset, |k| k.0).ok()?;
            kinds[i].1
        };
        self.by_id.reserve(entries.len());
        for (offset, id) in entries {
            let kind = data.as_ref().and_then(|d| {
                let entry = d.entry(offset).ok()?;
                match entry.header {
                    pack::data::entry::Header::Commit => Some(Kind::Commit),
                    pack::data::entry::Header::Tree => Some(Kind::Tree),
                    pack::data::entry::Header::Blob => Some(Kind::Blob),
                    pack::data::entry::Header::Tag => Some(Kind::Tag),
                    pack::data::entry::Header::OfsDelta { .. } => {
                        base_offset(&entry).and_then(|base| kind_at(&kinds, base))
                    }
                    pack::data::entry::Header::RefDelta { base_id } => {
                        self.by_id.get(&base_id).and_then(|p| p.kind)
                    }
                }
            });
            kinds.push((offset, kind));
            let rank = PackOrder::rank_of(pack, offset);
            // An object in two packs keeps its first rank: either copy reads the same.
            self.by_id.entry(id).or_insert(Packed { rank, kind });
        }
    }
}
