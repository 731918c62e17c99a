//! Scanning folders, named files and readers (stdin).
use std::{
    borrow::Cow,
    io::Read,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use ignore::{WalkBuilder, WalkState};
use vigil_model::{Finding, Origin};
use vigil_report::{SkipReason, Skipped};
use vigil_secrets::{Detector, Fragment};

use crate::{
    archive,
    text::{self, Prepared},
};

/// Default limit on the size of a file to scan; larger files are skipped and counted.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 << 20;

#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub max_file_size: u64,
    /// Worker threads for the walk; 0 picks the number of cores.
    pub threads: usize,
    /// Honour `.gitignore` files. Off by default: ignored files (`.env`) are where secrets live.
    pub gitignore: bool,
    /// Directory that the repository allowlist's path globs are relative to.
    pub allowlist_root: Option<PathBuf>,
    /// The configuration file in use: its rule examples are test data, not leaks.
    pub config_file: Option<PathBuf>,
    /// Open archives (zip, jar, tar, gzip, …) and scan the files inside
    /// ([`crate::archive`]); on by default.
    pub archives: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            threads: 0,
            gitignore: false,
            allowlist_root: None,
            config_file: None,
            archives: true,
        }
    }
}

/// What was scanned and what was deliberately left out.
#[derive(Debug, Default, Clone)]
pub struct ScanStats {
    pub files: u64,
    pub bytes: u64,
    pub skipped_binary: u64,
    pub skipped_large: u64,
    pub skipped_allowlisted: u64,
    /// Git sources only: commits walked, and submodule entries (not scanned: their
    /// content lives in another repository).
    pub commits: u64,
    pub skipped_submodules: u64,
    pub elapsed: Duration,
}

