//! Scanning git sources: the blobs a set of changes produced, keeping findings on
//! the lines those changes added.
use std::{
    sync::{atomic::Ordering, Arc, Mutex},
    time::Instant,
};

use std::rc::Rc;

use vigil_git::{added_lines, changed_lines, chunked, Change, ChangeSet, GitError, Reader, Repo};
use vigil_model::{Finding, Origin};
use vigil_report::SkipReason;
use vigil_secrets::{Detector, Fragment};

use crate::scan::{sort, Counters, ScanError, ScanOptions, ScanOutcome, ScanStats};

/// Scans `set`, calling `progress(bytes)` after each blob (for a progress bar).
pub fn scan_changes(
    detector: &Detector,
    repo: &Repo,
    set: &ChangeSet,
    options: &ScanOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> ScanOutcome {
    let start = Instant::now();
    let counters = Counters::default();
    let errors = Mutex::new(Vec::new());
    // Blobs in pack order, so each delta's base is still cached when it is read. The
    // pack indexes take a few milliseconds to load: not worth it for a few changes.
    let mut order: Vec<&Change> = set.changes.iter().collect();
    if order.len() > PACK_ORDER_MIN_CHANGES {
        let packs = repo.pack_order();
        order.sort_by_cached_key(|c| packs.rank(&c.new));
    }
    let chunk = (order.len() / (rayon::current_num_threads() * CHUNKS_PER_THREAD))
        .clamp(MIN_CHUNK, MAX_CHUNK);
    let findings: Vec<Finding> = chunked(
        &order,
        chunk,
        || repo.reader(),
        |reader, chunk| {
            let mut found = Vec::new();
            for change in chunk {
                match scan_change(detector, reader, change, options, &counters) {
                    Ok(f) => found.extend(f),
                    Err(e) => {
                        counters.skip(
                            change.path.clone(),
                            change.commit.as_ref().map(|c| c.id.clone()),
                            SkipReason::Unreadable,
                        );
                        if let Ok(mut list) = errors.lock() {
                            list.push(ScanError::Git(e));
                        }
                    }
                }
            }
            progress(chunk.len() as u64);
            found
        },
    )
    .into_iter()
    .flatten()
    .collect();
    for (id, message) in &set.malformed {
        counters.skip(String::new(), Some(id.clone()), SkipReason::Unreadable);
        if let Ok(mut list) = errors.lock() {
            list.push(ScanError::Git(vigil_git::GitError::Corrupt {
                what: format!("commit {id} (its changes are not scanned)"),
                message: message.clone(),
            }));
        }
    }
    let mut outcome = ScanOutcome {
        findings,
        stats: ScanStats {
            commits: set.commits,
            skipped_submodules: set.submodules,
            ..counters.stats(start.elapsed())
        },
        errors: errors.into_inner().unwrap_or_default(),
        skipped: counters.take_skipped(),
    };
    sort(&mut outcome.findings);
    outcome
}

/// Below this many changes (a commit, a small push) blobs are read in the order given.
const PACK_ORDER_MIN_CHANGES: usize = 256;

/// Changes handed to a worker at a time: a stretch of the pack long enough that
/// delta bases stay at hand (a base another worker read is not: it is read again),
/// short enough to balance the cores, which about this many chunks per core do.
const MIN_CHUNK: usize = 64;
const MAX_CHUNK: usize = 1024;
const CHUNKS_PER_THREAD: usize = 16;

/// Lines of context scanned before each block of added lines, so a rule that looks at
/// a key name on the line above still sees it; findings must still touch an added line.
const CONTEXT_LINES: u32 = 2;

fn scan_change(
    detector: &Detector,
    reader: &Reader,
    change: &Change,
    options: &ScanOptions,
    counters: &Counters,
) -> Result<Vec<Finding>, GitError> {
    if detector.path_allowed(&change.path) {
        counters.allowlisted.fetch_add(1, Ordering::Relaxed);
        return Ok(Vec::new());
    }
    let new = reader.blob(change.new, &change.path)?;
    let commit = change.commit.as_ref().map(|c| c.id.as_str());
    if !counters.admit(&new, options.max_file_size, &change.path, commit) {
        return Ok(Vec::new());
    }
    let origin = Arc::new(Origin {
        path: change.path.clone(),
        commit: change.commit.clone(),
    });
    let olds: Vec<Option<Rc<Vec<u8>>>> = change
        .old
        .iter()
        .map(|o| o.map(|id| reader.blob(id, &change.path)).transpose())
        .collect::<Result<_, _>>()?;
    let olds: Vec<Option<&[u8]>> = olds
        .iter()
        .map(|o| o.as_deref().map(Vec::as_slice))
        .collect();
    // Scan the changed part of the blob (and a little context above it), as one
    // fragment carrying its line numbers in the new file. Findings are rare, so only
    // then is the line diff worth its cost: a finding must touch an added line.
    let mut findings = Vec::new();
    for (first_line, bytes, _) in changed_lines(&olds, &new).blocks(&new, CONTEXT_LINES) {
        let fragment = Fragment {
            origin: &origin,
            bytes: &new[bytes],
            first_line,
        };
        findings.extend(detector.scan(&fragment));
    }
    if !findings.is_empty() {
        let added = added_lines(&olds, &new);
        findings.retain(|f| added.touches(f.location.line, f.location.end_line));
    }
    Ok(findings)
}
