//! Changes in pack order, each with where its blobs sit in the packs.
use std::rc::Rc;

use rayon::{iter::IntoParallelIterator, iter::ParallelIterator, slice::ParallelSliceMut};

use crate::{
    change::Change,
    error::GitError,
    object_id::ObjectId,
    repo::{Reader, Repo},
};

/// Below this many changes (a commit, a small push) blobs are read in the order given:
/// mapping the pack indexes takes a few milliseconds.
const PACK_ORDER_MIN_CHANGES: usize = 256;

/// A change to read, with the rank in pack order of its new blob and of each old one
/// (`u64::MAX`: not looked up, or not packed).
pub struct RankedChange<'a> {
    pub change: &'a Change,
    new: u64,
    old: smallvec::SmallVec<[u64; 1]>,
}

impl RankedChange<'_> {
    /// The blob after the change.
    pub fn read_new(&self, reader: &Reader) -> Result<Rc<Vec<u8>>, GitError> {
        reader.blob(self.change.new, self.new, &self.change.path)
    }

    /// The blobs the change is compared to (`None` where the path was not).
    pub fn read_old(&self, reader: &Reader) -> Result<Vec<Option<Rc<Vec<u8>>>>, GitError> {
        let path = &self.change.path;
        self.change
            .old
            .iter()
            .zip(&self.old)
            .map(|(id, &rank)| id.map(|id| reader.blob(id, rank, path)).transpose())
            .collect()
    }
}

/// `changes` in the pack order of their new blobs, so each delta's base is still
/// cached when it is read, with their blobs' ranks looked up here on all cores: the
/// readers need no pack index then, whose pages would otherwise stay in memory for
/// the whole scan (tens of megabytes for a long history). A few changes keep their
/// order.
pub fn in_pack_order<'a>(repo: &Repo, changes: Vec<&'a Change>) -> Vec<RankedChange<'a>> {
    let indexes = (changes.len() > PACK_ORDER_MIN_CHANGES).then(|| repo.pack_order().indexes());
    let rank = |id: &ObjectId| indexes.as_ref().map_or(u64::MAX, |i| i.rank(&id.0));
    let mut ranked: Vec<RankedChange<'a>> = changes
        .into_par_iter()
        .map(|change| RankedChange {
            change,
            new: rank(&change.new),
            old: change
                .old
                .iter()
                .map(|o| o.as_ref().map_or(u64::MAX, rank))
                .collect(),
        })
        .collect();
    drop(indexes);
    // Stable: changes of one blob, and unranked ones, stay in the order given.
    ranked.par_sort_by_key(|r| r.new);
    ranked
}
