//! How much memory a scan's object caches may hold (`--memory`).
//!
//! A long history is scanned in two passes: tree diffs (commits and trees decoded once,
//! in pack order, up to the preload share), then blobs (each thread with its own caches
//! of recent blobs and delta bases). Both passes stay within the budget whatever the
//! history's length: past the preload share, trees are read as the diffs ask for them,
//! through caches of fixed size. What grows with the history is only the list of blob
//! changes to scan, about a hundred bytes per change.

/// The bytes a scan's caches may hold, split between the preload and the threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryBudget {
    bytes: u64,
}

impl Default for MemoryBudget {
    fn default() -> Self {
        MemoryBudget::DEFAULT
    }
}

impl MemoryBudget {
    /// Half of it preloads the commits and trees of about 10,000 commits; past
    /// that the preload buys little time (a 100,000-commit history took 4% more CPU
    /// with a quarter of the preload) and costs memory (82 MB at its peak).
    pub const DEFAULT: MemoryBudget = MemoryBudget { bytes: 128 << 20 };

    /// The smallest budget: below it the caches thrash and the scan crawls.
    pub const MIN_BYTES: u64 = 32 << 20;

    /// A budget of `bytes`; `None` below [`MemoryBudget::MIN_BYTES`].
    pub fn new(bytes: u64) -> Option<MemoryBudget> {
        (bytes >= Self::MIN_BYTES).then_some(MemoryBudget { bytes })
    }

    /// Any budget, however small, for tests that need a preload too small to hold a
    /// small repository's commits and trees.
    #[cfg(test)]
    pub(crate) fn tiny(bytes: u64) -> MemoryBudget {
        MemoryBudget { bytes }
    }

    pub fn bytes(self) -> u64 {
        self.bytes
    }

    /// Decoded commits and trees held for the tree diffs: half the budget.
    pub(crate) fn preload_bytes(self) -> usize {
        usize::try_from(self.bytes / 2).unwrap_or(usize::MAX)
    }

    /// Each of a thread's two caches (decoded objects or recent blobs, delta bases):
    /// the other half of the budget over the threads, at least 1 MiB and at most
    /// 16 MiB. Objects are read about in pack order, where a delta's base was nearly
    /// always among the last few objects read: a sixth of git's default (96 MiB) costs
    /// no more CPU on the benchmark repository than git's.
    pub(crate) fn cache_bytes(self) -> usize {
        let threads = rayon::current_num_threads().max(1) as u64;
        let share = self.bytes / 4 / threads;
        usize::try_from(share.clamp(1 << 20, MAX_CACHE_BYTES)).unwrap_or(1 << 20)
    }
}

const MAX_CACHE_BYTES: u64 = 16 << 20;

/// A pack is mapped into memory, and every page read stays in the process's resident
/// memory while it is mapped: a scan reading a whole multi-gigabyte pack would hold
/// all of it. Reading in pack order, the pages behind are not needed again, so the
/// packs are mapped anew after this many decoded bytes (64 MiB held 21 MB more of
/// a 100,000-commit history's pack than 16 MiB, which costs no measurable time).
pub(crate) const REMAP_BYTES: usize = 16 << 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_stay_within_the_budget() {
        assert!(MemoryBudget::new(MemoryBudget::MIN_BYTES - 1).is_none());
        let small = MemoryBudget::new(MemoryBudget::MIN_BYTES).expect("the minimum");
        assert_eq!(small.preload_bytes() as u64, MemoryBudget::MIN_BYTES / 2);
        let threads = rayon::current_num_threads() as u64;
        let caches = 2 * threads * small.cache_bytes() as u64;
        assert!(caches <= (MemoryBudget::MIN_BYTES / 2).max((2 * threads) << 20));
        assert_eq!(
            MemoryBudget::new(8 << 30).expect("8 GiB").cache_bytes() as u64,
            MAX_CACHE_BYTES
        );
    }
}
