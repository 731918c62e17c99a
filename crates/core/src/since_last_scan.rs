//! `--history --since-last-scan FILE`: a nightly audit that scans only what is new.
//!
//! FILE records what the last complete history scan covered: the tips (every reference
//! and the commit it named) and the pair digest
//! ([`pair_digest`](vigil_git::Change::pair_digest)) of every blob change it scanned.
//! The next scan walks the commits reachable from today's references and not from
//! those tips, and drops the changes whose digest is recorded (scanned and reported
//! the last time: a revert that brings an old blob pair back adds nothing). Missing,
//! it is a first run: the whole history. It is rewritten (beside it, synced, renamed
//! over it) only after a complete scan. It never holds a secret.
//!
//! The format (vigil's own):
//!
//! ```text
//! {"vigil_scan_record":1,"vigil":"0.1.0","finished":<unix seconds>,"settings":"<hex>",
//!  "tips":[["HEAD","<id>"],["refs/heads/main","<id>"],...],"digests":N}
//! <base64 of the N digests, sorted, 8 bytes big-endian each>
//! ```
use std::{
    io::Write,
    path::{Path, PathBuf},
    time::{SystemTime, UNIX_EPOCH},
};

use base64::Engine;
use serde::{Deserialize, Serialize};
use vigil_git::{ChangeSet, GitError, ObjectId, Repo};

use crate::input::{max_input_size, read_limited, InputError};

/// Why the record cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("--since-last-scan {0}")]
    Input(InputError),
    #[error("--since-last-scan {}: {kind}, not a regular file; give the path of a file vigil may write", path.display())]
    NotRegular { path: PathBuf, kind: &'static str },
    #[error("--since-last-scan {}: not a record of a vigil scan (its first line is not a vigil scan record header); vigil does not overwrite a file it did not write: give another path", path.display())]
    Foreign { path: PathBuf },
    #[error("--since-last-scan {}: line {line}: {message}; expected {expected}", path.display())]
    Malformed {
        path: PathBuf,
        line: usize,
        message: String,
        expected: &'static str,
    },
    #[error("--since-last-scan {} was written by vigil {written} (record format {format}); this is vigil {} (format {FORMAT}); delete it for a whole-history scan, or use another file", path.display(), env!("CARGO_PKG_VERSION"))]
    Version {
        path: PathBuf,
        written: String,
        format: u32,
    },
    #[error("--since-last-scan {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Git(#[from] GitError),
}

const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    vigil_scan_record: u32,
    vigil: String,
    finished: u64,
    settings: String,
    tips: Vec<(String, String)>,
    digests: u64,
}

const DIGESTS: &str = "the base64 of the header's count of digests, 8 bytes each, sorted";

/// What the last scan covered, as read.
struct Last {
    finished: u64,
    settings: String,
    tips: Vec<(String, String)>,
    /// Sorted, without repeats.
    digests: Vec<u64>,
}

/// An incremental scan under way: what the record said, and today's tips.
pub struct Incremental {
    /// What to say beside the summary (a first run, tips gone, nothing new).
    pub notes: Vec<String>,
    /// A record was there: an empty scan is "nothing new", not "scanned nothing".
    pub had_record: bool,
    tips: Vec<(String, String)>,
    digests: Vec<u64>,
}

/// The changes of the commits new since the record at `path` (all of them when it is
/// missing), without those it says were scanned.
pub fn changes(
    repo: &Repo,
    path: &Path,
    settings: &str,
) -> Result<(ChangeSet, Incremental), RecordError> {
    let tips: Vec<(String, String)> = vigil_git::history_tips(repo)?
        .into_iter()
        .map(|(name, id)| (name, id.to_string()))
        .collect();
    let shown = path.display();
    let Some(last) = read(path)? else {
        let set = vigil_git::history(repo, None)?;
        let notes = vec![format!(
            "--since-last-scan {shown}: no record yet: the whole history is scanned, and recorded there if the scan completes"
        )];
        return Ok((
            set,
            Incremental {
                notes,
                had_record: false,
                tips,
                digests: Vec::new(),
            },
        ));
    };
    let mut notes = Vec::new();
    let mut hidden = Vec::new();
    for (name, hex) in &last.tips {
        match ObjectId::from_hex(hex) {
            Some(id) => hidden.push(id),
            None => {
                return Err(RecordError::Malformed {
                    path: path.to_owned(),
                    line: 1,
                    message: format!(
                        "tip {} names {:?}, not a commit id",
                        crate::report::printable(name),
                        crate::report::printable(hex)
                    ),
                    expected: "a header whose tips are [name, full hex commit id] pairs",
                })
            }
        }
    }
    let (mut set, gone) = vigil_git::history_since(repo, &hidden, None)?;
    if !gone.is_empty() {
        let names: Vec<String> = last
            .tips
            .iter()
            .filter(|(_, hex)| gone.iter().any(|g| g.to_string() == *hex))
            .map(|(name, hex)| {
                crate::report::printable(&format!("{name} ({})", hex.get(..12).unwrap_or(hex)))
                    .into_owned()
            })
            .collect();
        notes.push(format!(
            "--since-last-scan {shown}: {} of the tips the last scan covered are no longer in the repository (rewritten and collected): {}; their changes are recognised by their digests instead",
            gone.len(),
            names.join(", ")
        ));
    }
    if last.settings != settings {
        notes.push(format!(
            "--since-last-scan {shown}: the rules or settings changed since the last scan; what it covered is not scanned again with the new ones (delete the file for a whole-history scan)"
        ));
    }
    set.changes
        .retain(|c| last.digests.binary_search(&c.pair_digest()).is_err());
    if set.changes.is_empty() {
        notes.push(format!(
            "nothing new since the last scan ({}, {} tips): the history it covered holds every change",
            crate::report::utc_timestamp(UNIX_EPOCH + std::time::Duration::from_secs(last.finished), true),
            last.tips.len()
        ));
    }
    Ok((
        set,
        Incremental {
            notes,
            had_record: true,
            tips,
            digests: last.digests,
        },
    ))
}

