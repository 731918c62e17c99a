//! `vigil baseline`: accept the findings already there, so scans fail only on new ones.
//!
//! Each subcommand runs the same scan `vigil scan` would (same paths, git sources and
//! configuration flags) and works on its findings; `--baseline FILE` names the
//! baseline (default `.vigil-baseline` at the top of the repository, or in the scanned
//! folder outside git: where `vigil scan` looks for it).
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use vigil_core::{
    baseline::{default_baseline_path, Date},
    baseline_file::{self, ImportInput, Written},
    migrate::import::Source,
    ScanRun,
};

use crate::{
    exit::{note, write_ok, Code, Error},
    scan_cmd::{self, ScanArgs},
};

#[derive(Args)]
pub struct BaselineArgs {
    #[command(subcommand)]
    pub command: BaselineCommand,
}

#[derive(Subcommand)]
pub enum BaselineCommand {
    /// Scan, and add every finding to the baseline (entries already there are kept as
    /// they are, expiry included).
    Create(CreateArgs),
    /// Scan, then list and remove the entries that match no finding any more.
    Prune(PruneArgs),
    /// Scan, and add the findings another scanner's file accepted: a gitleaks JSON
    /// report, a .gitleaksignore, or a detect-secrets .secrets.baseline.
    Import(ImportArgs),
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text)
}

#[derive(Args)]
pub struct CreateArgs {
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Why these findings are accepted; written on each new entry.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// New entries expire on this day (YYYY-MM-DD, UTC): from then on their findings fail again.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub expires: Option<Date>,
    /// Do not mark the baseline `merge=union` in .gitattributes.
    #[arg(long)]
    pub no_gitattributes: bool,
}

#[derive(Args)]
pub struct PruneArgs {
    #[command(flatten)]
    pub scan: ScanArgs,
    /// List the stale entries without removing them.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub scan: ScanArgs,
    #[command(flatten)]
    pub from: ImportSource,
    /// Imported entries expire on this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub expires: Option<Date>,
    /// Do not mark the baseline `merge=union` in .gitattributes.
    #[arg(long)]
    pub no_gitattributes: bool,
}

/// What to import: exactly one.
#[derive(Args)]
#[group(id = "import_source", required = true, multiple = false)]
pub struct ImportSource {
    /// A gitleaks JSON report (`gitleaks … --report-format json`).
    #[arg(long, value_name = "FILE")]
    pub gitleaks_report: Option<PathBuf>,
    /// A .gitleaksignore (`[commit:]path:rule:line` per line).
    #[arg(long, value_name = "FILE")]
    pub gitleaksignore: Option<PathBuf>,
    /// A detect-secrets baseline (.secrets.baseline).
    #[arg(long, value_name = "FILE")]
    pub detect_secrets: Option<PathBuf>,
}

pub fn run(args: BaselineArgs) -> Result<Code, Error> {
    match args.command {
        BaselineCommand::Create(a) => create(a),
        BaselineCommand::Prune(a) => prune(a),
        BaselineCommand::Import(a) => import_cmd(a),
    }
}

