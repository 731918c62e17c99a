//! `--checkpoint FILE`: what a long git scan has done, so a run that was stopped (killed,
//! out of time) continues where it stopped and reports what one whole run would have.
//!
//! The changes to scan are found again on every run (the walk and the tree diffs are
//! the cheap part); the file says which of them are done, by their
//! [`pair_digest`](vigil_git::Change::pair_digest), never by their place in a list (a
//! repack or another thread count changes the order). It never holds a secret: a
//! record holds the digests of the changes done, the counters the summary needs, and
//! the digests of the changes that produced findings, skips or errors, which are not
//! done: every run scans them again, so findings, skipped lists and errors come out as
//! in one whole run.
//!
//! The format (vigil's own, one JSON object per line):
//!
//! ```text
//! {"vigil_checkpoint":1,"vigil":"0.1.0","source":"--history","tips":["HEAD=<id>",...],
//!  "settings":"<hex>","changes":N,"changes_digest":"<hex>"}
//! {"done":"<16 hex digits per digest>","flagged":"<same>","files":F,"bytes":B,
//!  "binary":N,"large":N,"allowlisted":N}        one per chunk of changes scanned
//! {"complete":true}                             after the last chunk of a whole run
//! ```
//!
//! Records are appended as chunks finish and synced to disk every few seconds. A last
//! line without its newline was torn by a kill mid-write and is dropped; any other line
//! that does not read is an error naming the file and the line.
use std::{
    fs::{File, OpenOptions},
    io::Write,
    path::{Path, PathBuf},
    sync::Mutex,
    time::{Duration, Instant},
};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::input::{read_limited, InputError};

/// The counters a summary needs, for the changes a record says are done.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tally {
    pub files: u64,
    pub bytes: u64,
    pub binary: u64,
    pub large: u64,
    pub allowlisted: u64,
}

impl Tally {
    pub fn add(&mut self, other: &Tally) {
        self.files += other.files;
        self.bytes += other.bytes;
        self.binary += other.binary;
        self.large += other.large;
        self.allowlisted += other.allowlisted;
    }
}

/// What a chunk of changes came to.
#[derive(Debug, Default)]
pub struct ChunkRecord {
    /// Changes scanned with nothing to report: not scanned again.
    pub done: Vec<u64>,
    /// Changes that produced findings, skips or errors: scanned again by every run.
    pub flagged: Vec<u64>,
    /// The counters of the `done` changes.
    pub tally: Tally,
}

/// What [`crate::scan_changes`] asks of a checkpoint.
pub trait ScanHook: Sync {
    /// The change of this pair digest was done by an earlier run: skip it.
    fn is_done(&self, digest: u64) -> bool;
    /// A chunk of changes was scanned.
    fn chunk_done(&self, record: ChunkRecord);
}

/// What a checkpoint was written for: the scan, its tips, the settings that change
/// findings, and the changes it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The source as the command line says it (`--history`, `--range A..B`, with `--shard`).
    pub source: String,
    /// The resolved tips, `name=id`, sorted.
    pub tips: Vec<String>,
    /// A digest of the rules, allowlists, size limit and decoding depth ([`settings_digest`]).
    pub settings: String,
    /// How many changes, and a digest of their sorted pair digests.
    pub changes: u64,
    pub changes_digest: String,
}

impl Identity {
    /// The identity of a scan of the changes whose pair digests are `digests`.
    pub fn new(source: String, tips: Vec<String>, settings: String, digests: &[u64]) -> Identity {
        let mut sorted = digests.to_vec();
        sorted.sort_unstable();
        let mut h = Sha256::new();
        for d in &sorted {
            h.update(d.to_be_bytes());
        }
        Identity {
            source,
            tips,
            settings,
            changes: digests.len() as u64,
            changes_digest: hex(&h.finalize()[..16]),
        }
    }
}

