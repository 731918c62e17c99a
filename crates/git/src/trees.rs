//! Trees read once, in pack order, for the tree diffs of a long history.
//!
//! Diffing commit after commit reads each tree two or three times, in an order that
//! has nothing to do with the pack's delta chains; reading every tree once in pack
//! order first is several times cheaper (see [`crate::PackOrder`]).
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{repo::Repo, workers::chunked};
use gix::{hashtable::HashMap, objs::Kind, prelude::Find, ObjectId};

/// Decoded trees by id; trees beyond the memory cap are read when asked for.
pub(crate) struct Trees {
    by_id: HashMap<ObjectId, Box<[u8]>>,
    hash: gix::hash::Kind,
}

/// The most tree bytes held: enough for every tree of a large repository, bounded for
/// a huge one.
const MAX_BYTES: usize = 1 << 30;

/// Trees read by one worker at a time: a stretch of the pack, so delta bases stay cached.
const CHUNK: usize = 1024;

impl Trees {
    /// None preloaded: every tree is read when asked for.
    pub(crate) fn none(hash: gix::hash::Kind) -> Trees {
        Trees {
            by_id: HashMap::default(),
            hash,
        }
    }

    pub(crate) fn preload(repo: &Repo) -> Trees {
        let ids = repo.pack_order().of_kind(Kind::Tree);
        let held = AtomicUsize::new(0);
        let chunks = chunked(
            &ids,
            CHUNK,
            || (repo.reader(), Vec::new()),
            |(reader, buf), chunk| {
                let mut out = Vec::with_capacity(chunk.len());
                if held.load(Ordering::Relaxed) > MAX_BYTES {
                    return out;
                }
                for id in chunk {
                    match reader.repo.objects.try_find(id, buf) {
                        Ok(Some(data)) if data.kind == Kind::Tree => {
                            held.fetch_add(data.data.len(), Ordering::Relaxed);
                            out.push((*id, Box::<[u8]>::from(data.data)));
                        }
                        // Read again, and any error reported, by the diff that needs it.
                        _ => {}
                    }
                }
                out
            },
        );
        Trees {
            by_id: chunks.into_iter().flatten().collect(),
            hash: repo.object_hash(),
        }
    }
}

/// Object lookups that try the preloaded trees before the object database.
pub(crate) struct WithTrees<'a, F> {
    pub trees: &'a Trees,
    pub objects: F,
}

impl<F: Find> Find for WithTrees<'_, F> {
    fn try_find<'a>(
        &self,
        id: &gix::oid,
        buffer: &'a mut Vec<u8>,
    ) -> gix::Result<Option<gix::objs::Data<'a>>> {
        match self.trees.by_id.get(id) {
            Some(data) => {
                buffer.clear();
                buffer.extend_from_slice(data);
                Ok(Some(gix::objs::Data::new(
                    buffer,
                    Kind::Tree,
                    self.trees.hash,
                )))
            }
            None => self.objects.try_find(id, buffer),
        }
    }
}
