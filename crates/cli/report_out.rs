//! After a scan: the reports, to stdout or to files.
//!
//! Reports go to stdout or to files, several at once:
//! - `--format FORMAT` (repeatable) with `--report-path FILE` (repeatable): the n-th
//!   path receives the n-th format; a format without a path goes to stdout (at most one);
//! - `--report FORMAT=FILE` (repeatable; `FILE` `-` is stdout): one more report.
//!
//! Without any, the human report goes to stdout. A Markdown report written to the file
//! `$GITHUB_STEP_SUMMARY` names is appended to it, as GitHub expects.
use std::{io::Write, path::PathBuf};

use clap::{Args, ValueEnum};
use vigil_core::{
    baseline::Baseline,
    report::{human, Format, Options, Redaction, Report},
    write_report_file, ScanRun,
};

use crate::{
    exit::{write_ok, Error},
    options::ColorChoice,
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
    pub fn format(self) -> Format {
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

/// Which reports a scan writes, and where.
#[derive(Args)]
pub struct ReportArgs {
    /// Report format (default human). Repeat it for several reports: the n-th --report-path
    /// receives the n-th --format; a format without a path goes to stdout.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Vec<ReportFormat>,
    /// Write the --format at the same position to FILE instead of stdout; without one, the
    /// format FILE's name implies (.json, .jsonl, .sarif, .xml, .md, .txt). Folders are created.
    #[arg(long, value_name = "FILE")]
    pub report_path: Vec<PathBuf>,
    /// One more report: FORMAT to FILE (`-`: stdout), e.g. --report sarif=vigil.sarif. Repeatable.
    #[arg(long, value_name = "FORMAT=FILE", value_parser = parse_report_spec)]
    pub report: Vec<ReportSpec>,
}

impl ReportArgs {
    /// No report was asked for (the human report goes to stdout).
    pub fn is_empty(&self) -> bool {
        self.format.is_empty() && self.report_path.is_empty() && self.report.is_empty()
    }
}

/// The format a report file's name implies (`--report-path` without its `--format`).
fn format_of_path(path: &std::path::Path) -> Result<ReportFormat, Error> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let format = if name.ends_with(".sarif") || name.ends_with(".sarif.json") {
        ReportFormat::Sarif
    } else if name.starts_with("gl-secret-detection-report") && name.ends_with(".json") {
        ReportFormat::Gitlab
    } else if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
        ReportFormat::Jsonl
    } else if name.ends_with(".json") {
        ReportFormat::Json
    } else if name.ends_with(".xml") {
        ReportFormat::Junit
    } else if name.ends_with(".md") || name.ends_with(".markdown") {
        ReportFormat::Markdown
    } else if name.ends_with(".txt") || name.ends_with(".log") {
        ReportFormat::Human
    } else {
        return Err(format!(
            "--report-path {}: no --format for it, and its name does not say one (.json, .jsonl, .sarif, .xml, .md, .txt, gl-secret-detection-report.json); add --format FORMAT before it",
            path.display()
        )
        .into());
    };
    Ok(format)
}

/// The reports asked for: (format, file or stdout). A `--report-path` without a
/// `--format` at its position takes the format its file name implies.
fn destinations(args: &ReportArgs) -> Result<Vec<ReportSpec>, Error> {
    let mut specs: Vec<ReportSpec> = args
        .format
        .iter()
        .enumerate()
        .map(|(i, f)| ReportSpec {
            format: *f,
            path: args.report_path.get(i).cloned(),
        })
        .collect();
    for path in args.report_path.iter().skip(args.format.len()) {
        specs.push(ReportSpec {
            format: format_of_path(path)?,
            path: Some(path.clone()),
        });
    }
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

/// True when the report on stdout, if any, is the human one (or none goes there).
pub fn human_on_stdout(args: &ReportArgs) -> Result<bool, Error> {
    Ok(destinations(args)?
        .iter()
        .all(|s| s.path.is_some() || matches!(s.format, ReportFormat::Human)))
}

/// Writes every report `args` ask for, of the scan `run`.
pub fn write_reports(
    args: &ReportArgs,
    run: &ScanRun,
    redaction: Redaction,
    color: ColorChoice,
    explain: bool,
) -> Result<(), Error> {
    let specs = destinations(args)?;
    let info = run.report_info();
    let dropped: Vec<(vigil_core::model::Finding, String)> = run
        .dropped
        .iter()
        .map(|d| (d.finding.clone(), d.reason.to_string()))
        .collect();
    let report = Report::new(&info, &run.outcome.findings);
    let report = if explain {
        report.with_dropped(&dropped)
    } else {
        report
    };
    for spec in &specs {
        let format = spec.format.format();
        match &spec.path {
            None => {
                let options = Options {
                    redaction,
                    color: color.for_stdout(),
                };
                let mut out = std::io::BufWriter::new(std::io::stdout().lock());
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
                write_report_file(path, format, &report, &options)?;
            }
        }
    }
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

    #[test]
    fn report_paths_without_a_format_take_their_name_s() {
        let format = |p: &str| format_of_path(std::path::Path::new(p)).ok();
        assert_eq!(format("out/vigil.sarif"), Some(ReportFormat::Sarif));
        assert_eq!(format("r.SARIF.json"), Some(ReportFormat::Sarif));
        assert_eq!(
            format("gl-secret-detection-report.json"),
            Some(ReportFormat::Gitlab)
        );
        assert_eq!(format("r.json"), Some(ReportFormat::Json));
        assert_eq!(format("r.jsonl"), Some(ReportFormat::Jsonl));
        assert_eq!(format("junit.xml"), Some(ReportFormat::Junit));
        assert_eq!(format("summary.md"), Some(ReportFormat::Markdown));
        assert_eq!(format("scan.txt"), Some(ReportFormat::Human));
        assert_eq!(format("report"), None);
    }
}
