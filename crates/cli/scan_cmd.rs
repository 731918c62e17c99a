//! `vigil scan`: folders, files, stdin and git sources.
use std::{
    io::Write,
    path::{Path, PathBuf},
};

use clap::Args;
use vigil_core::{
    hooks::plan_ci_from_env,
    report::{Redaction, SkipReason},
    suppress::Suppressed,
    BaselineChoice, FailOn, GitSource, ScanRequest, ScanRequestError, ScanResult, ScanRun,
    ScanStats, Source,
};

use crate::{
    exit::{note, Code, Error},
    progress::Progress,
};

#[derive(Args)]
pub struct ScanArgs {
    /// Folders and files to scan; `-` reads stdin. Default: the current folder.
    /// With --staged, --range, --since or --history: the repository (default: the current one).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub git: GitSourceArgs,
    /// Scan only shard K of N of a --range/--since/--history/--ci scan (for CI matrices); the
    /// union of all N shard reports equals the unsharded report (`vigil report merge`).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Record in FILE what a --history/--range/--since/--ci scan has done, and continue
    /// from what it records: a run that was stopped resumes where it stopped and reports
    /// what one whole run would (FILE holds blob digests and counts, never a secret). A
    /// finished scan leaves FILE marked complete; delete it for a fresh scan.
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
    /// With --history: scan only what is new since the scan FILE records (the refs it
    /// covered and the blob changes it scanned), then record this one there if it
    /// completes. A missing FILE means a whole-history scan. Not with --shard.
    #[arg(long, value_name = "FILE")]
    pub since_last_scan: Option<PathBuf>,
    #[command(flatten)]
    pub reports: crate::report_out::ReportArgs,
    /// Report only findings this baseline file does not accept (see `vigil baseline`).
    /// Default: the .vigil-baseline at the top of the repository (or of the scanned
    /// folder outside git), when there is one.
    #[arg(long, value_name = "FILE", value_parser = crate::report_out::parse_baseline_path)]
    pub baseline: Option<PathBuf>,
    /// Apply no baseline, not even the default .vigil-baseline.
    #[arg(long, conflicts_with = "baseline")]
    pub no_baseline: bool,
    /// Show whole secrets in the report instead of a short prefix.
    #[arg(long)]
    pub no_redact: bool,
    /// Also list each candidate a rule matched and then dropped, and why (low entropy,
    /// placeholder, failed validator, filter, allowlist, inline marker, .gitleaks.toml,
    /// baseline): after the human report, or on stderr when stdout holds another format.
    #[arg(long)]
    pub explain: bool,
    /// Exit 1 only for findings at least this severe (critical, high, medium, low, info), or
    /// `never`; all findings are still reported. Default info, or [scan] fail_on.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_fail_on)]
    pub fail_on: Option<FailOn>,
    #[command(flatten)]
    pub config: crate::options::ScanConfigArgs,
    /// Skip files larger than this (e.g. 500k, 10MiB); stdin larger than this is not
    /// scanned (exit 3). Default 10MiB, or [scan] max_file_size.
    #[arg(long, value_name = "SIZE")]
    pub max_file_size: Option<String>,
    /// Honour .gitignore files while walking folders (off by default: ignored files such as .env hold secrets).
    #[arg(long)]
    pub gitignore: bool,
    /// Do not open archives (zip, jar/war/ear, whl, nupkg, tar, tar.gz/tgz, gz): scan them as
    /// binary files, that is not at all. Default: the files inside are scanned, shown as
    /// archive.zip!inner/path; or [scan] archives = false.
    #[arg(long)]
    pub no_archives: bool,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// What a git scan's caches may hold (e.g. 128MiB, at least 32MiB): a lower budget
    /// trades speed for a lower peak on a long history. Default 128MiB, or [scan] memory.
    #[arg(long, value_name = "SIZE")]
    pub memory: Option<String>,
    /// How many layers of base64, percent-encoding and escapes to look through (0 turns decoding off).
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub decode_depth: u8,
    /// Path to report for stdin, so path-based allowlists apply to it.
    #[arg(long, value_name = "NAME", default_value = "-")]
    pub stdin_name: String,
    #[arg(long, value_enum, default_value = "auto")]
    pub color: crate::options::ColorChoice,
}

