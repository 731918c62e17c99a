//! `--format json`: `{"version": 1, "findings": [...]}`.
use std::io;

use serde::Serialize;
use vigil_model::Finding;

use crate::{
    options::Redaction,
    records::{to_json, JsonFinding},
};

/// Version of the JSON report; bumped on any incompatible change.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
}

/// Writes the whole report, pretty-printed, with a trailing newline.
pub fn write(
    out: &mut dyn io::Write,
    findings: &[Finding],
    redaction: Redaction,
) -> io::Result<()> {
    let report = Report {
        version: VERSION,
        findings: findings.iter().map(|f| to_json(f, redaction)).collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}
