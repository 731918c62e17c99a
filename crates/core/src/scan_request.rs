//! A scan as a front-end asks for it, from the source to the findings that remain after
//! suppression: the one call every door (the CLI, the git hooks, the CI doors, a program
//! embedding vigil) makes, so all of them give the same verdict for the same input.
//!
//! Two steps, so a front-end can show the configuration's warnings before the scan
//! runs: [`ScanRequest::prepare`] finds and checks the configuration, the baseline and
//! the repository; [`PreparedScan::run`] scans and suppresses.
use std::{
    io::Read,
    path::{Path, PathBuf},
    time::{Instant, SystemTime},
};

use vigil_git::{GitError, RangeSpec, Repo, Shard};
use vigil_model::{FailOn, Status};
use vigil_report::{RuleInfo, ScanInfo, Scanned};
use vigil_secrets::{Detector, DetectorOptions, Dropped};

use crate::{
    baseline::{default_baseline_path, Baseline, BaselineError, Date},
    config::{Config, ConfigError},
    config_source::ConfigSource,
    git_scan::scan_changes,
    parse_size,
    scan::{scan_paths, scan_reader, ScanError, ScanOptions, ScanOutcome, DEFAULT_MAX_FILE_SIZE},
    suppress::{self, Suppressed},
};

/// What to scan.
pub enum Source {
    /// Folders and files.
    Paths(Vec<PathBuf>),
    /// A reader's content (stdin), reported under `name`.
    Reader { name: String, reader: Box<dyn Read> },
    /// A git source of the repository at or above `repo`.
    Git { repo: PathBuf, what: GitSource },
}

/// The git sources: what a commit, a push or an audit adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitSource {
    /// The lines the index adds against HEAD (what `git commit` would record).
    Staged,
    /// The lines added by each commit reachable from B and not from A (`A..B`).
    Range { spec: String, shard: Option<String> },
    /// Same as `Range` with `REV..HEAD`.
    Since { rev: String, shard: Option<String> },
    /// Every commit reachable from any reference; each blob change once.
    History { shard: Option<String> },
    /// A new branch: the commits reachable from `tip` and from no remote-tracking ref.
    NotOnRemotes { tip: String, shard: Option<String> },
}

impl GitSource {
    /// The same commits, of which only shard `K/N` is scanned; `Staged` has no shards.
    pub fn sharded(self, shard: Option<String>) -> Result<GitSource, String> {
        Ok(match self {
            GitSource::Staged if shard.is_some() => {
                return Err("--shard splits commits; staged changes are not commits".to_owned())
            }
            GitSource::Staged => GitSource::Staged,
            GitSource::Range { spec, .. } => GitSource::Range { spec, shard },
            GitSource::Since { rev, .. } => GitSource::Since { rev, shard },
            GitSource::History { .. } => GitSource::History { shard },
            GitSource::NotOnRemotes { tip, .. } => GitSource::NotOnRemotes { tip, shard },
        })
    }
}