/// Git sources: what a commit, a push or an audit adds. At most one.
#[derive(Args)]
#[group(id = "git_source", multiple = false)]
pub struct GitSourceArgs {
    /// The lines the index adds against HEAD (what `git commit` would record): for pre-commit hooks.
    #[arg(long)]
    pub staged: bool,
    /// The lines added by each commit reachable from B and not from A (a push, a merge request).
    #[arg(long, value_name = "A..B")]
    pub range: Option<String>,
    /// Same as --range REV..HEAD.
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,
    /// Every commit reachable from any reference; each blob change is scanned once.
    #[arg(long)]
    pub history: bool,
    /// What the CI event says (GitHub Actions or GitLab CI): a pull or merge request's
    /// range, a push's new commits, the whole history for scheduled runs. Says what it
    /// resolved; a base missing from a shallow clone exits 3 naming the setting to change.
    #[arg(long)]
    pub ci: bool,
}

impl GitSourceArgs {
    pub fn any(&self) -> bool {
        self.staged || self.range.is_some() || self.since.is_some() || self.history || self.ci
    }
}

pub fn run(args: &ScanArgs) -> Result<Code, Error> {
    let run = match scan(args)? {
        Scanned::Run(run) => run,
        Scanned::Incomplete => return Ok(Code::Incomplete),
        Scanned::Nothing => return Ok(Code::Clean),
    };
    let redaction = redaction(args);
    crate::report_out::write_reports(&args.reports, &run, redaction, args.color, args.explain)?;
    if args.explain {
        // After the human report on stdout; on stderr when stdout holds a machine format.
        let result = if crate::report_out::human_on_stdout(&args.reports)? {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            explain(&mut out, &run.dropped, redaction).and_then(|()| out.flush())
        } else {
            explain(&mut std::io::stderr().lock(), &run.dropped, redaction)
        };
        crate::exit::write_ok(result)?;
    }
    summarize(&run);
    Ok(Code::of(run.status))
}

/// Whether reports show whole secrets (`--no-redact`).
pub fn redaction(args: &ScanArgs) -> Redaction {
    if args.no_redact {
        Redaction::Off
    } else {
        Redaction::On
    }
}

/// The `--explain` section: each candidate dropped, where, by which rule, its secret
/// redacted as findings are, and why.
pub fn explain(
    out: &mut dyn std::io::Write,
    dropped: &[vigil_core::Dropped],
    redaction: Redaction,
) -> std::io::Result<()> {
    use vigil_core::report::printable;
    writeln!(out, "\nDropped candidates: {}", dropped.len())?;
    for d in dropped {
        let f = &d.finding;
        let mut place = format!(
            "{}:{}:{}",
            printable(&f.origin.path),
            f.location.line,
            f.location.column
        );
        if let Some(c) = &f.origin.commit {
            place.push_str(&format!(
                " (commit {})",
                printable(c.id.get(..12).unwrap_or(&c.id))
            ));
        }
        writeln!(
            out,
            "  {place}  {}  {} ({} chars): {}",
            printable(&f.rule),
            printable(&redaction.show(&f.secret)),
            f.secret.len(),
            printable(&d.reason.to_string())
        )?;
    }
    Ok(())
}

/// How a scan ended, all of it said on stderr but the reports.
pub enum Scanned {
    Run(Box<ScanRun>),
    /// The commits to scan could not all be read.
    Incomplete,
    /// `--ci` resolved to nothing to scan (a deleted branch, an empty push).
    Nothing,
}

