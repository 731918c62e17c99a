//! The JSON shapes of a finding and of a verdict, shared by the JSON and JSON Lines
//! reports and the verify report. A leaf: it imports nothing from the crate but
//! [`Redaction`](crate::options::Redaction).
use std::collections::BTreeMap;

use serde::Serialize;
use vigil_model::{Finding, ObjectVerdict, TimeBasis, Verdict};

use crate::{options::Redaction, report::Skipped};

/// An item not scanned, as the JSON and JSON Lines reports write it (`merge` reads it
/// back): `{"path": ..., "commit": ..., "reason": "too-large"}`, `commit` only for git
/// sources.
#[derive(Serialize)]
pub(crate) struct JsonSkipped<'a> {
    pub(crate) path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) commit: Option<&'a str>,
    pub(crate) reason: &'static str,
}

pub(crate) fn skipped_to_json(s: &Skipped) -> JsonSkipped<'_> {
    JsonSkipped {
        path: &s.path,
        commit: s.commit.as_deref(),
        reason: s.reason.as_str(),
    }
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

/// A finding as the JSON reports write it.
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

/// A verdict as the JSON reports write it: `{"commit": ID, ...}` or
/// `{"tag": ID, "ref": "refs/tags/v1", ...}`.
#[derive(Serialize)]
pub(crate) struct JsonVerdict<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tag: Option<&'a str>,
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    ref_name: Option<&'a str>,
    verdict: Verdict,
    format: Option<&'a str>,
    signer: Option<&'a str>,
    fingerprint: Option<&'a str>,
    email: &'a str,
    reason: &'a str,
    time: i64,
    time_basis: TimeBasis,
    policy_change: bool,
}

pub(crate) fn verdict_to_json(v: &ObjectVerdict) -> JsonVerdict<'_> {
    JsonVerdict {
        commit: (v.kind == "commit").then_some(v.id.as_str()),
        tag: (v.kind == "tag").then_some(v.id.as_str()),
        ref_name: v.ref_name.as_deref(),
        verdict: v.verdict,
        format: v.format,
        signer: v.signer.as_deref(),
        fingerprint: v.fingerprint.as_deref(),
        email: &v.email,
        reason: &v.reason,
        time: v.time,
        time_basis: v.time_basis,
        policy_change: v.policy_change,
    }
}

/// How many objects got each verdict, by the verdict's name.
pub(crate) fn verdict_counts(verdicts: &[ObjectVerdict]) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for v in verdicts {
        *m.entry(v.verdict.as_str()).or_insert(0) += 1;
    }
    m
}
