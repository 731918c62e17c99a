//! The order objects sit in the repository's packs, and their kinds.
//!
//! A pack stores most objects as deltas against a nearby object, so reading objects in
//! pack order resolves each delta against a base that is still in the delta-base
//! cache; reading them in any other order (by id, by path, by commit) rebuilds delta
//! chains over and over, which costs several times more.
use std::path::PathBuf;

use gix::{objs::Kind, odb::pack, ObjectId};

use crate::{delta::base_offset, memory::REMAP_BYTES};

/// Where the repository's packs are, to read objects from them in pack order (packs
/// one after the other, each by offset). Nothing is mapped while this is held: the
/// indexes are mapped by [`PackOrder::indexes`] for as long as lookups need them.
#[derive(Default)]
pub struct PackOrder {
    /// The packs' `.idx` files, by pack number.
    indexes: Vec<PathBuf>,
    hash: gix::hash::Kind,
}

impl std::fmt::Debug for PackOrder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PackOrder")
            .field("indexes", &self.indexes)
            .finish_non_exhaustive()
    }
}

/// The packs' indexes, mapped (as git maps them): each packed object's rank in pack
/// order is read from there, so nothing is held per object. Lookups by id land all
/// over an index, so soon a long history's whole index (tens of megabytes) counts in
/// the process's memory: drop this as soon as the lookups are done.
pub(crate) struct PackIndexes {
    /// By pack number; `None` for an index that cannot be read: that pack's objects
    /// rank last, and reading them reports any real problem.
    packs: Vec<Option<pack::index::File>>,
}

/// The offset part of a rank.
const OFFSET_MASK: u64 = (1 << 40) - 1;

impl PackOrder {
    /// Lists the packs of `repo` (nothing is opened).
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
        PackOrder {
            indexes,
            hash: repo.object_hash(),
        }
    }

    /// The packs' indexes, mapped until the value is dropped.
    pub(crate) fn indexes(&self) -> PackIndexes {
        PackIndexes {
            packs: self
                .indexes
                .iter()
                .map(|path| pack::index::File::at(path, self.hash).ok())
                .collect(),
        }
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

    /// The packed objects of `kinds`, in pack order, each with its pack's number (see
    /// [`PackOrder::open_pack`]), its offset there and its kind.
    #[cfg(test)]
    pub(crate) fn of_kinds(&self, kinds: &[Kind]) -> Vec<(usize, u64, ObjectId, Kind)> {
        self.of_kinds_within(kinds, u64::MAX)
    }

    /// The first packed objects of `kinds` in pack order, until their sizes add up to
    /// about `max_bytes`, each with its pack's number, offset and kind. The entry
    /// headers tell an object's kind and size; a delta has its base's kind and about
    /// its base's size. An entry whose kind cannot be told (a ref delta to another
    /// pack, a damaged header) is left out: it is read when asked for.
    pub(crate) fn of_kinds_within(
        &self,
        kinds: &[Kind],
        max_bytes: u64,
    ) -> Vec<(usize, u64, ObjectId, Kind)> {
        let mut found = Vec::new();
        let mut total = 0u64;
        let indexes = self.indexes();
        for (number, index) in indexes.packs.iter().enumerate() {
            let (Some(index), Some(mut data)) = (index, self.open_pack(number)) else {
                continue;
            };
            let mut mapped_at = 0;
            // Entries by offset, and each entry's kind and size as far as read, by its
            // place in the index (u32: an index holds fewer than 2^32 objects).
            let mut by_offset: Vec<(u64, u32)> = (0..index.num_objects())
                .map(|i| (index.pack_offset_at_index(i), i))
                .collect();
            by_offset.sort_unstable();
            let mut seen: Vec<Option<(Kind, u32)>> = vec![None; by_offset.len()];
            let at_offset = |offset: u64| {
                let p = by_offset.binary_search_by_key(&offset, |e| e.0).ok()?;
                Some(by_offset[p].1)
            };
            for &(offset, i) in &by_offset {
                // Mapped anew as the walk moves on: the headers behind are not read
                // again, and a whole pack's pages would otherwise stay in memory.
                if offset > mapped_at + REMAP_BYTES as u64 {
                    if let Some(fresh) = self.open_pack(number) {
                        data = fresh;
                        mapped_at = offset;
                    }
                }
                let Ok(entry) = data.entry(offset) else {
                    continue;
                };
                use pack::data::entry::Header;
                let size = u32::try_from(entry.decompressed_size).unwrap_or(u32::MAX);
                let kind_size = match entry.header {
                    Header::Commit => Some((Kind::Commit, size)),
                    Header::Tree => Some((Kind::Tree, size)),
                    Header::Blob => Some((Kind::Blob, size)),
                    Header::Tag => Some((Kind::Tag, size)),
                    Header::OfsDelta { .. } => base_offset(&entry)
                        .and_then(at_offset)
                        .and_then(|b| seen[b as usize]),
                    Header::RefDelta { base_id } => {
                        index.lookup(base_id).and_then(|b| seen[b as usize])
                    }
                };
                seen[i as usize] = kind_size;
                let Some((kind, size)) = kind_size.filter(|(k, _)| kinds.contains(k)) else {
                    continue;
                };
                if total > max_bytes {
                    return found;
                }
                total = total.saturating_add(u64::from(size));
                found.push((number, offset, index.oid_at_index(i).to_owned(), kind));
            }
        }
        found
    }

    /// The data file of pack number `pack`, opened; `None` if it cannot be.
    pub(crate) fn open_pack(&self, pack: usize) -> Option<pack::data::File> {
        let path = self.indexes.get(pack)?.with_extension("pack");
        pack::data::File::at(path, self.hash).ok()
    }
}

impl PackIndexes {
    /// Where `id` comes in pack order; loose and unknown objects come after every
    /// packed one. An object in two packs has its first pack's rank: either copy
    /// reads the same.
    pub(crate) fn rank(&self, id: &gix::oid) -> u64 {
        self.packs
            .iter()
            .enumerate()
            .find_map(|(n, index)| {
                let index = index.as_ref()?;
                let at = index.lookup(id)?;
                Some(PackOrder::rank_of(n, index.pack_offset_at_index(at)))
            })
            .unwrap_or(u64::MAX)
    }
}