/// Runs the scan `args` describe (with the baseline they name, if any), saying the
/// configuration's warnings and what suppression dropped.
pub fn scan(args: &ScanArgs) -> Result<Scanned, Error> {
    let source = match source(args)? {
        Resolved::Source(s) => s,
        Resolved::Incomplete => return Ok(Scanned::Incomplete),
        Resolved::Nothing => return Ok(Scanned::Nothing),
    };
    let request = ScanRequest {
        source,
        config: args.config.source(),
        max_file_size: args.max_file_size.clone(),
        gitignore: args.gitignore,
        no_archives: args.no_archives,
        threads: args.threads,
        memory: args.memory.clone(),
        decode_depth: args.decode_depth,
        baseline: match (&args.baseline, args.no_baseline) {
            (Some(path), _) => BaselineChoice::File(path.clone()),
            (None, true) => BaselineChoice::Off,
            (None, false) => BaselineChoice::Default,
        },
        fail_on: args.fail_on,
        resolved: args.git.ci,
        explain: args.explain,
        checkpoint: args.checkpoint.clone(),
        since_last_scan: args.since_last_scan.clone(),
    };
    let prepared = request.prepare().map_err(flag_error)?;
    for w in &prepared.warnings {
        note(w);
    }
    match prepared.run(&Progress::default()).map_err(flag_error)? {
        ScanResult::Incomplete(e) => {
            note(&format!("error: {e}"));
            note("scan incomplete: nothing was reported because the commits to scan could not all be read");
            Ok(Scanned::Incomplete)
        }
        ScanResult::Done(run) => {
            for n in &run.notes {
                note(n);
            }
            say_suppressed(&run.suppressed);
            Ok(Scanned::Run(run))
        }
    }
}

fn parse_fail_on(name: &str) -> Result<FailOn, String> {
    FailOn::parse(name)
}

/// Errors about an option name the option as the command line spells it.
fn flag_error(e: ScanRequestError) -> Error {
    match e {
        ScanRequestError::MaxFileSize(m) => format!("--max-file-size: {m}").into(),
        ScanRequestError::Memory(m) => format!("--memory: {m}").into(),
        ScanRequestError::Shard(m) => format!("--shard: {m}").into(),
        e => e.into(),
    }
}

enum Resolved {
    Source(Source),
    Incomplete,
    Nothing,
}

/// What `--ci` resolves to, said on stderr.
fn ci_source(repo: &Path, shard: Option<String>) -> Result<Resolved, Error> {
    let plan = match plan_ci_from_env(repo) {
        Ok(plan) => plan,
        Err(e) if e.is_incomplete() => {
            note(&format!("error: {e}"));
            note("scan incomplete: the commits to scan could not all be read");
            return Ok(Resolved::Incomplete);
        }
        Err(e) => return Err(e.into()),
    };
    note(&plan.describe());
    match plan.sources.as_slice() {
        [] => Ok(Resolved::Nothing),
        [what] => Ok(Resolved::Source(Source::Git {
            repo: plan.root.clone(),
            what: what.clone().sharded(shard)?,
        })),
        _ => Err(format!(
            "{}: several sets of commits to scan; run one scan per set",
            plan.origin
        )
        .into()),
    }
}

