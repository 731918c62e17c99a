//! The "floor" for `vigil scan --history`: read (inflate and, for deltas, reconstruct)
//! every object of a repository exactly once, on all cores, and do nothing else.
//!
//!   cargo run --release -p vigil-git --example read_all_objects -- REPO
//!
//! A history scan has to read at least this much (every commit, every tree and every
//! blob), so its time over this one is the cost of the scan itself: tree diffs,
//! matching, line attribution and the report.
//!
//! To be a fair (low) floor it reads in the cheapest order: object ids sorted by their
//! offset in each pack, read from the packs' `.idx` files (then loose objects), split
//! into contiguous chunks that worker threads take in turn, each thread with its own
//! repository handle. (gix's own `PackAscendingOffset` iteration order is not used: in
//! gix 0.90 `with_ordering` does not reach the first pack's index, so a one-pack
//! repository comes back sorted by id, which made this floor about 2.5x too slow.) The
//! repository is opened like vigil opens it (isolated from ambient configuration). Each
//! thread's delta-base cache is gix's memory-capped hash map of 96 MiB (git's default
//! `core.deltaBaseCacheLimit`), not gix's default 64-entry LRU, which re-inflates delta
//! chains far more often (on the benchmark repository it costs about 1.5x the CPU time).
//! There is no decoded-object cache, since each object is read once, and each object's
//! bytes go into one reused buffer per thread.
//!
//! Prints one line: objects by kind, inflated bytes (all objects and blobs only), the
//! time, and the thread count. Exits 1 if an object cannot be read.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::{
    collections::HashSet,
    error::Error,
    path::PathBuf,
    sync::atomic::{AtomicUsize, Ordering},
    time::Instant,
};

use gix::{objs::Kind, prelude::Find, ObjectId};

/// Delta-base cache per thread (git's default `core.deltaBaseCacheLimit`).
const PACK_CACHE_BYTES: usize = 96 << 20;

/// Objects per chunk: large enough that a thread walks a stretch of the pack (so delta
/// bases are often still in its cache), small enough to balance the threads.
const CHUNK: usize = 2048;

#[derive(Default, Clone, Copy)]
struct Tally {
    objects: [u64; 4], // commit, tree, blob, tag
    bytes: [u64; 4],
}

impl Tally {
    fn add(&mut self, kind: Kind, len: usize) {
        let i = match kind {
            Kind::Commit => 0,
            Kind::Tree => 1,
            Kind::Blob => 2,
            Kind::Tag => 3,
        };
        self.objects[i] += 1;
        self.bytes[i] += len as u64;
    }
    fn merge(&mut self, other: &Tally) {
        for i in 0..4 {
            self.objects[i] += other.objects[i];
            self.bytes[i] += other.bytes[i];
        }
    }
}

fn main() {
    if let Err(e) = run() {
        eprintln!("read_all_objects: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn Error + Send + Sync>> {
    let mut args = std::env::args_os().skip(1);
    let path = PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    if args.next().is_some() {
        return Err("usage: read_all_objects [REPO]".into());
    }

    let start = Instant::now();
    let repo = gix::ThreadSafeRepository::open_opts(&path, gix::open::Options::isolated())?;

    // Every object id once, in pack-offset order (packs by file name, each by offset;
    // an id in two packs keeps its first place), then loose objects.
    let ids: Vec<ObjectId> = {
        let local = repo.to_thread_local();
        let mut packed: Vec<(usize, u64, ObjectId)> = Vec::new();
        let mut indexes: Vec<PathBuf> =
            std::fs::read_dir(local.objects.store_ref().path().join("pack"))?
                .map(|e| e.map(|e| e.path()))
                .collect::<Result<_, _>>()?;
        indexes.retain(|p| p.extension().is_some_and(|x| x == "idx"));
        indexes.sort();
        for (n, path) in indexes.iter().enumerate() {
            let index = gix::odb::pack::index::File::at(path, local.object_hash())?;
            packed.extend(index.iter().map(|e| (n, e.pack_offset, e.oid)));
        }
        packed.sort_unstable();
        let mut seen = HashSet::new();
        let mut ids = Vec::with_capacity(packed.len());
        for (_, _, id) in packed {
            if seen.insert(id) {
                ids.push(id);
            }
        }
        for id in local.objects.iter()? {
            let id = id?;
            if seen.insert(id) {
                ids.push(id);
            }
        }
        ids
    };

    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let next = AtomicUsize::new(0);
    let chunks: Vec<&[ObjectId]> = ids.chunks(CHUNK).collect();
    let results: Vec<Result<Tally, String>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut local = repo.to_thread_local();
                    local.object_cache_size(0); // each object is read once: no decoded-object cache
                    local.objects.set_pack_cache(|| {
                        Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
                            PACK_CACHE_BYTES,
                        ))
                    });
                    let mut buf = Vec::new();
                    let mut tally = Tally::default();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(chunk) = chunks.get(i) else { break };
                        for id in *chunk {
                            match local.objects.try_find(id, &mut buf) {
                                Ok(Some(data)) => tally.add(data.kind, data.data.len()),
                                Ok(None) => {
                                    return Err(format!("object {id} is listed but missing"))
                                }
                                Err(e) => return Err(format!("object {id}: {e}")),
                            }
                        }
                    }
                    Ok(tally)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err("a reader thread panicked".into()))
            })
            .collect()
    });
    let mut total = Tally::default();
    for r in results {
        total.merge(&r?);
    }
    let secs = start.elapsed().as_secs_f64();

    let n: u64 = total.objects.iter().sum();
    let bytes: u64 = total.bytes.iter().sum();
    println!(
        "read {n} objects ({} commits, {} trees, {} blobs, {} tags), {:.1} MB inflated ({:.1} MB of blobs) in {secs:.2} s on {threads} threads ({:.0} MB/s)",
        total.objects[0],
        total.objects[1],
        total.objects[2],
        total.objects[3],
        bytes as f64 / 1e6,
        total.bytes[2] as f64 / 1e6,
        bytes as f64 / 1e6 / secs.max(1e-9),
    );
    Ok(())
}
