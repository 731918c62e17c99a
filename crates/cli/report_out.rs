//! After a scan: the `.gitleaks.toml` filters, the baseline, and the reports.
//!
//! Reports go to stdout or to files, several at once:
//! - `--format FORMAT` (repeatable) with `--report-path FILE` (repeatable): the n-th
//!   path receives the n-th format; a format without a path goes to stdout (at most one);
//! - `--report FORMAT=FILE` (repeatable; `FILE` `-` is stdout): one more report.
//!
//! Without any, the human report goes to stdout. A Markdown report written to the file
//! `$GITHUB_STEP_SUMMARY` names is appended to it, as GitHub expects.
use std::{
    io::{IsTerminal, Write},
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::SystemTime,
};

use clap::ValueEnum;
use vigil_core::model::Finding;
use vigil_core::{
    baseline::{Baseline, Date},
    migrate::gitleaks::Gitleaks,
    ScanOutcome,
};
use vigil_report::{human, Format, Options, Redaction, Report, RuleInfo, ScanInfo, Scanned};
use vigil_secrets::Rule;

use crate::{
    args::{ColorChoice, ScanArgs},
    exit::{note, write_ok, Error},
};

/// The report formats, as `--format` and `--report` name them.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum ReportFormat {
    /// For people (the default).
    Human,
    /// vigil's JSON report.
    Json,
    /// JSON Lines: one finding per line, then a summary line.
    Jsonl,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitLab secret detection report (gl-secret-detection-report.json).
    Gitlab,
    /// GitHub Actions workflow commands: inline annotations.
    Github,
    /// Markdown summary, e.g. for $GITHUB_STEP_SUMMARY.
    Markdown,
    /// JUnit XML test report.
    Junit,
}

impl ReportFormat {
    fn format(self) -> Format {
        match self {
            ReportFormat::Human => Format::Human,
            ReportFormat::Json => Format::Json,
            ReportFormat::Jsonl => Format::Jsonl,
            ReportFormat::Sarif => Format::Sarif,
            ReportFormat::Gitlab => Format::Gitlab,
            ReportFormat::Github => Format::Github,
            ReportFormat::Markdown => Format::Markdown,
            ReportFormat::Junit => Format::Junit,
        }
    }
}

/// One `--report FORMAT=FILE`.
#[derive(Clone, Debug)]
pub struct ReportSpec {
    pub format: ReportFormat,
    /// `None`: stdout.
    pub path: Option<PathBuf>,
}

/// Parses `--report FORMAT=FILE` (or `FORMAT` alone: stdout) when the command line is read.
pub fn parse_report_spec(text: &str) -> Result<ReportSpec, String> {
    let (name, path) = match text.split_once('=') {
        Some((n, p)) => (n, Some(p)),
        None => (text, None),
    };
    let format = ReportFormat::from_str(name, true).map_err(|_| {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        format!(
            "unknown format {name:?} (expected FORMAT=FILE with FORMAT one of {})",
            names.join(", ")
        )
    })?;
    let path = match path {
        None | Some("-") => None,
        Some("") => return Err(format!("{text:?} names no file (expected FORMAT=FILE)")),
        Some(p) => Some(PathBuf::from(p)),
    };
    Ok(ReportSpec { format, path })
}

/// Checks a `--baseline FILE` when the command line is read: a file that exists must
/// parse (one that does not may be about to be created by `vigil baseline create`).
pub fn parse_baseline_path(text: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(text);
    if path.exists() {
        Baseline::load(&path).map_err(|e| e.to_string())?;
    }
    Ok(path)
}

/// What a scan hands to `vigil baseline` instead of writing reports.
#[derive(Debug, Default)]
pub struct Captured {
    pub findings: Vec<Finding>,
    /// Ids of the rules in force.
    pub rules: Vec<String>,
    /// True when something could not be read.
    pub incomplete: bool,
}

/// Set by `vigil baseline` on the scan arguments it runs: the scan's findings (after the
/// `.gitleaks.toml` filters, before any baseline) are kept here and no report is written.
#[derive(Clone, Debug, Default)]
pub struct Capture(Option<Arc<Mutex<Captured>>>);

impl Capture {
    pub fn new() -> Capture {
        Capture(Some(Arc::new(Mutex::new(Captured::default()))))
    }