impl Incremental {
    /// The record of this scan: today's tips, and every change scanned so far.
    pub fn record(&self, set: &ChangeSet, settings: String) -> ScanRecord {
        let mut digests = self.digests.clone();
        digests.extend(set.changes.iter().map(|c| c.pair_digest()));
        digests.sort_unstable();
        digests.dedup();
        ScanRecord {
            tips: self.tips.clone(),
            digests,
            settings,
        }
    }
}

/// What a complete scan covered, to write.
pub struct ScanRecord {
    tips: Vec<(String, String)>,
    digests: Vec<u64>,
    settings: String,
}

impl ScanRecord {
    /// Writes the record atomically: a file beside `path`, synced, renamed over it. A
    /// file there that vigil did not write is never replaced.
    pub fn write(&self, path: &Path) -> Result<(), RecordError> {
        let io = |source| RecordError::Io {
            path: path.to_owned(),
            source,
        };
        // What is there (a record read at the start, or none) must still be a record.
        read(path)?;
        let finished = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let header = Header {
            vigil_scan_record: FORMAT,
            vigil: env!("CARGO_PKG_VERSION").to_owned(),
            finished,
            settings: self.settings.clone(),
            tips: self.tips.clone(),
            digests: self.digests.len() as u64,
        };
        let mut bytes = serde_json::to_vec(&header).unwrap_or_default();
        bytes.push(b'\n');
        let raw: Vec<u8> = self.digests.iter().flat_map(|d| d.to_be_bytes()).collect();
        bytes.extend(
            base64::engine::general_purpose::STANDARD
                .encode(raw)
                .into_bytes(),
        );
        bytes.push(b'\n');
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        let result = (|| {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            std::fs::rename(&temp, path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        result.map_err(io)
    }
}

/// The record at `path`, or `None` when there is none (or it is empty).
fn read(path: &Path) -> Result<Option<Last>, RecordError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if !m.file_type().is_file() => {
            return Err(RecordError::NotRegular {
                path: path.to_owned(),
                kind: crate::checkpoint::kind(&m.file_type()),
            })
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(RecordError::Io {
                path: path.to_owned(),
                source: e,
            })
        }
    }
    // Bounded: about 11 bytes per change scanned; past 16 MiB, the input limit.
    let bytes = read_limited(path, max_input_size().max(16 << 20)).map_err(RecordError::Input)?;
    if bytes.is_empty() {
        return Ok(None);
    }
    let mut lines = bytes.split(|&b| b == b'\n');
    let header: Header = lines
        .next()
        .and_then(|l| serde_json::from_slice(l).ok())
        .ok_or_else(|| RecordError::Foreign {
            path: path.to_owned(),
        })?;
    if header.vigil_scan_record != FORMAT || header.vigil != env!("CARGO_PKG_VERSION") {
        return Err(RecordError::Version {
            path: path.to_owned(),
            written: crate::report::printable(&header.vigil).into_owned(),
            format: header.vigil_scan_record,
        });
    }
    let malformed = |line: usize, message: String| RecordError::Malformed {
        path: path.to_owned(),
        line,
        message,
        expected: DIGESTS,
    };
    let text = lines.next().unwrap_or_default();
    if lines.any(|l| !l.is_empty()) {
        return Err(malformed(3, "a line after the digests".into()));
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| malformed(2, format!("not base64 ({e})")))?;
    if raw.len() as u64 != header.digests.saturating_mul(8) {
        return Err(malformed(
            2,
            format!("{} bytes for {} digests", raw.len(), header.digests),
        ));
    }
    let digests: Vec<u64> = raw
        .chunks_exact(8)
        .map(|c| u64::from_be_bytes(c.try_into().unwrap_or_default()))
        .collect();
    if let Some(i) = digests.windows(2).position(|w| w[0] >= w[1]) {
        return Err(malformed(
            2,
            format!(
                "digest {} is not above the one before (they must be sorted)",
                i + 1
            ),
        ));
    }
    Ok(Some(Last {
        finished: header.finished,
        settings: header.settings,
        tips: header.tips,
        digests,
    }))
}
