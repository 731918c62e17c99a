//! The input of every report: the findings, and what the scan was ([`ScanInfo`]).
//!
//! [`Report`] is the one value every format writes. It holds findings today; signature
//! verification verdicts will be added beside them as another field, so each format
//! can grow a section for them without changing how reports are called.
use std::{
    io,
    time::{SystemTime, UNIX_EPOCH},
};

use vigil_model::{Finding, Severity};

use crate::{github, gitlab, human, json, jsonl, junit, sarif, Redaction};

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

/// One unit that was scanned: JUnit makes a test case of each.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// A file (its display path, as findings carry it).
    File(String),
    /// A commit (its full id).
    Commit(String),
}

/// What was scanned. Sources that know each unit list them in `targets`; the counts
/// are always filled.
#[derive(Debug, Clone, Default)]
pub struct Scanned {
    pub targets: Vec<Target>,
    pub files: u64,
    pub commits: u64,
}

/// Everything a report says besides the findings themselves.
#[derive(Debug, Clone)]
pub struct ScanInfo {
    /// `vigil`.
    pub tool_name: String,
    pub tool_version: String,
    /// Where the tool is documented (an `https://` address), if known.
    pub tool_uri: Option<String>,
    pub started: SystemTime,
    pub finished: SystemTime,
    pub scanned: Scanned,
    /// The rules in force; formats that describe rules look them up here first.
    pub rules: Vec<RuleInfo>,
    /// What could not be scanned. Non-empty means the scan is incomplete.
    pub errors: Vec<String>,
}

impl ScanInfo {
    /// A scan that started and finished at `at`, covered nothing and knew no rules.
    pub fn new(tool_name: &str, tool_version: &str, at: SystemTime) -> ScanInfo {
        ScanInfo {
            tool_name: tool_name.to_owned(),
            tool_version: tool_version.to_owned(),
            tool_uri: None,
            started: at,
            finished: at,
            scanned: Scanned::default(),
            rules: Vec::new(),
            errors: Vec::new(),
        }
    }

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

/// What a report is written from: the scan's findings now; verification verdicts are
/// meant to join them as a further field. Build it with [`Report::new`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Report<'a> {
    pub info: &'a ScanInfo,
    /// Sorted as the scan sorted them (path, line, column, rule).
    pub findings: &'a [Finding],
    /// Signature verification verdicts (`vigil verify`), one per commit or tag.
    pub verdicts: &'a [vigil_model::ObjectVerdict],
}

impl<'a> Report<'a> {
    pub fn new(info: &'a ScanInfo, findings: &'a [Finding]) -> Report<'a> {
        Report {
            info,
            findings,
            verdicts: &[],
        }
    }

    /// The same report with verification verdicts beside the findings.
    pub fn with_verdicts(self, verdicts: &'a [vigil_model::ObjectVerdict]) -> Report<'a> {
        Report { verdicts, ..self }
    }
}

/// How every format renders: redaction everywhere, colour for the human report only.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub redaction: Redaction,
    pub color: human::Color,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            redaction: Redaction::On,
            color: human::Color::Off,
        }
    }
}

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

    /// Writes `report` in this format.
    pub fn write(
        self,
        out: &mut dyn io::Write,
        report: &Report<'_>,
        options: &Options,
    ) -> io::Result<()> {
        let redaction = options.redaction;
        match self {
            Format::Human => human::write(out, report.findings, redaction, options.color),
            Format::Json => json::write(out, report.findings, redaction),
            Format::Jsonl => jsonl::write(out, report, redaction),
            Format::Sarif => sarif::write(out, report, redaction),
            Format::Gitlab => gitlab::write(out, report, redaction),
            Format::Github => github::write_commands(out, report, redaction),
            Format::Markdown => github::write_markdown(out, report, redaction),
            Format::Junit => junit::write(out, report, redaction),
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC, followed by `Z` when `zulu` (SARIF, RFC 3339) and
/// without it for GitLab, whose schema rejects the suffix.
pub fn utc_timestamp(t: SystemTime, zulu: bool) -> String {
    let secs = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    };
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        if zulu { "Z" } else { "" }
    )
}

/// Proleptic Gregorian (year, month, day) of a count of days since 1970-01-01
/// (H. Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Groups findings by the unit they were found in: the commit when there is one,
/// else the path. Order of first appearance.
pub(crate) fn unit_of(f: &Finding) -> Target {
    match &f.origin.commit {
        Some(c) => Target::Commit(c.id.clone()),
        None => Target::File(f.origin.path.clone()),
    }
}

/// Severity on a 0–10 scale, as GitHub reads `security-severity`
/// (critical above 9, high 7–8.9, medium 4–6.9, low below 4).
pub(crate) fn severity_score(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn timestamps_are_utc() {
        let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(utc_timestamp(t, true), "2023-11-14T22:13:20Z");
        assert_eq!(utc_timestamp(t, false), "2023-11-14T22:13:20");
        assert_eq!(utc_timestamp(UNIX_EPOCH, false), "1970-01-01T00:00:00");
        // A leap day.
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(utc_timestamp(leap, true), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(Format::from_name(f.name()), Some(f));
        }
        assert_eq!(Format::from_name("xml"), None);
    }
}