/// What to scan, from the paths and git flags; rejects combinations that mean nothing.
fn source(args: &ScanArgs) -> Result<Resolved, Error> {
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    if stdin && args.paths.len() > 1 {
        return Err("`-` (stdin) cannot be combined with other paths".into());
    }
    let git = &args.git;
    if git.any() && (stdin || args.paths.len() > 1) {
        return Err("git sources (--staged, --range, --since, --history) take at most one PATH: the repository".into());
    }
    if args.shard.is_some()
        && !(git.range.is_some() || git.since.is_some() || git.history || git.ci)
    {
        return Err("--shard splits a --range, --since, --history or --ci scan".into());
    }
    if args.checkpoint.is_some() && args.explain {
        return Err("--explain lists every candidate dropped, and a resumed scan does not see those of the changes done before it: not with --checkpoint".into());
    }
    if args.since_last_scan.is_some() && !(git.history || git.ci) {
        return Err(
            "--since-last-scan is for --history scans (a range already names what is new)".into(),
        );
    }
    if args.since_last_scan.is_some() && args.shard.is_some() {
        return Err("--since-last-scan records what a whole history scan covered; a shard (--shard) covers only part of it".into());
    }
    if args.checkpoint.is_some()
        && !(git.range.is_some() || git.since.is_some() || git.history || git.ci)
    {
        return Err(
            "--checkpoint is for scans of commits (--history, --range, --since, --ci)".into(),
        );
    }
    let shard = args.shard.clone();
    let repo = args
        .paths
        .first()
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    if git.ci {
        return ci_source(&repo, shard);
    }
    let what = if git.staged {
        GitSource::Staged
    } else if let Some(spec) = &git.range {
        GitSource::Range {
            spec: spec.clone(),
            shard,
        }
    } else if let Some(rev) = &git.since {
        GitSource::Since {
            rev: rev.clone(),
            shard,
        }
    } else if git.history {
        GitSource::History { shard }
    } else if stdin {
        return Ok(Resolved::Source(Source::Reader {
            name: args.stdin_name.clone(),
            reader: Box::new(std::io::stdin().lock()),
        }));
    } else {
        return Ok(Resolved::Source(Source::Paths(args.paths.clone())));
    };
    Ok(Resolved::Source(Source::Git { repo, what }))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What the `.gitleaks.toml` filters and the baseline dropped.
fn say_suppressed(s: &Suppressed) {
    if let Some((source, dropped)) = &s.gitleaks {
        if *dropped > 0 {
            note(&format!(
                "{}: {} dropped by its allowlists, rule paths and .gitleaksignore",
                source.display(),
                plural(*dropped, "finding", "findings")
            ));
        }
    }
    // How many the baseline accepted is said on the summary line.
    if let Some(b) = &s.baseline {
        for (fp, date) in &b.expired {
            note(&format!(
                "baseline {}: the entry for {fp} expired on {date}; it is reported again",
                b.path.display()
            ));
        }
    }
}

/// One line on stderr saying what was scanned and what was not, then any read errors.
pub fn summarize(run: &ScanRun) {
    let outcome = &run.outcome;
    let ScanStats {
        files,
        bytes,
        skipped_binary,
        skipped_large,
        skipped_allowlisted,
        commits,
        skipped_submodules,
        elapsed,
    } = outcome.stats;
    let secs = elapsed.as_secs_f64();
    let mb = bytes as f64 / 1e6;
    let plural = |n: u64| if n == 1 { "" } else { "s" };
    let mut line = if run.staged {
        format!(
            "scanned {files} staged blob{} ({mb:.1} MB) in {secs:.2} s",
            plural(files)
        )
    } else if commits > 0 {
        format!(
            "scanned {commits} commit{}, {files} blob{} ({mb:.1} MB) in {secs:.2} s",
            plural(commits),
            plural(files)
        )
    } else {
        format!(
            "scanned {files} file{} ({mb:.1} MB) in {secs:.2} s",
            plural(files)
        )
    };
    let mut skipped = Vec::new();
    if skipped_binary > 0 {
        skipped.push(format!("{skipped_binary} binary"));
    }
    if skipped_large > 0 {
        skipped.push(format!(
            "{skipped_large} larger than {}",
            vigil_core::input::human_size(run.max_file_size)
        ));
    }
    if skipped_allowlisted > 0 {
        skipped.push(format!("{skipped_allowlisted} allowlisted"));
    }
    if skipped_submodules > 0 {
        skipped.push(format!(
            "{skipped_submodules} submodule{}",
            plural(skipped_submodules)
        ));
    }
    if !skipped.is_empty() {
        line.push_str(&format!("; skipped {}", skipped.join(", ")));
    }
    line.push_str(&format!(
        "; {} finding{}",
        outcome.findings.len(),
        if outcome.findings.len() == 1 { "" } else { "s" }
    ));
    if let Some(b) = &run.suppressed.baseline {
        line.push_str(&format!(
            " (baseline {}{}: {} accepted)",
            b.path.display(),
            if b.by_default {
                ", found by default; --no-baseline ignores it"
            } else {
                ""
            },
            b.suppressed
        ));
    }
    note(&line);
    let listed = outcome
        .skipped
        .iter()
        .filter(|s| s.reason != SkipReason::Unreadable);
    let mut listed: Vec<_> = listed.collect();
    listed.sort();
    for s in listed.iter().take(MAX_SKIPPED_SHOWN) {
        note(&vigil_core::report::printable(&s.to_string()));
    }
    if listed.len() > MAX_SKIPPED_SHOWN {
        note(&format!(
            "... and {} more not scanned (the JSON, JSON Lines, SARIF and GitLab reports list all)",
            listed.len() - MAX_SKIPPED_SHOWN
        ));
    }
    for e in &outcome.errors {
        note(&format!("error: {e}"));
    }
    if !outcome.errors.is_empty() {
        note(&format!(
            "scan incomplete: {} error{} (exit code 3 unless there are findings)",
            outcome.errors.len(),
            plural(outcome.errors.len() as u64)
        ));
    }
}

/// Items not scanned listed on stderr; the reports list all.
const MAX_SKIPPED_SHOWN: usize = 20;
