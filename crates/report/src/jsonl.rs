//! `--format jsonl`: JSON Lines for streaming consumers. One object per line, each with
//! a `type`: a `finding` line per finding (the same fields as the JSON report's
//! findings), a `verdict` line per verified commit or tag (the same fields as
//! `vigil verify --format json` writes for it), then one `summary` line. Readers skip
//! the types they do not know.
//!
//! The summary says whether the scan was `complete`, its `errors`, and each item in
//! scope that was not scanned (`skipped`: path, commit for git sources, reason), as
//! the JSON report does. A shard's summary (`--shard K/N`) ends with `"shard": "K/N"`.
//!
//! The summary counts verdicts (`verdicts`, `verdicts_failed`, `verdict_counts` by
//! verdict) only when the report holds some, so a scan's summary stays as it was.
use std::{collections::BTreeMap, io};

use serde::Serialize;

use crate::{
    options::Redaction,
    records::{
        skipped_to_json, to_json, verdict_counts, verdict_to_json, JsonFinding, JsonSkipped,
        JsonVerdict,
    },
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
struct VerdictLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    verdict: JsonVerdict<'a>,
}

/// The last line (`merge` writes one of its own).
#[derive(Serialize)]
pub(crate) struct SummaryLine<'a> {
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) tool: &'a str,
    pub(crate) version: &'a str,
    pub(crate) findings: usize,
    pub(crate) files: u64,
    pub(crate) commits: u64,
    pub(crate) complete: bool,
    pub(crate) errors: &'a [String],
    pub(crate) skipped: Vec<JsonSkipped<'a>>,
    pub(crate) started: String,
    pub(crate) finished: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) verdicts: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) verdicts_failed: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) verdict_counts: Option<BTreeMap<&'static str, usize>>,
    /// `K/N` in a shard's report (`--shard K/N`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) shard: Option<String>,
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
    for v in report.verdicts {
        let line = VerdictLine {
            kind: "verdict",
            verdict: verdict_to_json(v),
        };
        serde_json::to_writer(&mut *out, &line)?;
        writeln!(out)?;
    }
    let info = report.info;
    let verdicts = report.verdicts;
    let has_verdicts = !verdicts.is_empty();
    let summary = SummaryLine {
        kind: "summary",
        tool: &info.tool_name,
        version: &info.tool_version,
        findings: report.findings.len(),
        files: info.scanned.files,
        commits: info.scanned.commits,
        complete: info.complete(),
        errors: &info.errors,
        skipped: info.skipped.iter().map(skipped_to_json).collect(),
        started: utc_timestamp(info.started, true),
        finished: utc_timestamp(info.finished, true),
        verdicts: has_verdicts.then_some(verdicts.len()),
        verdicts_failed: has_verdicts
            .then(|| verdicts.iter().filter(|v| !v.verdict.passes()).count()),
        verdict_counts: has_verdicts.then(|| verdict_counts(verdicts)),
        shard: info.shard.map(|s| s.to_string()),
    };
    serde_json::to_writer(&mut *out, &summary)?;
    writeln!(out)
}
