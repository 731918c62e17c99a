use std::sync::Arc;

use rayon::slice::ParallelSliceMut;
use vigil_model::CommitInfo;

use crate::object_id::ObjectId;

/// The blobs a change is compared to: one for most changes, held inline, so a history
/// of millions of changes costs no allocation per change for them.
pub type OldBlobs = smallvec::SmallVec<[Option<ObjectId>; 1]>;

/// A blob to scan and what it replaced.
#[derive(Debug, Clone)]
pub struct Change {
    /// Path in the tree, `/`-separated; one allocation per distinct path of a history,
    /// shared by every change at that path.
    pub path: Arc<str>,
    /// The commit that made the change; `None` for staged changes.
    pub commit: Option<Arc<CommitInfo>>,
    /// Commit time (seconds), to name the earliest commit when a change repeats.
    pub time: i64,
    /// The blob after the change.
    pub new: ObjectId,
    /// The blobs it is compared to: the first parent's (if any), and for a merge the
    /// other parents' versions too, so only lines new to every parent count as added.
    pub old: OldBlobs,
}

impl Change {
    /// Identity of the change for deduplication: same blob pair, same content added.
    fn key(&self) -> (&ObjectId, &[Option<ObjectId>]) {
        (&self.new, &self.old)
    }

    /// A stable 64-bit name of the change's blob pair (the first 8 bytes, big-endian,
    /// of the SHA-256 of the new blob's id, then for each old blob a 0 byte for none or
    /// a 1 byte and its id): the same in every run, whatever the pack order or thread
    /// count, so a checkpoint or the record of a past scan can say which changes are done.
    pub fn pair_digest(&self) -> u64 {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(self.new.as_bytes());
        for old in &self.old {
            match old {
                None => h.update([0u8]),
                Some(id) => {
                    h.update([1u8]);
                    h.update(id.as_bytes());
                }
            }
        }
        let d = h.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&d[..8]);
        u64::from_be_bytes(first)
    }
}

/// `--shard K/N`: this job's share of a deterministic partition of the changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Parses `K/N` with 1 ≤ K ≤ N.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| format!("shard {text:?} must look like K/N, e.g. 2/4"))?;
        let k: u32 = k
            .trim()
            .parse()
            .map_err(|_| format!("shard {text:?}: K is not a number"))?;
        let n: u32 = n
            .trim()
            .parse()
            .map_err(|_| format!("shard {text:?}: N is not a number"))?;
        if n == 0 || k == 0 || k > n {
            return Err(format!("shard {text:?}: need 1 <= K <= N"));
        }
        Ok(Shard { index: k, count: n })
    }

    fn owns(self, id: &ObjectId) -> bool {
        let b = id.as_bytes();
        let mut h = [0u8; 8];
        h.copy_from_slice(&b[..8]);
        u64::from_be_bytes(h) % u64::from(self.count) == u64::from(self.index - 1)
    }
}

/// The changes of a scan, each blob change once, plus what was walked.
#[derive(Debug, Default)]
pub struct ChangeSet {
    pub changes: Vec<Change>,
    pub commits: u64,
    /// Submodule entries seen (their content lives in another repository).
    pub submodules: u64,
    /// Commits whose header cannot be decoded (id, what is wrong): not scanned, while
    /// the others are.
    pub malformed: Vec<(String, String)>,
}

impl ChangeSet {
    /// Keeps one change per blob pair (the earliest commit's, then the first by path
    /// and commit id), then this shard's part. The scan orders changes its own way and
    /// reports sort findings, so the order here only needs to be deterministic.
    pub(crate) fn finish(mut self, shard: Option<Shard>) -> ChangeSet {
        let commit_id = |c: &Change| c.commit.as_ref().map(|i| i.id.clone());
        self.changes.par_sort_unstable_by(|a, b| {
            a.key()
                .cmp(&b.key())
                .then(a.time.cmp(&b.time))
                .then(a.path.cmp(&b.path))
                .then_with(|| commit_id(a).cmp(&commit_id(b)))
        });
        self.changes
            .dedup_by(|later, earlier| later.key() == earlier.key());
        if let Some(shard) = shard {
            self.changes.retain(|c| shard.owns(&c.new));
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_digest_names_the_blob_pair() {
        let id = |b: u8| ObjectId(gix::ObjectId::from_bytes_or_panic(&[b; 20]));
        let change = |new, old: Vec<Option<ObjectId>>, path: &str| Change {
            path: path.into(),
            commit: None,
            time: 0,
            new,
            old: old.into(),
        };
        let a = change(id(1), vec![Some(id(2))], "a");
        // The path, commit and time do not count; the ids and their order do.
        assert_eq!(
            a.pair_digest(),
            change(id(1), vec![Some(id(2))], "b").pair_digest()
        );
        assert_ne!(
            a.pair_digest(),
            change(id(2), vec![Some(id(1))], "a").pair_digest()
        );
        assert_ne!(
            change(id(1), vec![None], "a").pair_digest(),
            change(id(1), vec![], "a").pair_digest()
        );
        // Fixed by the definition: SHA-256 of 20 bytes of 1, 0x01, 20 bytes of 2.
        let mut bytes = vec![1u8; 20];
        bytes.push(1);
        bytes.extend([2u8; 20]);
        use sha2::Digest;
        let d = sha2::Sha256::digest(&bytes);
        assert_eq!(
            a.pair_digest(),
            u64::from_be_bytes(d[..8].try_into().unwrap())
        );
    }

    #[test]
    fn shard_parsing() {
        assert_eq!(Shard::parse("2/4"), Ok(Shard { index: 2, count: 4 }));
        assert!(Shard::parse("0/4").is_err());
        assert!(Shard::parse("5/4").is_err());
        assert!(Shard::parse("two").is_err());
    }

    #[test]
    fn shards_partition() {
        let ids: Vec<ObjectId> = (0u8..50)
            .map(|i| {
                ObjectId(gix::ObjectId::from_bytes_or_panic(
                    &[i.wrapping_mul(37); 20],
                ))
            })
            .collect();
        for id in &ids {
            let owners = (1..=3)
                .filter(|k| {
                    Shard {
                        index: *k,
                        count: 3,
                    }
                    .owns(id)
                })
                .count();
            assert_eq!(owners, 1);
        }
    }
}
