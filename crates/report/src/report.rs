//! The input of every report: the findings, signature verification verdicts, and what
//! the scan was ([`ScanInfo`]).
//!
//! [`Report`] is the one value every format writes. A scan builds it with
//! [`Report::new`] (findings only); [`Report::with_verdicts`] adds the verdicts on
//! commits and tags, which SARIF, JUnit, JSON Lines, GitHub commands and the Markdown
//! summary write beside the findings.
//!
//! A leaf: it imports nothing from the crate.
use std::{fmt, time::SystemTime};

use vigil_model::{Finding, Severity};

/// A rule in force during the scan, as reports describe it.
#[derive(Debug, Clone)]
pub struct RuleInfo {
    pub id: String,
    pub description: String,
    pub severity: Severity,
    pub tags: Vec<String>,
    pub remediation: Option<String>,
    pub remediation_url: Option<String>,
}

impl RuleInfo {
    /// The rule as a finding of it describes it (for a rule the scan did not list).
    pub fn of(f: &Finding) -> RuleInfo {
        RuleInfo {
            id: f.rule.to_string(),
            description: f.description.to_string(),
            severity: f.severity,
            tags: f.tags.to_vec(),
            remediation: f.remediation.as_deref().map(str::to_owned),
            remediation_url: f.remediation_url.as_deref().map(str::to_owned),
        }
    }
}

/// What was scanned: how many files and commits.
#[derive(Debug, Clone, Default)]
pub struct Scanned {
    pub files: u64,
    pub commits: u64,
}

/// One job's part of a scan split with `--shard K/N` (1 <= K <= N). The JSON, JSON
/// Lines, SARIF and GitLab reports of a shard say which part they hold, so that
/// `vigil report merge` can tell a missing or repeated shard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Shard {
    /// 1-based.
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Reads `K/N` as the reports write it: decimal digits, 1 <= K <= N.
    pub fn parse(text: &str) -> Option<Shard> {
        let (k, n) = text.split_once('/')?;
        let number = |s: &str| {
            (!s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u32>().ok())
                .flatten()
        };
        let (index, count) = (number(k)?, number(n)?);
        (index >= 1 && index <= count).then_some(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Why an item in scope was not scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipReason {
    /// Larger than the size limit (`--max-file-size`, `[scan] max_file_size`).
    TooLarge,
    /// A symbolic link met in a folder: never followed, so a scan stays inside the
    /// folders it was given.
    Symlink,
    /// A FIFO, a device or a socket: not a regular file, so not opened.
    NotAFile,
    /// Could not be read (the error is in [`ScanInfo::errors`]).
    Unreadable,
    /// An archive (or an archive inside one) not scanned past a limit: the bytes it
    /// expands to, its entries or how deep archives nest (the error is in
    /// [`ScanInfo::errors`]).
    ArchiveLimit,
}

impl SkipReason {
    pub const ALL: [SkipReason; 5] = [
        SkipReason::TooLarge,
        SkipReason::Symlink,
        SkipReason::NotAFile,
        SkipReason::Unreadable,
        SkipReason::ArchiveLimit,
    ];

    /// The name machine formats write.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::TooLarge => "too-large",
            SkipReason::Symlink => "symlink",
            SkipReason::NotAFile => "not-a-regular-file",
            SkipReason::Unreadable => "unreadable",
            SkipReason::ArchiveLimit => "archive-limit",
        }
    }

    pub fn parse(name: &str) -> Option<SkipReason> {
        SkipReason::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// Why, in words.
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::TooLarge => "larger than the size limit",
            SkipReason::Symlink => "a symbolic link (not followed)",
            SkipReason::NotAFile => "not a regular file",
            SkipReason::Unreadable => "could not be read",
            SkipReason::ArchiveLimit => "an archive past an expansion limit",
        }
    }
}

/// An item in scope that was not scanned, and why. Items left out by design (binary
/// content, allowlisted or ignored paths) are counted, not listed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Skipped {
    pub path: String,
    /// The commit that added the blob, for git sources.
    pub commit: Option<String>,
    pub reason: SkipReason,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path)?;
        if let Some(c) = &self.commit {
            write!(f, " (commit {})", &c[..c.len().min(12)])?;
        }
        write!(f, ": not scanned: {}", self.reason.describe())
    }
}

/// Everything a report says besides the findings themselves.
#[derive(Debug, Clone)]
pub struct ScanInfo {
    /// `vigil`.
    pub tool_name: String,
    pub tool_version: String,
    pub started: SystemTime,
    pub finished: SystemTime,
    pub scanned: Scanned,
    /// The rules in force; formats that describe rules look them up here first.
    pub rules: Vec<RuleInfo>,
    /// What could not be scanned. Non-empty means the scan is incomplete.
    pub errors: Vec<String>,
    /// Each item in scope that was not scanned, and why, sorted.
    pub skipped: Vec<Skipped>,
    /// The part of a sharded scan this report holds (`--shard K/N`).
    pub shard: Option<Shard>,
    /// The trust policy signature verdicts were judged by (`.vigil.toml`), relative to
    /// the repository root: the file a verdict's SARIF result points at.
    pub policy_file: Option<String>,
    /// The scan was of staged changes, not yet committed: the human report advises
    /// unstaging and rotating, not rewriting history.
    pub staged: bool,
}

impl ScanInfo {
    /// A scan that started and finished at `at`, covered nothing and knew no rules.
    pub fn new(tool_name: &str, tool_version: &str, at: SystemTime) -> ScanInfo {
        ScanInfo {
            tool_name: tool_name.to_owned(),
            tool_version: tool_version.to_owned(),
            started: at,
            finished: at,
            scanned: Scanned::default(),
            rules: Vec::new(),
            errors: Vec::new(),
            skipped: Vec::new(),
            shard: None,
            policy_file: None,
            staged: false,
        }
    }

    /// True when everything asked for was covered: nothing could not be read, and
    /// the scan did not cover nothing (the errors say so when it did).
    pub fn complete(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Seconds between start and finish.
    pub fn elapsed_secs(&self) -> f64 {
        self.finished
            .duration_since(self.started)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0)
    }
}

/// What a report is written from: the scan's findings and, when verification ran, its
/// verdicts. Build it with [`Report::new`], then [`Report::with_verdicts`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Report<'a> {
    pub info: &'a ScanInfo,
    /// Sorted as the scan sorted them ([`crate::finding_order`]: path, line, commit,
    /// column, rule).
    pub findings: &'a [Finding],
    /// Signature verification verdicts (`vigil verify`), one per commit or tag.
    pub verdicts: &'a [vigil_model::ObjectVerdict],
    /// With `vigil scan --explain`: each candidate dropped (as the finding it would
    /// have made) and why. Only the JSON report writes them, as `dropped`.
    pub dropped: Option<&'a [(Finding, String)]>,
}

impl<'a> Report<'a> {
    pub fn new(info: &'a ScanInfo, findings: &'a [Finding]) -> Report<'a> {
        Report {
            info,
            findings,
            verdicts: &[],
            dropped: None,
        }
    }

    /// The same report with the candidates `--explain` listed.
    pub fn with_dropped(self, dropped: &'a [(Finding, String)]) -> Report<'a> {
        Report {
            dropped: Some(dropped),
            ..self
        }
    }

    /// The same report with verification verdicts beside the findings.
    pub fn with_verdicts(self, verdicts: &'a [vigil_model::ObjectVerdict]) -> Report<'a> {
        Report { verdicts, ..self }
    }
}
