//! Reading many objects on all cores, in order.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs `work` over `items` a chunk at a time on as many threads as rayon is set to
/// use. Each thread keeps one `state` (a reader with its caches) for all its chunks and
/// takes the next chunk in line, so the threads move through the items together: in
/// pack order, each delta's base is usually still in some thread's cache. Results come
/// back in chunk order.
pub fn chunked<T, S, R>(
    items: &[T],
    chunk: usize,
    state: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, &[T]) -> R + Sync,
) -> Vec<R>
where
    T: Sync,
    R: Send,
{
    let chunks: Vec<&[T]> = items.chunks(chunk.max(1)).collect();
    let threads = rayon::current_num_threads().clamp(1, chunks.len().max(1));
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut state = state();
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(chunk) = chunks.get(i) else { break };
                        done.push((i, work(&mut state, chunk)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    results.sort_unstable_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}
