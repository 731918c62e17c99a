//! `--format gitlab`: GitLab's secret detection report (`gl-secret-detection-report.json`,
//! schema 15.2.4), which the merge request widget and the vulnerability report read.
//!
//! Times are `YYYY-MM-DDTHH:MM:SS` in UTC without a zone suffix (the schema's pattern
//! rejects `Z`). `location.commit.sha` is required even for a folder scan: GitLab's own
//! analyzers write `0000000` there, and so does vigil when a finding has no commit.
//! `raw_source_code_extract` holds the secret as every other format shows it: redacted
//! unless `--no-redact`.
//!
//! A shard's report (`--shard K/N`) lists the shard in `scan.options`.
//!
//! Signature verification verdicts are not written: the secret detection report holds
//! vulnerabilities found in files, each with a file, lines and an identifier, and has
//! no place for a verdict on a commit. GitLab CI shows verdicts through the JUnit
//! report's `signatures` suite instead.
use std::io;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use vigil_model::{Finding, Severity};

use crate::{options::Redaction, report::Report, time::utc_timestamp};

/// The schema version the report conforms to.
pub const VERSION: &str = "15.2.4";
/// The schema's address, written in `schema`.
pub const SCHEMA: &str = "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v15.2.4/dist/secret-detection-report-format.json";
/// The commit id written for content that did not come from a commit.
pub const NO_COMMIT: &str = "0000000";
/// The name of the `scan.options` entry that says which part of a sharded scan
/// (`--shard K/N`) a report holds: `{"name": "shard", "source": "argument", "value": "K/N"}`.
pub const SHARD_OPTION: &str = "shard";
/// The file name GitLab CI jobs conventionally give the report.
pub const FILE_NAME: &str = "gl-secret-detection-report.json";

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Info => "Info",
    }
}

/// A stable, unique id shaped like a UUID: a hash of the fingerprint, commit and place.
fn vulnerability_id(f: &Finding) -> String {
    let mut h = Sha256::new();
    h.update(f.fingerprint.as_bytes());
    h.update([0]);
    if let Some(c) = &f.origin.commit {
        h.update(c.id.as_bytes());
    }
    h.update([0]);
    h.update(format!("{}:{}", f.location.line, f.location.column).as_bytes());
    let hex: String = h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max.saturating_sub(1);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

fn is_http(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

fn vulnerability(f: &Finding, redaction: Redaction) -> Value {
    let shown = redaction.show(&f.secret);
    let mut description = format!(
        "{} in {} at line {}: {shown} ({} characters)",
        f.description,
        f.origin.path,
        f.location.line,
        f.secret.len()
    );
    if !f.decoded.is_empty() {
        description.push_str(&format!(", decoded from {}", f.decoded.join(" > ")));
    }
    description.push_str(&format!(". vigil fingerprint {}.", f.fingerprint));
    let mut solution =
        String::from("Revoke the credential first, then remove it from the history.");
    if let Some(r) = &f.remediation {
        solution.push(' ');
        solution.push_str(r);
    }
    if let Some(u) = &f.remediation_url {
        solution.push_str(&format!(" See {u}"));
    }
    let mut identifier = json!({
        "type": "vigil_rule_id",
        "name": format!("vigil rule ID {}", f.rule),
        "value": f.rule.as_ref(),
    });
    let mut links = Vec::new();
    if let Some(u) = f.remediation_url.as_deref().filter(|u| is_http(u)) {
        if let Some(obj) = identifier.as_object_mut() {
            obj.insert("url".into(), Value::String(u.to_owned()));
        }
        links.push(json!({ "name": "How to revoke", "url": u }));
    }
    let mut commit = json!({ "sha": NO_COMMIT });
    if let (Some(c), Some(obj)) = (&f.origin.commit, commit.as_object_mut()) {
        if !c.id.is_empty() {
            obj.insert("sha".into(), Value::String(c.id.clone()));
        }
        obj.insert("author".into(), Value::String(c.author_name.clone()));
        let date = std::time::UNIX_EPOCH
            .checked_add(std::time::Duration::from_secs(c.date.max(0) as u64))
            .map(|t| utc_timestamp(t, false))
            .unwrap_or_default();
        obj.insert("date".into(), Value::String(date));
    }
    json!({
        "id": vulnerability_id(f),
        "name": truncate(&f.description, 255),
        "description": truncate(&description, 1 << 20),
        "severity": severity(f.severity),
        "solution": truncate(&solution, 7000),
        "identifiers": [identifier],
        "links": links,
        "location": {
            "file": f.origin.path,
            "start_line": f.location.line,
            "end_line": f.location.end_line.max(f.location.line),
            "commit": commit,
        },
        "raw_source_code_extract": shown,
    })
}

/// Writes the report, pretty-printed, with a trailing newline.
pub fn write(out: &mut dyn io::Write, report: &Report<'_>, redaction: Redaction) -> io::Result<()> {
    let info = report.info;
    let tool = json!({
        "id": info.tool_name,
        "name": info.tool_name,
        "version": info.tool_version,
        "vendor": { "name": info.tool_name },
    });
    // Errors (warn) and each item not scanned (info), in the order of their text, as
    // `merge` sorts the messages of shards.
    let mut messages: Vec<(String, Value)> = info
        .errors
        .iter()
        .filter(|e| !e.is_empty())
        .map(|e| (e.clone(), json!({ "level": "warn", "value": e })))
        .collect();
    messages.extend(info.skipped.iter().map(|s| {
        let text = s.to_string();
        (text.clone(), json!({ "level": "info", "value": text }))
    }));
    messages.sort_by(|a, b| a.0.cmp(&b.0));
    let messages: Vec<Value> = messages.into_iter().map(|m| m.1).collect();
    let mut scan = json!({
        "analyzer": tool,
        "scanner": tool,
        "type": "secret_detection",
        "start_time": utc_timestamp(info.started, false),
        "end_time": utc_timestamp(info.finished, false),
        "status": if info.complete() { "success" } else { "failure" },
        "messages": messages,
    });
    if let (Some(shard), Some(obj)) = (info.shard, scan.as_object_mut()) {
        obj.insert(
            "options".into(),
            json!([{ "name": SHARD_OPTION, "source": "argument", "value": shard.to_string() }]),
        );
    }
    let doc = json!({
        "version": VERSION,
        "schema": SCHEMA,
        "scan": scan,
        "vulnerabilities": report
            .findings
            .iter()
            .map(|f| vulnerability(f, redaction))
            .collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
