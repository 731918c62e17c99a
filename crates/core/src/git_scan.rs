//! Scanning git sources: the blobs a set of changes produced, keeping findings on
//! the lines those changes added.
use std::{
    borrow::Cow,
    collections::HashMap,
    sync::{atomic::Ordering, Arc, Mutex},
    time::Instant,
};

use vigil_git::{
    added_lines, changed_lines, chunked, in_pack_order, Change, ChangeSet, GitError, RankedChange,
    Reader, Repo,
};
use vigil_model::{Finding, Origin};
use vigil_report::SkipReason;
use vigil_secrets::{Detector, Fragment};

use crate::{
    archive,
    checkpoint::{ChunkRecord, ScanHook, Tally},
    scan::{sort, Counters, ScanError, ScanOptions, ScanOutcome, ScanStats},
    text,
};

/// Scans `set`, calling `progress(n)` after each chunk of `n` changes (for a progress
/// bar). With a `hook` (a checkpoint), the changes it says are done are skipped, and
/// it is told what each chunk came to.
pub fn scan_changes(
    detector: &Detector,
    repo: &Repo,
    set: &ChangeSet,
    options: &ScanOptions,
    progress: &(dyn Fn(u64) + Sync),
    hook: Option<&dyn ScanHook>,
) -> ScanOutcome {
    let start = Instant::now();
    let counters = Counters::default();
    let errors = Mutex::new(Vec::new());
    let todo: Vec<&Change> = match hook {
        Some(h) => set
            .changes
            .iter()
            .filter(|c| !h.is_done(c.pair_digest()))
            .collect(),
        None => set.changes.iter().collect(),
    };
    let order = in_pack_order(repo, todo);
    let chunk = (order.len() / (rayon::current_num_threads() * CHUNKS_PER_THREAD))
        .clamp(MIN_CHUNK, MAX_CHUNK);
    let findings: Vec<Finding> = chunked(
        &order,
        chunk,
        || repo.reader(),
        |reader, chunk| {
            let mut found = Vec::new();
            let mut record = ChunkRecord::default();
            for ranked in chunk {
                let change = ranked.change;
                // Each change counts on its own first, so a checkpoint records the
                // counters of exactly the changes it marks done.
                let own = Counters::default();
                let before = found.len();
                let failed = match scan_change(detector, reader, ranked, options, &own) {
                    Ok(f) => {
                        found.extend(f);
                        false
                    }
                    Err(e) => {
                        own.skip(
                            change.path.to_string(),
                            change.commit.as_ref().map(|c| c.id.clone()),
                            SkipReason::Unreadable,
                        );
                        if let Ok(mut list) = errors.lock() {
                            list.push(ScanError::Git(e));
                        }
                        true
                    }
                };
                let archive_errors = own.take_archive_errors();
                let failed = failed || !archive_errors.is_empty();
                if !archive_errors.is_empty() {
                    if let Ok(mut list) = errors.lock() {
                        list.extend(archive_errors);
                    }
                }
                let tally = tally(&own);
                let skipped = own.take_skipped();
                if hook.is_some() {
                    if failed || found.len() > before || !skipped.is_empty() {
                        record.flagged.push(change.pair_digest());
                    } else {
                        record.done.push(change.pair_digest());
                        record.tally.add(&tally);
                    }
                }
                add_tally(&counters, &tally);
                if !skipped.is_empty() {
                    if let Ok(mut list) = counters.skipped.lock() {
                        list.extend(skipped);
                    }
                }
            }
            if let Some(h) = hook {
                h.chunk_done(record);
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

fn tally(c: &Counters) -> Tally {
    let s = c.stats(std::time::Duration::ZERO);
    Tally {
        files: s.files,
        bytes: s.bytes,
        binary: s.skipped_binary,
        large: s.skipped_large,
        allowlisted: s.skipped_allowlisted,
    }
}

/// Adds `t` to `counters` (a change's own counts, or what a checkpoint restored).
pub(crate) fn add_tally(counters: &Counters, t: &Tally) {
    counters.files.fetch_add(t.files, Ordering::Relaxed);
    counters.bytes.fetch_add(t.bytes, Ordering::Relaxed);
    counters.binary.fetch_add(t.binary, Ordering::Relaxed);
    counters.large.fetch_add(t.large, Ordering::Relaxed);
    counters
        .allowlisted
        .fetch_add(t.allowlisted, Ordering::Relaxed);
}

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
    ranked: &RankedChange<'_>,
    options: &ScanOptions,
    counters: &Counters,
) -> Result<Vec<Finding>, GitError> {
    let change = ranked.change;
    if detector.path_allowed(&change.path) {
        counters.allowlisted.fetch_add(1, Ordering::Relaxed);
        return Ok(Vec::new());
    }
    let raw = ranked.read_new(reader)?;
    let commit = change.commit.as_ref().map(|c| c.id.as_str());
    let archive = options.archives && raw.len() as u64 <= options.max_file_size;
    let archive = archive.then(|| archive::detect(&raw)).flatten();
    // The old blobs are read only for what is scanned (not for a binary file).
    let new = match archive {
        Some(_) => Cow::Borrowed(raw.as_slice()),
        None => match counters.admit(&raw, options.max_file_size, &change.path, commit) {
            Some(text) => text,
            None => return Ok(Vec::new()),
        },
    };
    let olds = ranked.read_old(reader)?;
    // An archive (binary) is compared as it is.
    let olds: Vec<Option<Cow<'_, [u8]>>> = olds
        .iter()
        .map(|o| {
            o.as_deref()
                .map(|old| text::old_as_text(old, options.max_file_size))
        })
        .collect();
    let olds: Vec<Option<&[u8]>> = olds.iter().map(Option::as_deref).collect();
    if let Some(kind) = archive {
        return Ok(scan_archive_change(
            detector, change, &olds, &new, kind, options, counters,
        ));
    }
    let origin = Arc::new(Origin {
        path: change.path.to_string(),
        commit: change.commit.clone(),
    });
    Ok(scan_added(detector, &origin, &olds, &new))
}

/// The findings of `new` on the lines it adds to `olds`. The changed part of the blob
/// (and a little context above it) is scanned as one fragment carrying its line
/// numbers in the new file. Findings are rare, so only then is the line diff worth its
/// cost: a finding must touch an added line.
fn scan_added(
    detector: &Detector,
    origin: &Arc<Origin>,
    olds: &[Option<&[u8]>],
    new: &[u8],
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (first_line, bytes, _) in changed_lines(olds, new).blocks(new, CONTEXT_LINES) {
        let fragment = Fragment {
            origin,
            bytes: &new[bytes],
            first_line,
        };
        findings.extend(detector.scan(&fragment));
    }
    if !findings.is_empty() {
        let added = added_lines(olds, new);
        findings.retain(|f| added.touches(f.location.line, f.location.end_line));
    }
    findings
}

/// An archive changed: each file inside is compared with the file of the same name in
/// the archives it replaced (opened the same way), and only what it adds is scanned; a
/// file the same in an old archive is not scanned again.
fn scan_archive_change(
    detector: &Detector,
    change: &Change,
    olds: &[Option<&[u8]>],
    new: &[u8],
    kind: archive::Kind,
    options: &ScanOptions,
    counters: &Counters,
) -> Vec<Finding> {
    let old_entries: Vec<HashMap<String, Vec<u8>>> = olds
        .iter()
        .map(|old| {
            let mut entries = HashMap::new();
            if let Some(old) = old {
                if let Some(kind) = archive::detect(old) {
                    // What cannot be read of an old archive was reported when it was new.
                    archive::expand(
                        &change.path,
                        old,
                        kind,
                        options.max_file_size,
                        &mut |item| {
                            if let archive::Item::File { path, bytes } = item {
                                let text = text::old_as_text(bytes, options.max_file_size);
                                entries.insert(path.to_owned(), text.into_owned());
                            }
                        },
                    );
                }
            }
            entries
        })
        .collect();
    let mut findings = Vec::new();
    counters.expand(
        &change.path,
        change.commit.as_ref(),
        new,
        kind,
        options,
        &mut |origin, bytes| {
            let olds: Vec<Option<&[u8]>> = old_entries
                .iter()
                .map(|e| e.get(&origin.path).map(Vec::as_slice))
                .collect();
            findings.extend(scan_added(detector, origin, &olds, bytes));
        },
    );
    findings
}
