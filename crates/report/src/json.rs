//! `--format json`: `{"version": 1, "complete": true, "errors": [...], "skipped":
//! [...], "findings": [...]}`, and in a shard's report (`--shard K/N`) `"shard": "K/N"`
//! after the version. `complete` is false when something could not be read or nothing
//! was scanned (`errors` says what); `skipped` lists each item in scope that was not
//! scanned, with its `path`, its `commit` (git sources) and the `reason`
//! (`too-large`, `symlink`, `not-a-regular-file`, `unreadable`).
use std::io;

use serde::Serialize;

use crate::{
    options::Redaction,
    records::{skipped_to_json, to_json, JsonFinding, JsonSkipped},
    report::Report,
};

/// Version of the JSON report; bumped on any incompatible change.
pub const VERSION: u32 = 1;

/// The report's shape, whatever its findings are made of (`merge` writes findings it
/// read back).
#[derive(Serialize)]
pub(crate) struct Document<'a, F, D> {
    pub(crate) version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) shard: Option<String>,
    pub(crate) complete: bool,
    pub(crate) errors: Vec<String>,
    pub(crate) skipped: Vec<JsonSkipped<'a>>,
    pub(crate) findings: Vec<F>,
    /// Only with `vigil scan --explain`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) dropped: Option<Vec<D>>,
}

/// A candidate `--explain` listed: the finding it would have made, and why not.
#[derive(Serialize)]
pub(crate) struct JsonDropped<'a> {
    #[serde(flatten)]
    finding: JsonFinding<'a>,
    reason: &'a str,
}

/// Writes the whole report, pretty-printed, with a trailing newline.
pub fn write(out: &mut dyn io::Write, report: &Report<'_>, redaction: Redaction) -> io::Result<()> {
    let info = report.info;
    let document: Document<'_, JsonFinding<'_>, JsonDropped<'_>> = Document {
        version: VERSION,
        shard: info.shard.map(|s| s.to_string()),
        complete: info.complete(),
        errors: info.errors.clone(),
        skipped: info.skipped.iter().map(skipped_to_json).collect(),
        findings: report
            .findings
            .iter()
            .map(|f| to_json(f, redaction))
            .collect(),
        dropped: report.dropped.map(|d| {
            d.iter()
                .map(|(f, reason)| JsonDropped {
                    finding: to_json(f, redaction),
                    reason,
                })
                .collect()
        }),
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}