/// A digest of everything besides the changes that decides what a scan finds: the
/// rules in force and the allowlists (as serialized), the size limit, the decoding depth.
pub fn settings_digest(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    hex(&h.finalize()[..16])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a checkpoint cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("checkpoint {0}")]
    Input(InputError),
    #[error("checkpoint {}: {kind}, not a regular file; give the path of a file vigil may write", path.display())]
    NotRegular { path: PathBuf, kind: &'static str },
    #[error("checkpoint {}: not a vigil checkpoint (its first line is not a vigil checkpoint header); vigil does not overwrite a file it did not write: give another path", path.display())]
    Foreign { path: PathBuf },
    #[error("checkpoint {}: line {line}: {message}; expected {expected}", path.display())]
    Malformed {
        path: PathBuf,
        line: usize,
        message: String,
        expected: &'static str,
    },
    #[error("{} was written for {written_for}; this scan is {this_scan}; delete it or use another file", path.display())]
    Mismatch {
        path: PathBuf,
        written_for: String,
        this_scan: String,
    },
    #[error("checkpoint {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

const FORMAT: u32 = 1;
const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Records reach the disk at least this often (a sync per chunk would cost more than
/// the scan of a small chunk).
const SYNC_EVERY: Duration = Duration::from_secs(2);

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    vigil_checkpoint: u32,
    vigil: String,
    source: String,
    tips: Vec<String>,
    settings: String,
    changes: u64,
    changes_digest: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    done: String,
    flagged: String,
    #[serde(flatten)]
    tally: Tally,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Complete {
    complete: bool,
}

const RECORD: &str = r#"a record {"done":"<hex>","flagged":"<hex>","files":N,"bytes":N,"binary":N,"large":N,"allowlisted":N} or {"complete":true}"#;

/// An open checkpoint: what earlier runs did, and the file the records go to.
pub struct Checkpoint {
    path: PathBuf,
    /// Sorted, without repeats: 8 bytes a change, a third of a hash set's.
    done: Vec<u64>,
    restored: Tally,
    complete: bool,
    writer: Mutex<Writer>,
}

struct Writer {
    file: File,
    last_sync: Instant,
    /// The first write that failed: nothing more is written (a record cut short in the
    /// middle of the file would make it unreadable).
    failed: Option<std::io::Error>,
}

/// What an opened checkpoint holds from earlier runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resumed {
    /// Changes done by earlier runs (not scanned again).
    pub done: u64,
    /// An earlier run finished the scan.
    pub complete: bool,
}

impl Checkpoint {
    /// Opens the checkpoint at `path` for the scan `identity` names, creating it when
    /// missing (or empty). A file of another scan, not a checkpoint, or not a regular
    /// file is an error; a torn last line is dropped.
    pub fn open(path: &Path, identity: &Identity) -> Result<Checkpoint, CheckpointError> {
        let io = |source| CheckpointError::Io {
            path: path.to_owned(),
            source,
        };
        match std::fs::symlink_metadata(path) {
            Ok(m) if !m.file_type().is_file() => {
                return Err(CheckpointError::NotRegular {
                    path: path.to_owned(),
                    kind: kind(&m.file_type()),
                })
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let file = OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(path)
                    .map_err(io)?;
                return Checkpoint::start(path, file, identity);
            }
            Err(e) => return Err(io(e)),
        }
        // Bounded: a record holds at most about 20 bytes per change, and the header
        // the tips; 32 bytes per change and 16 MiB leave room for both.
        let limit = (16u64 << 20).max(identity.changes.saturating_mul(32));
        let bytes = read_limited(path, limit).map_err(CheckpointError::Input)?;
        // A header cut short by a kill (no newline yet) is this scan's to rewrite.
        let first_end = bytes.iter().position(|&b| b == b'\n');
        if bytes.is_empty()
            || (first_end.is_none()
                && b"{\"vigil_checkpoint\":".starts_with(&bytes[..bytes.len().min(20)]))
        {
            let file = OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(path)
                .map_err(io)?;
            return Checkpoint::start(path, file, identity);
        }
        let mut lines = bytes.split_inclusive(|&b| b == b'\n').enumerate();
        let header: Header = lines
            .next()
            .and_then(|(_, l)| serde_json::from_slice(l).ok())
            .ok_or_else(|| CheckpointError::Foreign {
                path: path.to_owned(),
            })?;
        check_identity(path, &header, identity)?;
        let mut done = Vec::new();
        let mut restored = Tally::default();
        let mut complete = false;
        let mut valid = bytes.len();
        for (i, line) in lines {
            let malformed = |message: String| CheckpointError::Malformed {
                path: path.to_owned(),
                line: i + 1,
                message,
                expected: RECORD,
            };
            if !line.ends_with(b"\n") {
                // Killed while writing this record: it never counted.
                valid = bytes.len() - line.len();
                break;
            }
            if complete {
                return Err(malformed(
                    "a line after the one that marks the scan complete".into(),
                ));
            }
            if let Ok(c) = serde_json::from_slice::<Complete>(line) {
                if !c.complete {
                    return Err(malformed("\"complete\" is false".into()));
                }
                complete = true;
                continue;
            }
            let record: Record =
                serde_json::from_slice(line).map_err(|e| malformed(e.to_string()))?;
            done.extend(digests(&record.done).map_err(|m| malformed(format!("\"done\": {m}")))?);
            digests(&record.flagged).map_err(|m| malformed(format!("\"flagged\": {m}")))?;
            restored.add(&record.tally);
        }
        done.sort_unstable();
        done.dedup();
        let file = OpenOptions::new().append(true).open(path).map_err(io)?;
        if valid < bytes.len() {
            file.set_len(valid as u64).map_err(io)?;
        }
        Ok(Checkpoint {
            path: path.to_owned(),
            done,
            restored,
            complete,
            writer: Mutex::new(Writer {
                file,
                last_sync: Instant::now(),
                failed: None,
            }),
        })
    }

    fn start(
        path: &Path,
        mut file: File,
        identity: &Identity,
    ) -> Result<Checkpoint, CheckpointError> {
        let header = Header {
            vigil_checkpoint: FORMAT,
            vigil: VERSION.to_owned(),
            source: identity.source.clone(),
            tips: identity.tips.clone(),
            settings: identity.settings.clone(),
            changes: identity.changes,
            changes_digest: identity.changes_digest.clone(),
        };
        let mut line = serde_json::to_vec(&header).unwrap_or_default();
        line.push(b'\n');
        let io = |source| CheckpointError::Io {
            path: path.to_owned(),
            source,
        };
        file.write_all(&line).map_err(io)?;
        file.sync_data().map_err(io)?;
        Ok(Checkpoint {
            path: path.to_owned(),
            done: Vec::new(),
            restored: Tally::default(),
            complete: false,
            writer: Mutex::new(Writer {
                file,
                last_sync: Instant::now(),
                failed: None,
            }),
        })
    }

    /// What earlier runs did.
    pub fn resumed(&self) -> Resumed {
        Resumed {
            done: self.done.len() as u64,
            complete: self.complete,
        }
    }

    /// The counters of the changes earlier runs did.
    pub fn restored(&self) -> Tally {
        self.restored
    }

    /// Marks the scan complete (when it was not) and syncs the file.
    pub fn finish(&self) -> Result<(), CheckpointError> {
        let io = |source| CheckpointError::Io {
            path: self.path.clone(),
            source,
        };
        let mut w = self
            .writer
            .lock()
            .map_err(|_| io(std::io::Error::other("poisoned")))?;
        if let Some(e) = w.failed.take() {
            return Err(io(e));
        }
        if !self.complete {
            w.file.write_all(b"{\"complete\":true}\n").map_err(io)?;
        }
        w.file.sync_data().map_err(io)
    }
}

impl ScanHook for Checkpoint {
    fn is_done(&self, digest: u64) -> bool {
        self.done.binary_search(&digest).is_ok()
    }

    fn chunk_done(&self, record: ChunkRecord) {
        if self.complete {
            // A rerun of a finished scan: the file already says everything.
            return;
        }
        let line = Record {
            done: hex_digests(&record.done),
            flagged: hex_digests(&record.flagged),
            tally: record.tally,
        };
        let mut line = serde_json::to_vec(&line).unwrap_or_default();
        line.push(b'\n');
        let Ok(mut w) = self.writer.lock() else {
            return;
        };
        if w.failed.is_some() {
            return;
        }
        // One write call per record: a kill leaves at most this line torn.
        let mut result = w.file.write_all(&line);
        if result.is_ok() && w.last_sync.elapsed() >= SYNC_EVERY {
            result = w.file.sync_data();
            w.last_sync = Instant::now();
        }
        if let Err(e) = result {
            w.failed = Some(e);
        }
    }
}

fn hex_digests(digests: &[u64]) -> String {
    digests.iter().map(|d| format!("{d:016x}")).collect()
}

/// Reads 16 hex digits per digest.
fn digests(text: &str) -> Result<Vec<u64>, String> {
    if !text.len().is_multiple_of(16) {
        return Err(format!("{} hex digits, not a multiple of 16", text.len()));
    }
    (0..text.len())
        .step_by(16)
        .map(|i| {
            text.get(i..i + 16)
                .and_then(|h| u64::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("not hex digits at offset {i}"))
        })
        .collect()
}

fn check_identity(path: &Path, header: &Header, this: &Identity) -> Result<(), CheckpointError> {
    let mismatch = |written_for: String, this_scan: String| {
        Err(CheckpointError::Mismatch {
            path: path.to_owned(),
            written_for,
            this_scan,
        })
    };
    if header.vigil_checkpoint != FORMAT || header.vigil != VERSION {
        return mismatch(
            format!(
                "vigil {} (checkpoint format {})",
                header.vigil, header.vigil_checkpoint
            ),
            format!("vigil {VERSION} (checkpoint format {FORMAT})"),
        );
    }
    if header.source != this.source || header.tips != this.tips {
        return mismatch(
            format!("{} at {}", header.source, tips(&header.tips)),
            format!("{} at {}", this.source, tips(&this.tips)),
        );
    }
    if header.settings != this.settings {
        return mismatch(
            format!("other rules or settings (digest {})", header.settings),
            format!("with rules and settings of digest {}", this.settings),
        );
    }
    if header.changes != this.changes || header.changes_digest != this.changes_digest {
        return mismatch(
            format!(
                "{} blob changes (digest {})",
                header.changes, header.changes_digest
            ),
            format!(
                "{} blob changes (digest {})",
                this.changes, this.changes_digest
            ),
        );
    }
    Ok(())
}

/// The tips, shortened: the first three, and how many more.
fn tips(tips: &[String]) -> String {
    let shown: Vec<String> = tips
        .iter()
        .take(3)
        .map(|t| crate::report::printable(t.get(..t.len().min(120)).unwrap_or(t)).into_owned())
        .collect();
    match tips.len() {
        0 => "no tips".to_owned(),
        n if n > 3 => format!("{} and {} more", shown.join(", "), n - 3),
        _ => shown.join(", "),
    }
}

pub(crate) fn kind(t: &std::fs::FileType) -> &'static str {
    if t.is_symlink() {
        "a symbolic link"
    } else if t.is_dir() {
        "a folder"
    } else {
        crate::scan::file_kind(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(changes: &[u64]) -> Identity {
        Identity::new(
            "--history".into(),
            vec!["HEAD=ab".into()],
            "s".into(),
            changes,
        )
    }

    #[test]
    fn digests_read_back_and_bad_ones_are_named() {
        assert_eq!(digests(&hex_digests(&[1, u64::MAX])), Ok(vec![1, u64::MAX]));
        assert_eq!(digests(""), Ok(vec![]));
        assert!(digests("abc").unwrap_err().contains("not a multiple of 16"));
        assert!(digests("zzzzzzzzzzzzzzzz")
            .unwrap_err()
            .contains("offset 0"));
    }

    #[test]
    fn a_record_is_restored_and_a_torn_header_is_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp");
        let id = identity(&[1, 2, 3]);
        let cp = Checkpoint::open(&path, &id).unwrap();
        cp.chunk_done(ChunkRecord {
            done: vec![1, 2],
            flagged: vec![3],
            tally: Tally {
                files: 2,
                bytes: 10,
                ..Tally::default()
            },
        });
        drop(cp);
        let again = Checkpoint::open(&path, &id).unwrap();
        assert!(again.is_done(1) && again.is_done(2) && !again.is_done(3));
        assert_eq!(again.restored().bytes, 10);
        assert_eq!(
            again.resumed(),
            Resumed {
                done: 2,
                complete: false
            }
        );
        again.finish().unwrap();
        assert!(Checkpoint::open(&path, &id).unwrap().resumed().complete);
        // Killed while writing the header: the file is this scan's to start.
        std::fs::write(&path, "{\"vigil_check").unwrap();
        assert_eq!(Checkpoint::open(&path, &id).unwrap().resumed().done, 0);
        // The changes are part of what the file is for.
        let other = Checkpoint::open(&path, &identity(&[1, 2, 4]));
        assert!(matches!(other, Err(CheckpointError::Mismatch { .. })));
    }
}
