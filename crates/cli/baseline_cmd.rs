//! `vigil baseline`: accept the findings already there, so scans fail only on new ones.
//!
//! Each subcommand runs the same scan `vigil scan` would (same paths, git sources and
//! configuration flags) and works on its findings; `--baseline FILE` names the
//! baseline (default `.vigil-baseline` in the current folder).
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use vigil_core::{
    baseline::{ensure_union_merge, Baseline, Date, Entry, BASELINE_FILE},
    migrate::import::{import, Source},
};

use crate::{
    args::ScanArgs,
    exit::{note, write_ok, Code, Error},
    report_out::{Capture, Captured},
    scan_cmd,
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
fn scan_all(mut scan: ScanArgs) -> Result<(PathBuf, Option<Captured>), Error> {
    if !scan.format.is_empty() || !scan.report_path.is_empty() || !scan.report.is_empty() {
        return Err(
            "`vigil baseline` writes the baseline, not a report: drop --format, --report-path and --report"
                .into(),
        );
    }
    let path = scan
        .baseline
        .take()
        .unwrap_or_else(|| PathBuf::from(BASELINE_FILE));
    let capture = Capture::new();
    scan.capture = capture.clone();
    let code = scan_cmd::run(&scan)?;
    let captured = capture.take();
    if code == Code::Incomplete || captured.incomplete {
        note(&format!(
            "scan incomplete: {} left unchanged",
            path.display()
        ));
        return Ok((path, None));
    }
    Ok((path, Some(captured)))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn save(baseline: &Baseline, path: &Path, gitattributes: bool) -> Result<(), Error> {
    baseline.save(path)?;
    if gitattributes {
        match ensure_union_merge(path) {
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
    Ok(())
}

fn create(a: CreateArgs) -> Result<Code, Error> {
    let (path, captured) = scan_all(a.scan)?;
    let Some(captured) = captured else {
        return Ok(Code::Incomplete);
    };
    let mut baseline = Baseline::load_or_empty(&path)?;
    let before = baseline.len();
    let mut added = 0;
    for f in &captured.findings {
        if baseline.insert(Entry::of(f, a.reason.as_deref(), a.expires)) {
            added += 1;
        }
    }
    save(&baseline, &path, !a.no_gitattributes)?;
    note(&format!(
        "{}: {} added, {} already there ({} in all)",
        path.display(),
        plural(added, "entry", "entries"),
        captured.findings.len() - added,
        plural(before + added, "entry", "entries"),
    ));
    Ok(Code::Clean)
}

fn prune(a: PruneArgs) -> Result<Code, Error> {
    let (path, captured) = scan_all(a.scan)?;
    let Some(captured) = captured else {
        return Ok(Code::Incomplete);
    };
    let mut baseline = Baseline::load(&path)?;
    let stale = baseline.prune(&captured.findings);
    let mut out = std::io::stdout().lock();
    let listed = (|| {
        use std::io::Write;
        for e in &stale {
            writeln!(out, "{}", e.to_line())?;
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
    if !stale.is_empty() {
        baseline.save(&path)?;
    }
    note(&format!(
        "{}: {} removed, {} kept",
        path.display(),
        plural(stale.len(), "stale entry", "stale entries"),
        baseline.len()
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
    let text = std::fs::read_to_string(&input)
        .map_err(|e| format!("cannot read {}: {e}", input.display()))?;
    let (path, captured) = scan_all(a.scan)?;
    let Some(captured) = captured else {
        return Ok(Code::Incomplete);
    };
    let imported = import(source, &input, &text, &captured.findings, &captured.rules)?;
    let mut baseline = Baseline::load_or_empty(&path)?;
    let mut added = 0;
    for mut e in imported.entries {
        e.expires = a.expires;
        if baseline.insert(e) {
            added += 1;
        }
    }
    save(&baseline, &path, !a.no_gitattributes)?;
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
        plural(added, "entry", "entries"),
        source.name(),
        input.display(),
        imported.unmatched.len()
    ));
    Ok(Code::Clean)
}
