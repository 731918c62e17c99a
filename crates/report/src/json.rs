//! `--format json`: `{"version": 1, "findings": [...]}`.
use std::io;

use serde::Serialize;
use vigil_model::Finding;

use crate::Redaction;

/// Version of the JSON report; bumped on any incompatible change.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct Commit<'a> {
    id: &'a str,
    author: &'a str,
    email: &'a str,
    date: i64,
}

#[derive(Serialize)]
struct Remediation<'a> {
    text: Option<&'a str>,
    url: Option<&'a str>,
}

#[derive(Serialize)]
pub(crate) struct JsonFinding<'a> {
    rule: &'a str,
    description: &'a str,
    severity: &'a str,
    tags: &'a [String],
    path: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    secret: String,
    secret_length: usize,
    redacted: bool,
    entropy: f64,
    fingerprint: &'a str,
    decoded: &'a [&'static str],
    commit: Option<Commit<'a>>,
    remediation: Remediation<'a>,
}

pub(crate) fn to_json(f: &Finding, redaction: Redaction) -> JsonFinding<'_> {
    JsonFinding {
        rule: &f.rule,
        description: &f.description,
        severity: f.severity.as_str(),
        tags: &f.tags,
        path: &f.origin.path,
        line: f.location.line,
        column: f.location.column,
        end_line: f.location.end_line,
        end_column: f.location.end_column,
        secret: redaction.show(&f.secret),
        secret_length: f.secret.len(),
        redacted: redaction == Redaction::On,
        entropy: (f.entropy * 100.0).round() / 100.0,
        fingerprint: &f.fingerprint,
        decoded: &f.decoded,
        commit: f.origin.commit.as_deref().map(|c| Commit {
            id: &c.id,
            author: &c.author_name,
            email: &c.author_email,
            date: c.date,
        }),
        remediation: Remediation {
            text: f.remediation.as_deref(),
            url: f.remediation_url.as_deref(),
        },
    }
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
