//! `--format jsonl`: JSON Lines for streaming consumers. One object per line, each with
//! a `type`: a `finding` line per finding (the same fields as the JSON report's
//! findings), then one `summary` line. Later kinds of line (verification verdicts) get
//! their own `type`, so readers skip what they do not know.
use std::io;

use serde::Serialize;

use crate::{
    options::Redaction,
    records::{to_json, JsonFinding},
    report::Report,
    time::utc_timestamp,
};

#[derive(Serialize)]
struct FindingLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    finding: JsonFinding<'a>,
}

#[derive(Serialize)]
struct SummaryLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    tool: &'a str,
    version: &'a str,
    findings: usize,
    files: u64,
    commits: u64,
    complete: bool,
    errors: &'a [String],
    started: String,
    finished: String,
}

pub fn write(out: &mut dyn io::Write, report: &Report<'_>, redaction: Redaction) -> io::Result<()> {
    for f in report.findings {
        let line = FindingLine {
            kind: "finding",
            finding: to_json(f, redaction),
        };
        serde_json::to_writer(&mut *out, &line)?;
        writeln!(out)?;
    }
    let info = report.info;
    let summary = SummaryLine {
        kind: "summary",
        tool: &info.tool_name,
        version: &info.tool_version,
        findings: report.findings.len(),
        files: info.scanned.files,
        commits: info.scanned.commits,
        complete: info.complete(),
        errors: &info.errors,
        started: utc_timestamp(info.started, true),
        finished: utc_timestamp(info.finished, true),
    };
    serde_json::to_writer(&mut *out, &summary)?;
    writeln!(out)
}