/// A scan request. Options left `None` take the configuration's value, then the default.
pub struct ScanRequest {
    pub source: Source,
    pub config: ConfigSource,
    /// A size such as `500k` or `10MiB`; else `[scan] max_file_size`; else 10 MiB.
    pub max_file_size: Option<String>,
    /// Honour `.gitignore` (also switched on by `[scan] gitignore = true`).
    pub gitignore: bool,
    /// Do not open archives (zip, jar, tar, gzip, …): scan them as the binary files
    /// they are (also switched on by `[scan] archives = false`).
    pub no_archives: bool,
    /// Worker threads; 0 is one per core.
    pub threads: usize,
    /// What a git scan's caches may hold, e.g. `256MiB` (at least 32 MiB); else
    /// `[scan] memory`; else [`MemoryBudget::DEFAULT`].
    pub memory: Option<String>,
    /// Layers of base64, percent-encoding and escapes to look through.
    pub decode_depth: u8,
    /// Which baseline drops the findings it accepts.
    pub baseline: BaselineChoice,
    /// Which findings fail the scan; else `[scan] fail_on`; else every finding.
    pub fail_on: Option<FailOn>,
    /// The git source was resolved from a push or a CI event ([`crate::hooks::plan`]),
    /// whose resolver already decided what there is to scan: an empty range there is a
    /// push that added no commits. An empty range asked for by hand is incomplete (a
    /// reversed range, a typo).
    pub resolved: bool,
    /// Record the candidates dropped, and why, in [`ScanRun::dropped`] (`--explain`).
    pub explain: bool,
    /// A git scan of commits: record what is done in this file, and skip what an
    /// earlier run recorded there ([`crate::checkpoint`]).
    pub checkpoint: Option<PathBuf>,
    /// A `--history` scan: only what is new since the scan this file records, which is
    /// rewritten after a complete scan ([`crate::since_last_scan`]).
    pub since_last_scan: Option<PathBuf>,
}

/// The baseline a scan applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaselineChoice {
    /// The `.vigil-baseline` at the scan's root ([`default_baseline_path`]), if there is one.
    Default,
    /// This file, which must exist.
    File(PathBuf),
    /// None (`--no-baseline`; `vigil baseline`, which needs every finding).
    Off,
}