/// Content that could not be scanned: the scan is incomplete.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("{path}: no such file or directory")]
    NotFound { path: PathBuf },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Text (a file, a blob, stdin) larger than `--max-file-size`: not scanned.
    #[error("{}: more than {} (--max-file-size): not scanned; raise --max-file-size or [scan] max_file_size to scan it", path.display(), crate::input::human_size(*limit))]
    TooLarge { path: PathBuf, limit: u64 },
    #[error("{0}")]
    Walk(String),
    #[error("{0}")]
    Git(#[from] vigil_git::GitError),
    /// A path named to scan is a FIFO, a device or a socket: reading it could block
    /// forever or never end, so it is not opened.
    #[error("{path}: not a regular file ({kind}): not scanned")]
    NotAFile { path: PathBuf, kind: &'static str },
    /// Part of an archive was not scanned: a limit was reached (a zip bomb, too deep
    /// a nesting, too many entries), or it could not be read (corrupt, encrypted).
    #[error("{path}: {message}")]
    Archive { path: String, message: String },
    /// Everything in scope was skipped: "found nothing" would mean "looked at nothing".
    #[error("nothing was scanned: {0}")]
    Nothing(String),
    /// An explicit commit range holds no commits.
    #[error("nothing was scanned: {0}")]
    EmptyRange(String),
}

#[derive(Debug, Default)]
pub struct ScanOutcome {
    /// Sorted by path, line, commit, column and rule ([`vigil_report::finding_order`]).
    pub findings: Vec<Finding>,
    pub stats: ScanStats,
    /// Files or folders that could not be read; non-empty means incomplete.
    pub errors: Vec<ScanError>,
    /// Each item in scope that was not scanned, and why (not sorted).
    pub skipped: Vec<Skipped>,
}

impl ScanOutcome {
    /// Each text file or blob skipped for its size is an error: a secret padded past
    /// the limit must not pass as clean (binary files are counted first, and are not).
    /// One error per item, so the errors of a sharded scan's parts add up to the whole's.
    pub(crate) fn too_large_is_incomplete(&mut self, max_file_size: u64) {
        // In order: the walk finds files in any order.
        let mut large: Vec<&Skipped> = self
            .skipped
            .iter()
            .filter(|s| s.reason == SkipReason::TooLarge)
            .collect();
        large.sort();
        for s in large {
            let path = match &s.commit {
                Some(c) => format!("{} (commit {})", s.path, c.get(..12).unwrap_or(c)),
                None => s.path.clone(),
            };
            self.errors.push(ScanError::TooLarge {
                path: PathBuf::from(path),
                limit: max_file_size,
            });
        }
    }

    /// A folder scan that found no file to scan, or only binary or allowlisted ones
    /// (and failed to read nothing, which is said already): the error that says so.
    /// Git scans are left out: a commit may add no content, and an empty staging area
    /// is nothing to check.
    pub(crate) fn check_files_found(&mut self) {
        if self.stats.files > 0 || !self.skipped.is_empty() || !self.errors.is_empty() {
            return;
        }
        let counted = [
            (self.stats.skipped_binary, "binary"),
            (self.stats.skipped_allowlisted, "allowlisted"),
        ];
        let why: Vec<String> = counted
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
        self.errors.push(ScanError::Nothing(if why.is_empty() {
            "there is no file to scan".to_owned()
        } else {
            format!("every file was skipped: {}", why.join(", "))
        }));
    }

    /// When everything in scope was skipped (and nothing failed to be read, which is
    /// said already), the error that says so: a scan that looked at nothing is not clean.
    pub(crate) fn check_covered(&mut self, max_file_size: u64) {
        if self.stats.files > 0 || self.skipped.is_empty() || !self.errors.is_empty() {
            return;
        }
        let mut why = Vec::new();
        for reason in SkipReason::ALL {
            let n = self.skipped.iter().filter(|s| s.reason == reason).count();
            if n == 0 {
                continue;
            }
            why.push(match reason {
                SkipReason::TooLarge => format!(
                    "{n} larger than the size limit of {max_file_size} bytes (raise it with --max-file-size or [scan] max_file_size)"
                ),
                SkipReason::Symlink => {
                    format!("{n} symbolic link{} (links are not followed)", plural(n))
                }
                SkipReason::NotAFile => format!("{n} not a regular file"),
                SkipReason::Unreadable => format!("{n} unreadable"),
                SkipReason::ArchiveLimit => format!(
                    "{n} archive{} past an expansion limit",
                    plural(n)
                ),
            });
        }
        self.errors.push(ScanError::Nothing(format!(
            "every item was skipped: {}",
            why.join(", ")
        )));
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// What a scan counts as it goes (shared by the folder and git pipelines).
#[derive(Default)]
pub(crate) struct Counters {
    /// Files (or blobs) scanned and their bytes.
    pub(crate) files: AtomicU64,
    pub(crate) bytes: AtomicU64,
    pub(crate) binary: AtomicU64,
    pub(crate) large: AtomicU64,
    pub(crate) allowlisted: AtomicU64,
    /// Items not scanned, and why.
    pub(crate) skipped: Mutex<Vec<Skipped>>,
    /// What stopped part of an archive from being scanned.
    pub(crate) archive_errors: Mutex<Vec<ScanError>>,
}

/// Scans folders (walked in parallel) and named files. A path that does not exist is
/// an error before anything is scanned; unreadable content is collected in `errors`.
pub fn scan_paths(
    detector: &Detector,
    paths: &[PathBuf],
    options: &ScanOptions,
) -> Result<ScanOutcome, ScanError> {
    let start = Instant::now();
    if let Some(missing) = paths.iter().find(|p| std::fs::symlink_metadata(p).is_err()) {
        return Err(ScanError::NotFound {
            path: missing.clone(),
        });
    }
    // A FIFO or a device named to scan is never opened: reading it could block forever
    // (a FIFO with no writer) or never end (`/dev/zero`). Its type is read first.
    let mut named_errors = Vec::new();
    let mut named_skipped = Vec::new();
    let paths: Vec<&PathBuf> = paths
        .iter()
        .filter(|p| match std::fs::metadata(p) {
            Ok(m) if !m.is_file() && !m.is_dir() => {
                named_skipped.push(Skipped {
                    path: display_path(p),
                    commit: None,
                    reason: SkipReason::NotAFile,
                });
                named_errors.push(ScanError::NotAFile {
                    path: (*p).clone(),
                    kind: file_kind(&m.file_type()),
                });
                false
            }
            _ => true,
        })
        .collect();
    let Some((first, rest)) = paths.split_first() else {
        return Ok(ScanOutcome {
            errors: named_errors,
            skipped: named_skipped,
            ..ScanOutcome::default()
        });
    };
    let mut builder = WalkBuilder::new(first);
    for p in rest {
        builder.add(p);
    }
    builder
        .hidden(false)
        .ignore(false)
        .parents(false)
        .git_ignore(options.gitignore)
        .git_global(false)
        .git_exclude(options.gitignore)
        .require_git(false)
        .follow_links(false)
        .threads(options.threads)
        .filter_entry(|e| e.file_name() != ".git");
    let cwd = std::env::current_dir().unwrap_or_default();
    let absolute = |p: &PathBuf| std::path::absolute(p).unwrap_or_else(|_| p.clone());
    let allowlist_root = options.allowlist_root.as_ref().map(absolute);
    let config_file = options.config_file.as_ref().map(absolute);
    let counters = Counters::default();
    let findings = Mutex::new(Vec::new());
    let errors = Mutex::new(named_errors);
    if let Ok(mut s) = counters.skipped.lock() {
        s.extend(named_skipped);
    }
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    push(&errors, ScanError::Walk(e.to_string()));
                    return WalkState::Continue;
                }
            };
            let Some(kind) = entry.file_type() else {
                return WalkState::Continue;
            };
            if !kind.is_file() {
                // Links are not followed (one could lead out of the folder); FIFOs,
                // devices and sockets are not opened. Both are listed as skipped.
                let reason = if kind.is_symlink() {
                    SkipReason::Symlink
                } else if kind.is_dir() {
                    return WalkState::Continue;
                } else {
                    SkipReason::NotAFile
                };
                counters.skip(display_path(entry.path()), None, reason);
                return WalkState::Continue;
            }
            let path = entry.path();
            let display = display_path(path);
            let full = cwd.join(path);
            let rel = allowlist_root.as_deref().and_then(|root| {
                full.strip_prefix(root)
                    .ok()
                    .map(|p| p.to_string_lossy().into_owned())
            });
            if detector.path_allowed(rel.as_deref().unwrap_or(&display))
                || config_file.as_ref() == Some(&full)
            {
                counters.allowlisted.fetch_add(1, Ordering::Relaxed);
                return WalkState::Continue;
            }
            match scan_file(detector, path, display.clone(), options, &counters) {
                Ok(found) if !found.is_empty() => push_all(&findings, found),
                Ok(_) => {}
                Err(e) => {
                    counters.skip(display, None, SkipReason::Unreadable);
                    push(&errors, e);
                }
            }
            WalkState::Continue
        })
    });
    let mut errors = errors.into_inner().unwrap_or_default();
    errors.extend(counters.take_archive_errors());
    let mut outcome = ScanOutcome {
        findings: findings.into_inner().unwrap_or_default(),
        stats: counters.stats(start.elapsed()),
        errors,
        skipped: counters.take_skipped(),
    };
    sort(&mut outcome.findings);
    Ok(outcome)
}

