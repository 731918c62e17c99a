//! The [`Format`] enum and its dispatch: the only module that calls the format modules.
use std::io;

use crate::{github, gitlab, human, json, jsonl, junit, options::Options, report::Report, sarif};

/// Every report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// For people (the default).
    Human,
    /// vigil's JSON report.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitLab's secret detection report (schema 15.2.4).
    Gitlab,
    /// GitHub Actions workflow commands (`::error file=…`), for inline annotations.
    Github,
    /// A Markdown summary, e.g. for `$GITHUB_STEP_SUMMARY`.
    Markdown,
    /// JUnit XML, for CI test reports.
    Junit,
}

impl Format {
    pub const ALL: [Format; 8] = [
        Format::Human,
        Format::Json,
        Format::Jsonl,
        Format::Sarif,
        Format::Gitlab,
        Format::Github,
        Format::Markdown,
        Format::Junit,
    ];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Sarif => "sarif",
            Format::Gitlab => "gitlab",
            Format::Github => "github",
            Format::Markdown => "markdown",
            Format::Junit => "junit",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Writes `report` in this format. [`Format::Human`], [`Format::Json`] and
    /// [`Format::Gitlab`] write the findings only, not the verdicts.
    pub fn write(
        self,
        out: &mut dyn io::Write,
        report: &Report<'_>,
        options: &Options,
    ) -> io::Result<()> {
        let redaction = options.redaction;
        match self {
            // "No secrets found" would read as clean: say the scan is incomplete instead.
            Format::Human if report.findings.is_empty() && !report.info.complete() => writeln!(
                out,
                "no secrets found in what was scanned, but the scan is incomplete (see the errors)"
            ),
            Format::Human => human::write(
                out,
                report.findings,
                redaction,
                options.color,
                report.info.staged,
            ),
            Format::Json => json::write(out, report, redaction),
            Format::Jsonl => jsonl::write(out, report, redaction),
            Format::Sarif => sarif::write(out, report, redaction),
            Format::Gitlab => gitlab::write(out, report, redaction),
            Format::Github => github::write_commands(out, report, redaction),
            Format::Markdown => github::write_markdown(out, report, redaction),
            Format::Junit => junit::write(out, report, redaction),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(Format::from_name(f.name()), Some(f));
        }
        assert_eq!(Format::from_name("xml"), None);
    }
}