/// Runs the scan `scan` describes and returns its findings, with no baseline applied
/// and no report written. `None` when the scan was incomplete: a baseline made from a
/// partial scan would be wrong, so nothing is written then.
fn scan_all(mut scan: ScanArgs) -> Result<(PathBuf, Option<ScanRun>), Error> {
    if !scan.reports.is_empty() {
        return Err(
            "`vigil baseline` writes the baseline, not a report: drop --format, --report-path and --report"
                .into(),
        );
    }
    if scan.since_last_scan.is_some() {
        return Err(
            "a baseline holds every finding; --since-last-scan scans only what is new since the last scan: drop it"
                .into(),
        );
    }
    // The baseline is written where a plain `vigil scan` of the same paths reads it.
    let start = scan
        .paths
        .first()
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    let path = scan
        .baseline
        .take()
        .unwrap_or_else(|| default_baseline_path(&start));
    // Every finding, none dropped by the baseline being written.
    scan.no_baseline = true;
    let run = match scan_cmd::scan(&scan)? {
        scan_cmd::Scanned::Run(run) => {
            if scan.explain {
                // No report here: the section goes to stderr, before the summary.
                let redaction = scan_cmd::redaction(&scan);
                let mut err = std::io::stderr().lock();
                crate::exit::write_ok(scan_cmd::explain(&mut err, &run.dropped, redaction))?;
            }
            scan_cmd::summarize(&run);
            Some(*run)
        }
        _ => None,
    };
    match run {
        Some(run) if run.outcome.errors.is_empty() => Ok((path, Some(run))),
        _ => {
            note(&format!(
                "scan incomplete: {} left unchanged",
                path.display()
            ));
            Ok((path, None))
        }
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Says whether the baseline was marked `merge=union`.
fn say_union_merge(path: &Path, written: &Written) {
    match &written.union_merge {
        Ok(Some(attributes)) => note(&format!(
            "{}: {} merges with git's union driver, so branches that add entries never conflict",
            attributes.display(),
            path.display()
        )),
        Ok(None) => {}
        Err(e) => note(&format!(
            "warning: could not mark {} merge=union in .gitattributes: {e}",
            path.display()
        )),
    }
}

/// An expiry date already past makes entries that accept nothing: said before the scan.
fn warn_if_past(expires: Option<Date>) {
    let today = Date::today();
    if let Some(d) = expires.filter(|d| *d <= today) {
        note(&format!(
            "warning: --expires {d} is not in the future (today is {today}, UTC): the new entries expire at once and their findings fail the next scan"
        ));
    }
}

fn create(a: CreateArgs) -> Result<Code, Error> {
    warn_if_past(a.expires);
    let (path, run) = scan_all(a.scan)?;
    let Some(run) = run else {
        return Ok(Code::Incomplete);
    };
    let findings = &run.outcome.findings;
    let written = baseline_file::create(
        &path,
        findings,
        a.reason.as_deref(),
        a.expires,
        !a.no_gitattributes,
    )?;
    say_union_merge(&path, &written);
    note(&format!(
        "{}: {} added, {} already there ({} in all)",
        path.display(),
        plural(written.added, "entry", "entries"),
        findings.len() - written.added,
        plural(written.total, "entry", "entries"),
    ));
    Ok(Code::Clean)
}

fn prune(a: PruneArgs) -> Result<Code, Error> {
    let (path, run) = scan_all(a.scan)?;
    let Some(run) = run else {
        return Ok(Code::Incomplete);
    };
    let (stale, kept) = baseline_file::prune(&path, &run.outcome.findings, a.dry_run)?;
    let mut out = std::io::stdout().lock();
    let listed = (|| {
        use std::io::Write;
        for e in &stale {
            writeln!(
                out,
                "{}",
                vigil_core::report::printable_message(&e.to_line())
            )?;
        }
        Ok(())
    })();
    write_ok(listed)?;
    if a.dry_run {
        note(&format!(
            "{}: {} matching no finding (--dry-run: not removed)",
            path.display(),
            plural(stale.len(), "stale entry", "stale entries")
        ));
        return Ok(Code::Clean);
    }
    note(&format!(
        "{}: {} removed, {} kept",
        path.display(),
        plural(stale.len(), "stale entry", "stale entries"),
        kept
    ));
    Ok(Code::Clean)
}

fn import_cmd(a: ImportArgs) -> Result<Code, Error> {
    let (source, input) = match (
        &a.from.gitleaks_report,
        &a.from.gitleaksignore,
        &a.from.detect_secrets,
    ) {
        (Some(p), _, _) => (Source::GitleaksReport, p.clone()),
        (_, Some(p), _) => (Source::GitleaksIgnore, p.clone()),
        (_, _, Some(p)) => (Source::DetectSecrets, p.clone()),
        _ => {
            return Err(
                "name what to import: --gitleaks-report, --gitleaksignore or --detect-secrets"
                    .into(),
            )
        }
    };
    warn_if_past(a.expires);
    let text = vigil_core::input::read_text(&input)?;
    let (path, run) = scan_all(a.scan)?;
    let Some(run) = run else {
        return Ok(Code::Incomplete);
    };
    let rules: Vec<String> = run.rules.iter().map(|r| r.id.clone()).collect();
    let from = ImportInput {
        source,
        path: &input,
        text: &text,
    };
    let (imported, written) = baseline_file::import(
        &path,
        &from,
        &run.outcome.findings,
        &rules,
        a.expires,
        !a.no_gitattributes,
    )?;
    say_union_merge(&path, &written);
    for place in &imported.by_place {
        note(&format!(
            "{place}: matched by file and line (the secret itself was not available to compare); check the file has not changed since {} was written",
            input.display()
        ));
    }
    for u in &imported.unmatched {
        note(&format!(
            "not carried over: {u}: no vigil finding there (vigil does not report it, or the file changed)"
        ));
    }
    note(&format!(
        "{}: {} added from the {} {} ({} not carried over)",
        path.display(),
        plural(written.added, "entry", "entries"),
        source.name(),
        input.display(),
        imported.unmatched.len()
    ));
    Ok(Code::Clean)
}