/// Scans everything `reader` yields as one file named `name` (`-` for stdin), reading
/// at most `max_file_size` bytes: more is not scanned, and the scan is incomplete.
pub fn scan_reader(
    detector: &Detector,
    reader: impl Read,
    name: &str,
    max_file_size: u64,
) -> Result<ScanOutcome, ScanError> {
    let start = Instant::now();
    let read = crate::input::read_reader_limited(reader, max_file_size).map_err(|source| {
        ScanError::Read {
            path: PathBuf::from(name),
            source,
        }
    })?;
    let too_large = || ScanOutcome {
        stats: ScanStats {
            skipped_large: 1,
            elapsed: start.elapsed(),
            ..ScanStats::default()
        },
        errors: vec![ScanError::TooLarge {
            path: PathBuf::from(name),
            limit: max_file_size,
        }],
        ..ScanOutcome::default()
    };
    let Some(bytes) = read else {
        return Ok(too_large());
    };
    // Binary input named to scan is scanned as it is; text as every file is.
    let text = match text::prepare(&bytes, max_file_size) {
        Prepared::Text(text) => text,
        Prepared::Binary => Cow::Borrowed(&bytes[..]),
        Prepared::TooLarge => return Ok(too_large()),
    };
    let origin = Origin::path(name);
    let mut findings = detector.scan(&Fragment::new(&origin, &text));
    sort(&mut findings);
    Ok(ScanOutcome {
        findings,
        stats: ScanStats {
            files: 1,
            bytes: bytes.len() as u64,
            elapsed: start.elapsed(),
            ..ScanStats::default()
        },
        errors: Vec::new(),
        skipped: Vec::new(),
    })
}