/// Why a scan could not run (a usage or configuration error: nothing was scanned).
#[derive(Debug, thiserror::Error)]
pub enum ScanRequestError {
    #[error("max file size: {0}")]
    MaxFileSize(String),
    /// `--memory` is not a size, or too small.
    #[error("memory: {0}")]
    Memory(String),
    /// `--shard K/N` does not read as a shard.
    #[error("{0}")]
    Shard(String),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Baseline(#[from] BaselineError),
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    Scan(#[from] ScanError),
    #[error(transparent)]
    Checkpoint(#[from] crate::checkpoint::CheckpointError),
    #[error(transparent)]
    SinceLastScan(#[from] crate::since_last_scan::RecordError),
    /// An option that does not apply to this source.
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A request whose configuration, baseline and repository are loaded and checked.
pub struct PreparedScan {
    source: PreparedSource,
    pub config: Config,
    /// What loading the configuration had to say.
    pub warnings: Vec<String>,
    detector: Detector,
    options: ScanOptions,
    baseline: Option<(PathBuf, Baseline)>,
    /// The baseline is the default one, found at the scan's root.
    default_baseline: bool,
    fail_on: FailOn,
    resolved: bool,
    explain: bool,
    /// Where a git scan keeps what it did and what it covered.
    files: ProgressFiles,
}

/// The files a git scan resumes from and records what it covered in.
struct ProgressFiles {
    checkpoint: Option<PathBuf>,
    since_last_scan: Option<PathBuf>,
    /// A digest of the rules and settings that decide what a change's scan finds
    /// (empty when there is neither file).
    settings: String,
}

enum PreparedSource {
    Paths(Vec<PathBuf>),
    Reader { name: String, reader: Box<dyn Read> },
    Git { repo: Box<Repo>, what: GitSource },
}

/// Told how far a long scan has come (the CLI draws a progress bar).
pub trait Progress: Sync {
    /// The scan will handle `total` items of kind `unit` (`blobs`).
    fn start(&self, total: u64, unit: &str);
    fn advance(&self, n: u64);
    fn finish(&self);
}

/// No progress to show.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _: u64, _: &str) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

/// What a scan found, after suppression, and what it scanned.
pub struct ScanRun {
    /// The findings that remain, what was scanned, and what could not be read.
    pub outcome: ScanOutcome,
    pub status: Status,
    /// What the `.gitleaks.toml` filters and the baseline dropped.
    pub suppressed: Suppressed,
    /// The size limit in force.
    pub max_file_size: u64,
    /// The scan was of staged changes (its summary speaks of staged blobs).
    pub staged: bool,
    /// The rules in force.
    pub rules: Vec<RuleInfo>,
    /// The part of a sharded scan this run covered (`--shard K/N`).
    pub shard: Option<vigil_report::Shard>,
    /// With [`ScanRequest::explain`]: the candidates a rule matched and then a check
    /// or suppression dropped, with why, in report order.
    pub dropped: Vec<Dropped>,
    /// What the checkpoint and the record of the last scan had to say (resumed, nothing
    /// new): for the front-end to show beside the summary, never in a report.
    pub notes: Vec<String>,
}

/// The outcome of [`PreparedScan::run`].
pub enum ScanResult {
    Done(Box<ScanRun>),
    /// The commits to scan could not all be read: nothing is reported (a partial git
    /// scan would look like a clean one).
    Incomplete(GitError),
}

impl ScanRequest {
    /// Loads the configuration (from the repository for git sources, else from the first
    /// path, or the current folder for a reader), builds the detector and reads the
    /// baseline. Nothing is scanned yet.
    pub fn prepare(self) -> Result<PreparedScan, ScanRequestError> {
        let threads = crate::input::cap_threads(self.threads);
        let mut warnings = Vec::new();
        if threads != self.threads {
            warnings.push(crate::input::capped_threads_note(self.threads, threads));
        }
        if threads > 0 {
            // Every parallel part of a scan (rule compilation, git reads, tree diffs)
            // uses rayon's global pool, so `threads` sizes it; fails only if already built.
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build_global();
        }
        let (source, start) = match self.source {
            Source::Git { repo, what } => {
                let repo = Box::new(Repo::discover(&repo)?);
                let start = repo.root.clone();
                (PreparedSource::Git { repo, what }, start)
            }
            Source::Reader { name, reader } => (
                PreparedSource::Reader { name, reader },
                std::env::current_dir()?,
            ),
            Source::Paths(paths) => {
                let paths = if paths.is_empty() {
                    vec![PathBuf::from(".")]
                } else {
                    paths
                };
                let start = paths[0].clone();
                (PreparedSource::Paths(paths), start)
            }
        };
        let loaded = self.config.load(&start)?;
        warnings.extend(loaded.warnings);
        let config = loaded.config;
        let max_file_size = match &self.max_file_size {
            Some(s) => parse_size(s).map_err(ScanRequestError::MaxFileSize)?,
            None => config.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE),
        };
        let memory = match &self.memory {
            Some(s) => {
                let bytes = parse_size(s).map_err(ScanRequestError::Memory)?;
                Some(crate::config::memory_budget(bytes).map_err(ScanRequestError::Memory)?)
            }
            None => config.memory,
        }
        .unwrap_or_default();
        let mut source = source;
        if let PreparedSource::Git { repo, .. } = &mut source {
            repo.set_memory(memory);
        }
        let detector = config.detector(DetectorOptions {
            max_decode_depth: self.decode_depth,
            fingerprint_key: config.fingerprint_key,
            explain: self.explain,
            ..DetectorOptions::default()
        })?;
        let options = ScanOptions {
            max_file_size,
            threads,
            gitignore: self.gitignore || config.gitignore.unwrap_or(false),
            allowlist_root: config.root().map(Path::to_path_buf),
            config_file: config.path.clone(),
            archives: !self.no_archives && config.archives.unwrap_or(true),
        };
        let by_default = self.baseline == BaselineChoice::Default;
        let baseline = match self.baseline {
            BaselineChoice::File(path) => {
                let b = Baseline::load(&path)?;
                Some((path, b))
            }
            BaselineChoice::Default => {
                let path = default_baseline_path(&start);
                if path.is_file() {
                    let b = Baseline::load(&path)?;
                    Some((path, b))
                } else {
                    None
                }
            }
            BaselineChoice::Off => None,
        };
        let default_baseline = by_default && baseline.is_some();
        let git_commits =
            matches!(&source, PreparedSource::Git { what, .. } if *what != GitSource::Staged);
        let progress_files = self.checkpoint.is_some() || self.since_last_scan.is_some();
        if progress_files && !git_commits {
            return Err(ScanRequestError::Usage(
                "--checkpoint and --since-last-scan are for scans of commits (--history, --range, --since, --ci)".to_owned(),
            ));
        }
        if self.since_last_scan.is_some() {
            match &source {
                PreparedSource::Git {
                    what: GitSource::History { shard: None },
                    ..
                } => {}
                PreparedSource::Git {
                    what: GitSource::History { .. },
                    ..
                } => {
                    return Err(ScanRequestError::Usage(
                        "--since-last-scan records what a whole history scan covered; a shard (--shard) covers only part of it".to_owned(),
                    ))
                }
                _ => {
                    return Err(ScanRequestError::Usage(
                        "--since-last-scan is for --history scans (a range already names what is new)".to_owned(),
                    ))
                }
            }
        }
        // Only the progress files keep it, and it costs a serialization of every rule.
        let settings = if progress_files {
            settings_digest(&detector, &config, &options, self.decode_depth)
        } else {
            String::new()
        };
        let fail_on = self.fail_on.or(config.fail_on).unwrap_or_default();
        Ok(PreparedScan {
            source,
            config,
            warnings,
            detector,
            options,
            baseline,
            default_baseline,
            fail_on,
            resolved: self.resolved,
            explain: self.explain,
            files: ProgressFiles {
                checkpoint: self.checkpoint,
                since_last_scan: self.since_last_scan,
                settings,
            },
        })
    }
}

/// What decides a change's findings besides its blobs: the rules in force, the
/// allowlists, the size limit and the decoding depth (a checkpoint of other settings
/// would leave changes unscanned under these).
fn settings_digest(
    detector: &Detector,
    config: &Config,
    options: &ScanOptions,
    decode_depth: u8,
) -> String {
    let specs: Vec<_> = detector.rules().iter().map(|r| &r.spec).collect();
    let rules = serde_json::to_vec(&specs).unwrap_or_default();
    let allowlist = serde_json::to_vec(&config.allowlist).unwrap_or_default();
    crate::checkpoint::settings_digest(&[
        env!("CARGO_PKG_VERSION").as_bytes(),
        &rules,
        &allowlist,
        &options.max_file_size.to_be_bytes(),
        &[decode_depth, u8::from(options.archives)],
    ])
}

impl PreparedScan {
    /// Scans, then drops what the `.gitleaks.toml` filters and the baseline accept.
    pub fn run(self, progress: &dyn Progress) -> Result<ScanResult, ScanRequestError> {
        let PreparedScan {
            source,
            config,
            detector,
            options,
            baseline,
            default_baseline,
            fail_on,
            resolved,
            explain,
            files,
            ..
        } = self;
        let staged = matches!(
            source,
            PreparedSource::Git {
                what: GitSource::Staged,
                ..
            }
        );
        let shard = match &source {
            PreparedSource::Git { what, .. } => what.shard(),
            _ => None,
        };
        let mut notes = Vec::new();
        let mut record = None;
        let folder = matches!(source, PreparedSource::Paths(_));
        let outcome = match source {
            PreparedSource::Git { repo, what } => {
                let scanned = scan_git(
                    &detector, &repo, &what, &options, resolved, progress, &files,
                );
                match scanned {
                    Ok(scanned) => {
                        notes = scanned.notes;
                        record = scanned.record;
                        scanned.outcome
                    }
                    Err(ScanRequestError::Git(e)) if e.is_incomplete() => {
                        return Ok(ScanResult::Incomplete(e))
                    }
                    Err(e) => return Err(e),
                }
            }
            PreparedSource::Reader { name, reader } => {
                scan_reader(&detector, reader, &name, options.max_file_size)?
            }
            PreparedSource::Paths(paths) => scan_paths(&detector, &paths, &options)?,
        };
        let mut outcome = outcome;
        // A shard may hold nothing but skipped items while the whole scan does not; the
        // reports of shards must merge into the whole's, so only whole scans say it.
        outcome.too_large_is_incomplete(options.max_file_size);
        if shard.is_none() {
            outcome.check_covered(options.max_file_size);
            if folder {
                outcome.check_files_found();
            }
        }
        let mut dropped = detector.take_dropped();
        let suppressed = suppress::apply(
            &mut outcome.findings,
            config.gitleaks.as_ref(),
            baseline.as_ref().map(|(p, b)| (p.as_path(), b)),
            Date::today(),
            explain.then_some(&mut dropped),
        );
        let mut suppressed = suppressed;
        if let Some(b) = &mut suppressed.baseline {
            b.by_default = default_baseline;
        }
        dropped.sort_by(|a, b| vigil_report::finding_order(&a.finding, &b.finding));
        let rules = detector.rules().iter().map(crate::rules::info).collect();
        // A scan is the last thing its process does (`baseline` runs one, then writes a
        // file): freeing every rule, compiled regex and regex cache one by one took
        // about 4 ms at the end of every scan, 2% of a folder scan.
        std::mem::forget(detector);
        let failing = outcome.findings.iter().any(|f| fail_on.fails(f.severity));
        let status = Status::of(failing, !outcome.errors.is_empty());
        // Only a complete scan (exit 0 or 1) becomes the record the next one starts from.
        if let (Some(record), Some(path)) = (record, &files.since_last_scan) {
            if status != Status::Incomplete {
                record.write(path)?;
            }
        }
        Ok(ScanResult::Done(Box::new(ScanRun {
            outcome,
            status,
            suppressed,
            max_file_size: options.max_file_size,
            staged,
            rules,
            shard,
            dropped,
            notes,
        })))
    }
}

impl GitSource {
    /// The shard asked for, when it reads as `K/N` (else the scan stops with an error).
    fn shard(&self) -> Option<vigil_report::Shard> {
        let text = match self {
            GitSource::Range { shard, .. }
            | GitSource::Since { shard, .. }
            | GitSource::History { shard } => shard.as_deref()?,
            GitSource::Staged | GitSource::NotOnRemotes { .. } => return None,
        };
        let s = Shard::parse(text).ok()?;
        Some(vigil_report::Shard {
            index: s.index,
            count: s.count,
        })
    }
}

/// A git scan's outcome, with what its checkpoint and record had to say.
struct GitScanned {
    outcome: ScanOutcome,
    notes: Vec<String>,
    /// With `--since-last-scan`: the record to write if the scan is complete.
    record: Option<crate::since_last_scan::ScanRecord>,
}

/// Collects the changes of the chosen git source, then scans them.
fn scan_git(
    detector: &Detector,
    repo: &Repo,
    what: &GitSource,
    options: &ScanOptions,
    resolved: bool,
    progress: &dyn Progress,
    files: &ProgressFiles,
) -> Result<GitScanned, ScanRequestError> {
    let shard = |s: &Option<String>| -> Result<Option<Shard>, ScanRequestError> {
        s.as_ref()
            .map(|s| Shard::parse(s).map_err(ScanRequestError::Shard))
            .transpose()
    };
    // The summary's time covers finding the changes (the walk and tree diffs) too.
    let start = Instant::now();
    let mut notes = Vec::new();
    let mut since = None;
    let changes = match what {
        GitSource::Staged => vigil_git::staged(repo)?,
        GitSource::Range { spec, shard: s } => {
            vigil_git::range(repo, &RangeSpec::parse(spec)?, shard(s)?)?
        }
        GitSource::Since { rev, shard: s } => {
            vigil_git::range(repo, &RangeSpec::since(rev), shard(s)?)?
        }
        GitSource::History { shard: s } => match &files.since_last_scan {
            Some(path) => {
                let (changes, incremental) =
                    crate::since_last_scan::changes(repo, path, &files.settings)?;
                notes.extend(incremental.notes.iter().cloned());
                since = Some(incremental);
                changes
            }
            None => vigil_git::history(repo, shard(s)?)?,
        },
        GitSource::NotOnRemotes { tip, shard: s } => vigil_git::range(
            repo,
            &RangeSpec::NotOnRemotes { tip: tip.clone() },
            shard(s)?,
        )?,
    };
    let checkpoint = match &files.checkpoint {
        Some(path) => {
            let identity = crate::checkpoint::Identity::new(
                source_name(what, files.since_last_scan.is_some()),
                tips(repo, what)?,
                files.settings.clone(),
                &changes
                    .changes
                    .iter()
                    .map(|c| c.pair_digest())
                    .collect::<Vec<_>>(),
            );
            Some((path, crate::checkpoint::Checkpoint::open(path, &identity)?))
        }
        None => None,
    };
    let to_scan = match &checkpoint {
        Some((_, c)) => changes.changes.len() as u64 - c.resumed().done,
        None => changes.changes.len() as u64,
    };
    progress.start(to_scan, "blobs");
    let hook = checkpoint
        .as_ref()
        .map(|(_, c)| c as &dyn crate::checkpoint::ScanHook);
    let mut outcome = scan_changes(
        detector,
        repo,
        &changes,
        options,
        &|n| progress.advance(n),
        hook,
    );
    progress.finish();
    outcome.stats.elapsed = start.elapsed();
    if let Some((path, c)) = &checkpoint {
        let restored = c.restored();
        let stats = &mut outcome.stats;
        stats.files += restored.files;
        stats.bytes += restored.bytes;
        stats.skipped_binary += restored.binary;
        stats.skipped_large += restored.large;
        stats.skipped_allowlisted += restored.allowlisted;
        let resumed = c.resumed();
        let total = changes.changes.len();
        let path = path.display();
        if resumed.complete {
            notes.push(format!("checkpoint {path}: the scan it records is complete; only the {to_scan} blob changes with findings, skips or errors were scanned again (delete it for a fresh scan)"));
        } else if resumed.done > 0 {
            notes.push(format!("checkpoint {path}: resumed; {} of {total} blob changes were done by earlier runs, scanned the other {to_scan}", resumed.done));
        }
        if let Err(e) = c.finish() {
            notes.push(format!("warning: {e} (the scan's report is whole; a rerun would scan again what was not recorded)"));
        }
    }
    let record = since
        .as_ref()
        .map(|s| s.record(&changes, files.settings.clone()));
    let asked = match what {
        GitSource::Range { spec, .. } => RangeSpec::parse(spec).ok(),
        GitSource::Since { rev, .. } => Some(RangeSpec::since(rev)),
        _ => None,
    };
    if !resolved && changes.commits == 0 {
        match (asked, what) {
            (Some(RangeSpec::Range { base, tip }), _) => {
                let why = crate::range::why_empty(repo, &base, &tip);
                outcome.errors.push(ScanError::EmptyRange(why));
            }
            // With a record of the last scan, no new commit means nothing new: the
            // scan covered the whole history through the record.
            (_, GitSource::History { .. }) if !since.as_ref().is_some_and(|s| s.had_record) => {
                let why = "no commit is reachable from HEAD or any reference".to_owned();
                outcome.errors.push(ScanError::Nothing(why));
            }
            _ => {}
        }
    }
    Ok(GitScanned {
        outcome,
        notes,
        record,
    })
}

/// The source as the command line names it, for a checkpoint's header.
fn source_name(what: &GitSource, since_last_scan: bool) -> String {
    let with_shard = |name: String, shard: &Option<String>| match shard {
        Some(s) => format!("{name} --shard {s}"),
        None => name,
    };
    match what {
        GitSource::Staged => "--staged".to_owned(),
        GitSource::Range { spec, shard } => with_shard(format!("--range {spec}"), shard),
        GitSource::Since { rev, shard } => with_shard(format!("--since {rev}"), shard),
        GitSource::History { shard } if since_last_scan => {
            with_shard("--history --since-last-scan".to_owned(), shard)
        }
        GitSource::History { shard } => with_shard("--history".to_owned(), shard),
        GitSource::NotOnRemotes { tip, shard } => {
            with_shard(format!("the commits of {tip} on no remote"), shard)
        }
    }
}

/// The commits a scan of `what` starts from (`name=id`).
fn tips(repo: &Repo, what: &GitSource) -> Result<Vec<String>, ScanRequestError> {
    let ends = |spec: RangeSpec| -> Result<Vec<String>, ScanRequestError> {
        Ok(spec
            .resolved_ends(repo)?
            .iter()
            .map(ToString::to_string)
            .collect())
    };
    match what {
        GitSource::Staged => Ok(Vec::new()),
        GitSource::History { .. } => Ok(vigil_git::history_tips(repo)?
            .into_iter()
            .map(|(name, id)| format!("{name}={id}"))
            .collect()),
        GitSource::Range { spec, .. } => ends(RangeSpec::parse(spec)?),
        GitSource::Since { rev, .. } => ends(RangeSpec::since(rev)),
        GitSource::NotOnRemotes { tip, .. } => ends(RangeSpec::NotOnRemotes { tip: tip.clone() }),
    }
}

impl ScanRun {
    /// What every report says besides the findings: tool, times, counts, rules, errors.
    pub fn report_info(&self) -> ScanInfo {
        let finished = SystemTime::now();
        let mut info = ScanInfo::new("vigil", env!("CARGO_PKG_VERSION"), finished);
        info.started = finished
            .checked_sub(self.outcome.stats.elapsed)
            .unwrap_or(finished);
        info.scanned = Scanned {
            files: self.outcome.stats.files,
            commits: self.outcome.stats.commits,
        };
        info.rules = self.rules.clone();
        // Sorted: workers meet errors in no fixed order, and a report (a merged one
        // too) should read the same on every run.
        info.errors = self.outcome.errors.iter().map(|e| e.to_string()).collect();
        info.errors.sort();
        info.skipped = self.outcome.skipped.clone();
        info.skipped.sort();
        info.shard = self.shard;
        info.staged = self.staged;
        info
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    /// A fake GitHub classic token (documented format: ghp_ + 30 characters + CRC32 checksum).
    const TOKEN: &str = "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"; // vigil:allow (fake)

    fn request(source: Source) -> ScanRequest {
        ScanRequest {
            source,
            config: ConfigSource::default(),
            max_file_size: None,
            gitignore: false,
            no_archives: false,
            threads: 0,
            memory: None,
            decode_depth: 2,
            baseline: BaselineChoice::Off,
            fail_on: None,
            resolved: false,
            explain: false,
            checkpoint: None,
            since_last_scan: None,
        }
    }

    fn run(request: ScanRequest) -> ScanRun {
        match request.prepare().unwrap().run(&NoProgress).unwrap() {
            ScanResult::Done(run) => *run,
            ScanResult::Incomplete(e) => panic!("incomplete: {e}"),
        }
    }

    #[test]
    fn a_folder_scan_finds_and_a_baseline_accepts() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.env"), format!("TOKEN={TOKEN}\n")).unwrap();
        let found = run(request(Source::Paths(vec![dir.path().to_path_buf()])));
        assert_eq!(found.status, Status::Findings);
        assert_eq!(found.outcome.findings.len(), 1);
        assert_eq!(found.outcome.stats.files, 1);
        let baseline = dir.path().join("accepted");
        crate::baseline_file::create(&baseline, &found.outcome.findings, None, None, false)
            .unwrap();
        let mut again = request(Source::Paths(vec![dir.path().to_path_buf()]));
        again.baseline = BaselineChoice::File(baseline.clone());
        let accepted = run(again);
        assert_eq!(accepted.status, Status::Clean);
        assert_eq!(accepted.suppressed.baseline.map(|b| b.suppressed), Some(1));
        assert!(accepted.dropped.is_empty(), "recorded without explain");
        let mut explained = request(Source::Paths(vec![dir.path().to_path_buf()]));
        explained.baseline = BaselineChoice::File(baseline.clone());
        explained.explain = true;
        let explained = run(explained);
        let reasons: Vec<String> = explained
            .dropped
            .iter()
            .map(|d| d.reason.to_string())
            .collect();
        assert_eq!(
            reasons,
            [format!("accepted by the baseline {}", baseline.display())]
        );
    }

    #[test]
    fn a_ci_source_takes_a_shard_and_staged_changes_do_not() {
        let shard = Some("2/4".to_owned());
        let new = GitSource::NotOnRemotes {
            tip: "abc".into(),
            shard: None,
        };
        assert_eq!(
            new.sharded(shard.clone()),
            Ok(GitSource::NotOnRemotes {
                tip: "abc".into(),
                shard: shard.clone()
            })
        );
        assert_eq!(
            GitSource::History { shard: None }.sharded(shard.clone()),
            Ok(GitSource::History {
                shard: shard.clone()
            })
        );
        assert!(GitSource::Staged.sharded(shard).is_err());
        assert_eq!(GitSource::Staged.sharded(None), Ok(GitSource::Staged));
    }

    #[test]
    fn findings_below_the_fail_on_threshold_are_reported_but_do_not_fail() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.env"), format!("TOKEN={TOKEN}\n")).unwrap();
        fs::write(
            dir.path().join(".vigil.toml"),
            "[scan]\nfail_on = \"never\"\n",
        )
        .unwrap();
        let paths = || Source::Paths(vec![dir.path().to_path_buf()]);
        let from_config = run(request(paths()));
        assert_eq!(from_config.status, Status::Clean);
        assert_eq!(from_config.outcome.findings.len(), 1, "still reported");
        let mut flag = request(paths());
        flag.fail_on = Some(FailOn::AtLeast(vigil_model::Severity::Info));
        assert_eq!(run(flag).status, Status::Findings, "the flag wins");
    }

    #[test]
    fn options_come_from_the_request_then_the_config_then_the_default() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join(".vigil.toml"),
            "[scan]\nmax_file_size = 3\n",
        )
        .unwrap();
        fs::write(dir.path().join("a.env"), format!("TOKEN={TOKEN}\n")).unwrap();
        let paths = || Source::Paths(vec![dir.path().to_path_buf()]);
        let from_config = run(request(paths()));
        assert_eq!(from_config.max_file_size, 3);
        assert_eq!(
            from_config.status,
            Status::Incomplete,
            "a.env is too large to scan, and nothing else was"
        );
        assert_eq!(from_config.outcome.skipped.len(), 1);
        let mut flag = request(paths());
        flag.max_file_size = Some("1k".into());
        assert_eq!(run(flag).max_file_size, 1024);
        let mut bad = request(paths());
        bad.max_file_size = Some("ten".into());
        assert!(matches!(
            bad.prepare().err(),
            Some(ScanRequestError::MaxFileSize(_))
        ));
        let mut none = request(paths());
        none.config.no_config = true;
        assert_eq!(run(none).max_file_size, DEFAULT_MAX_FILE_SIZE);
    }

    #[test]
    fn a_reader_is_scanned_under_its_name() {
        let text = format!("TOKEN={TOKEN}\n").into_bytes();
        let run = run(request(Source::Reader {
            name: "pasted.env".into(),
            reader: Box::new(std::io::Cursor::new(text)),
        }));
        assert_eq!(run.outcome.findings[0].origin.path, "pasted.env");
    }
}