    pub fn take(&self) -> Captured {
        self.0
            .as_ref()
            .and_then(|m| m.lock().ok().map(|mut c| std::mem::take(&mut *c)))
            .unwrap_or_default()
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Everything between the scan and the exit code: drops what a `.gitleaks.toml`
/// allowlists, what the baseline accepts, and writes the reports asked for. Returns the
/// outcome with the findings that remain.
pub fn finish(
    args: &ScanArgs,
    gitleaks: Option<&Gitleaks>,
    rules: &[Rule],
    mut outcome: ScanOutcome,
) -> Result<ScanOutcome, Error> {
    if let Some(gl) = gitleaks {
        let dropped = gl.filter(&mut outcome.findings);
        if dropped > 0 {
            note(&format!(
                "{}: {} dropped by its allowlists, rule paths and .gitleaksignore",
                gl.source.display(),
                plural(dropped, "finding", "findings")
            ));
        }
    }
    if let Some(slot) = &args.capture.0 {
        if let Ok(mut c) = slot.lock() {
            c.findings = outcome.findings.clone();
            c.rules = rules.iter().map(|r| r.id().to_owned()).collect();
            c.incomplete = !outcome.errors.is_empty();
        }
        return Ok(outcome);
    }
    if let Some(path) = &args.baseline {
        let baseline = Baseline::load(path)?;
        let applied = baseline.apply(std::mem::take(&mut outcome.findings), Date::today());
        outcome.findings = applied.findings;
        if applied.suppressed > 0 {
            note(&format!(
                "baseline {}: {} already accepted",
                path.display(),
                plural(applied.suppressed, "finding", "findings")
            ));
        }
        for (fp, date) in &applied.expired {
            note(&format!(
                "baseline {}: the entry for {fp} expired on {date}; it is reported again",
                path.display()
            ));
        }
    }
    write_reports(args, rules, &outcome)?;
    Ok(outcome)
}

fn scan_info(rules: &[Rule], outcome: &ScanOutcome) -> ScanInfo {
    let finished = SystemTime::now();
    let mut info = ScanInfo::new("vigil", env!("CARGO_PKG_VERSION"), finished);
    info.started = finished
        .checked_sub(outcome.stats.elapsed)
        .unwrap_or(finished);
    info.scanned = Scanned {
        files: outcome.stats.files,
        commits: outcome.stats.commits,
    };
    info.rules = rules
        .iter()
        .map(|r| RuleInfo {
            id: r.spec.id.clone(),
            description: r.spec.description.clone(),
            severity: r.spec.severity,
            tags: r.spec.tags.clone(),
            remediation: r.spec.remediation.clone(),
            remediation_url: r.spec.remediation_url.clone(),
        })
        .collect();
    info.errors = outcome.errors.iter().map(|e| e.to_string()).collect();
    info
}

/// The reports asked for: (format, file or stdout).
fn destinations(args: &ScanArgs) -> Result<Vec<ReportSpec>, Error> {
    if args.report_path.len() > args.format.len() {
        return Err(format!(
            "{} given for {}: each --report-path belongs to the --format at the same position",
            plural(args.report_path.len(), "--report-path", "--report-paths"),
            plural(args.format.len(), "--format", "--formats"),
        )
        .into());
    }
    let mut specs: Vec<ReportSpec> = args
        .format
        .iter()
        .enumerate()
        .map(|(i, f)| ReportSpec {
            format: *f,
            path: args.report_path.get(i).cloned(),
        })
        .collect();
    specs.extend(args.report.iter().cloned());
    if specs.is_empty() {
        specs.push(ReportSpec {
            format: ReportFormat::Human,
            path: None,
        });
    }
    let to_stdout: Vec<&str> = specs
        .iter()
        .filter(|s| s.path.is_none())
        .map(|s| s.format.format().name())
        .collect();
    if to_stdout.len() > 1 {
        return Err(format!(
            "only one report can go to stdout, and {} would ({}); give the others a --report-path or write them with --report FORMAT=FILE",
            to_stdout.len(),
            to_stdout.join(", ")
        )
        .into());
    }
    for (i, s) in specs.iter().enumerate() {
        if let Some(p) = &s.path {
            if specs[..i].iter().any(|o| o.path.as_ref() == Some(p)) {
                return Err(format!("two reports would be written to {}", p.display()).into());
            }
        }
    }
    Ok(specs)
}

fn write_reports(args: &ScanArgs, rules: &[Rule], outcome: &ScanOutcome) -> Result<(), Error> {
    let specs = destinations(args)?;
    let info = scan_info(rules, outcome);
    let report = Report::new(&info, &outcome.findings);
    let redaction = if args.no_redact {
        Redaction::Off
    } else {
        Redaction::On
    };
    let stdout = std::io::stdout();
    for spec in &specs {
        let format = spec.format.format();
        match &spec.path {
            None => {
                let color = match args.color {
                    ColorChoice::Always => human::Color::On,
                    ColorChoice::Never => human::Color::Off,
                    ColorChoice::Auto => {
                        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                        if stdout.is_terminal() && !no_color {
                            human::Color::On
                        } else {
                            human::Color::Off
                        }
                    }
                };
                let options = Options { redaction, color };
                let mut out = std::io::BufWriter::new(stdout.lock());
                write_ok(
                    format
                        .write(&mut out, &report, &options)
                        .and_then(|()| out.flush()),
                )?;
            }
            Some(path) => {
                let options = Options {
                    redaction,
                    color: human::Color::Off,
                };
                write_file(path, format, &report, &options)?;
            }
        }
    }
    Ok(())
}

fn is_step_summary(path: &Path) -> bool {
    std::env::var_os("GITHUB_STEP_SUMMARY")
        .filter(|v| !v.is_empty())
        .is_some_and(|s| Path::new(&s) == path)
}

fn write_file(
    path: &Path,
    format: Format,
    report: &Report<'_>,
    options: &Options,
) -> Result<(), Error> {
    let append = format == Format::Markdown && is_step_summary(path);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .append(append)
        .truncate(!append)
        .open(path)
        .map_err(|e| {
            format!(
                "cannot write the {} report to {}: {e}",
                format.name(),
                path.display()
            )
        })?;
    let mut out = std::io::BufWriter::new(file);
    format
        .write(&mut out, report, options)
        .and_then(|()| out.flush())
        .map_err(|e| {
            format!(
                "cannot write the {} report to {}: {e}",
                format.name(),
                path.display()
            )
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_specs() {
        let s = parse_report_spec("sarif=out/vigil.sarif").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.format, ReportFormat::Sarif);
        assert_eq!(s.path, Some(PathBuf::from("out/vigil.sarif")));
        assert!(parse_report_spec("github=-").is_ok_and(|s| s.path.is_none()));
        assert!(parse_report_spec("xml=a").is_err_and(|e| e.contains("junit")));
        assert!(parse_report_spec("json=").is_err());
    }
}