fn scan_file(
    detector: &Detector,
    path: &Path,
    display: String,
    options: &ScanOptions,
    counters: &Counters,
) -> Result<Vec<Finding>, ScanError> {
    let read_err = |source| ScanError::Read {
        path: path.to_owned(),
        source,
    };
    // One open serves the size check and the read.
    let file = std::fs::File::open(path).map_err(read_err)?;
    let len = file.metadata().map_err(read_err)?.len();
    if len > options.max_file_size {
        // Binary content is skipped whatever its size; only text over the limit is listed.
        let mut head = Vec::with_capacity(text::SNIFF);
        (&file)
            .take(text::SNIFF as u64)
            .read_to_end(&mut head)
            .map_err(read_err)?;
        if text::sniff(&head, len) == text::Encoding::Binary {
            counters.binary.fetch_add(1, Ordering::Relaxed);
        } else {
            counters.large.fetch_add(1, Ordering::Relaxed);
            counters.skip(display, None, SkipReason::TooLarge);
        }
        return Ok(Vec::new());
    }
    // Each walker thread reads every file into one buffer: a fresh one per file
    // would be allocated, faulted in and freed again for each.
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with_borrow_mut(|bytes| {
        bytes.clear();
        bytes.reserve(usize::try_from(len).unwrap_or(0));
        // Reading at most the size just seen spares a read that only finds the end; a
        // file that grows meanwhile is scanned as it was when opened. Size 0 may be a
        // pseudo-file (`/proc`) with content: read it to its end.
        let limit = if len == 0 {
            options.max_file_size.saturating_add(1)
        } else {
            len
        };
        file.take(limit).read_to_end(bytes).map_err(read_err)?;
        if options.archives {
            if let Some(kind) = archive::detect(bytes) {
                let mut findings = Vec::new();
                counters.expand(
                    &display,
                    None,
                    bytes,
                    kind,
                    options,
                    &mut |origin, entry| {
                        findings.extend(detector.scan(&Fragment::new(origin, entry)));
                    },
                );
                return Ok(findings);
            }
        }
        let Some(text) = counters.admit(bytes, options.max_file_size, &display, None) else {
            return Ok(Vec::new());
        };
        let origin = Arc::new(Origin {
            path: display,
            commit: None,
        });
        Ok(detector.scan(&Fragment::new(&origin, &text)))
    })
}

impl Counters {
    /// Counts `bytes` (of `path`, in `commit`) as scanned, or as skipped for being
    /// larger than `max_file_size` (listed) or binary (counted); the text to scan
    /// ([`text::prepare`]: decoded, line ends made plain) when they are scanned.
    pub(crate) fn admit<'a>(
        &self,
        bytes: &'a [u8],
        max_file_size: u64,
        path: &str,
        commit: Option<&str>,
    ) -> Option<Cow<'a, [u8]>> {
        let skipped = match text::prepare(bytes, max_file_size) {
            Prepared::Binary => &self.binary,
            Prepared::TooLarge => {
                self.skip(
                    path.to_owned(),
                    commit.map(str::to_owned),
                    SkipReason::TooLarge,
                );
                &self.large
            }
            Prepared::Text(text) => {
                self.files.fetch_add(1, Ordering::Relaxed);
                self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
                return Some(text);
            }
        };
        skipped.fetch_add(1, Ordering::Relaxed);
        None
    }

    /// Expands the archive `bytes` (of `kind`, at `path`, in `commit`): each file inside
    /// that [`Counters::admit`] lets through goes to `scan` with its origin
    /// (`path!inner`); what stops part of it from being scanned is listed as skipped and
    /// kept as an error (the scan is incomplete).
    pub(crate) fn expand(
        &self,
        path: &str,
        commit: Option<&Arc<vigil_model::CommitInfo>>,
        bytes: &[u8],
        kind: archive::Kind,
        options: &ScanOptions,
        scan: &mut dyn FnMut(&Arc<Origin>, &[u8]),
    ) {
        let id = commit.map(|c| c.id.as_str());
        archive::expand(
            path,
            bytes,
            kind,
            options.max_file_size,
            &mut |item| match item {
                archive::Item::File { path, bytes } => {
                    if let Some(text) = self.admit(bytes, options.max_file_size, path, id) {
                        let origin = Arc::new(Origin {
                            path: path.to_owned(),
                            commit: commit.cloned(),
                        });
                        scan(&origin, &text);
                    }
                }
                archive::Item::Problem { path, problem } => {
                    let (reason, message) = match problem {
                        archive::Problem::Limit(m) => (SkipReason::ArchiveLimit, m),
                        archive::Problem::Corrupt(m) => (SkipReason::Unreadable, m),
                    };
                    self.skip(path.to_owned(), id.map(str::to_owned), reason);
                    let path = match id {
                        Some(c) => format!("{path} (commit {})", c.get(..12).unwrap_or(c)),
                        None => path.to_owned(),
                    };
                    push(&self.archive_errors, ScanError::Archive { path, message });
                }
            },
        );
    }

    pub(crate) fn take_archive_errors(&self) -> Vec<ScanError> {
        self.archive_errors
            .lock()
            .map(|mut s| std::mem::take(&mut *s))
            .unwrap_or_default()
    }

    /// Lists `path` (in `commit`) as not scanned, for `reason`.
    pub(crate) fn skip(&self, path: String, commit: Option<String>, reason: SkipReason) {
        push(
            &self.skipped,
            Skipped {
                path,
                commit,
                reason,
            },
        );
    }

    pub(crate) fn take_skipped(&self) -> Vec<Skipped> {
        self.skipped
            .lock()
            .map(|mut s| std::mem::take(&mut *s))
            .unwrap_or_default()
    }

    pub(crate) fn stats(&self, elapsed: Duration) -> ScanStats {
        ScanStats {
            files: self.files.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            skipped_binary: self.binary.load(Ordering::Relaxed),
            skipped_large: self.large.load(Ordering::Relaxed),
            skipped_allowlisted: self.allowlisted.load(Ordering::Relaxed),
            elapsed,
            ..ScanStats::default()
        }
    }
}

/// What a file that is not a regular file is, for messages.
pub(crate) fn file_kind(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    let _ = kind;
    "not a file or a folder"
}

fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_owned()
}

fn push<T>(list: &Mutex<Vec<T>>, item: T) {
    if let Ok(mut l) = list.lock() {
        l.push(item);
    }
}

fn push_all<T>(list: &Mutex<Vec<T>>, items: Vec<T>) {
    if let Ok(mut l) = list.lock() {
        l.extend(items);
    }
}

/// Sorts findings in the order reports list them ([`vigil_report::finding_order`]:
/// path, line, commit, column, rule); a stable sort, so findings that tie keep the
/// order the detector found them in.
pub(crate) fn sort(findings: &mut [Finding]) {
    findings.sort_by(vigil_report::finding_order);
}
