//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning reads it.
//!
//! One `reportingDescriptor` per rule that fired (id, a PascalCase name, descriptions,
//! help with the way to revoke, `security-severity`), one result per finding with its
//! region and a redacted snippet, and `partialFingerprints` holding vigil's fingerprint
//! (rule, secret and path; no line), so an alert survives lines moving.
//!
//! A shard's report (`--shard K/N`) says which part it holds in the invocation's
//! properties: `"properties": {"shard": "K/N"}`.
//!
//! Signature verification verdicts that do not pass are results too, after the
//! findings: rule `signature/<verdict>` (`signature/untrusted-key`), level `error`, the
//! verdict's reason as the message. A commit or tag is no file, so the location is a
//! logical one, `{"fullyQualifiedName": <object id>, "kind": "object"}` (with the tag's
//! ref as `name`), and `partialFingerprints` holds `vigilObject/v1` = `commit:<id>` or
//! `tag:<id>`. GitHub code scanning rejects a whole upload when any result lacks
//! `physicalLocation.artifactLocation`, so when the verdicts were judged by the
//! repository's trust policy the result also points at that file (line 1): the policy
//! is what the commit fails. With one-off trust files there is no such file, and such a
//! SARIF is for other readers than code scanning. Their rules follow the findings'
//! rules, so findings keep their rule indexes.
use std::io;

use serde_json::{json, Map, Value};
use vigil_model::{Finding, ObjectVerdict, Severity, Verdict};

use crate::{
    options::Redaction,
    report::{Report, RuleInfo},
    time::utc_timestamp,
};

/// The SARIF version written.
pub const VERSION: &str = "2.1.0";
/// The schema address written in `$schema`.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The key of vigil's fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "vigilFingerprint/v1";
/// The key in a verdict result's `partialFingerprints`: `commit:<id>` or `tag:<id>`.
pub const OBJECT_FINGERPRINT_KEY: &str = "vigilObject/v1";
/// The prefix of a verdict's rule id: `signature/untrusted-key`.
pub const VERDICT_RULE_PREFIX: &str = "signature/";

/// Severity on a 0–10 scale, as GitHub reads `security-severity`
/// (critical above 9, high 7–8.9, medium 4–6.9, low below 4).
fn severity_score(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// `github-pat-classic` -> `GithubPatClassic`.
fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A path as a URI reference: relative paths stay relative (resolved against
/// `%SRCROOT%`), absolute ones become `file://` URIs; anything outside the unreserved
/// set and `/` is percent-encoded.
pub(crate) fn path_uri(path: &str) -> (String, bool) {
    let normalized = path.replace('\\', "/");
    let absolute = normalized.starts_with('/');
    let mut out = String::with_capacity(normalized.len() + 8);
    if absolute {
        out.push_str("file://");
    }
    for b in normalized.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    (out, !absolute)
}

fn rule_descriptor(id: &str, rule: &RuleInfo) -> Value {
    // SARIF wants each tag once: a rule's own `secret` tag is not repeated.
    let mut tags = vec!["security".to_owned(), "secret".to_owned()];
    for t in &rule.tags {
        if !tags.contains(t) {
            tags.push(t.clone());
        }
    }
    let revoke = rule
        .remediation
        .clone()
        .unwrap_or_else(|| "Revoke or rotate the credential.".to_owned());
    let mut help_text = format!("Revoke first, then remove it from history. {revoke}");
    let mut help_markdown = format!("**Revoke first**, then remove it from history.\n\n{revoke}");
    if let Some(url) = &rule.remediation_url {
        help_text.push_str(&format!(" See {url}"));
        help_markdown.push_str(&format!("\n\n[How to revoke]({url})"));
    }
    let mut d = json!({
        "id": id,
        "name": pascal_case(id),
        "shortDescription": { "text": rule.description },
        "fullDescription": {
            "text": format!("{} ({} severity); found by vigil rule {id}.", rule.description, rule.severity.as_str())
        },
        "help": { "text": help_text, "markdown": help_markdown },
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": {
            "tags": tags,
            "security-severity": severity_score(rule.severity),
        },
    });
    if let (Some(url), Some(obj)) = (&rule.remediation_url, d.as_object_mut()) {
        if url.starts_with("https://") || url.starts_with("http://") {
            obj.insert("helpUri".into(), Value::String(url.clone()));
        }
    }
    d
}

fn result(f: &Finding, rule_index: usize, redaction: Redaction) -> Value {
    let shown = redaction.show(&f.secret);
    let mut message = format!(
        "{} found: {shown} ({} characters)",
        f.description,
        f.secret.len()
    );
    if !f.decoded.is_empty() {
        message.push_str(&format!(", decoded from {}", f.decoded.join(" > ")));
    }
    message.push_str(". Revoke the credential first, then remove it from history.");
    if let Some(r) = &f.remediation {
        message.push(' ');
        message.push_str(r);
    }
    let (uri, relative) = path_uri(&f.origin.path);
    let mut artifact = Map::new();
    artifact.insert("uri".into(), Value::String(uri));
    if relative {
        artifact.insert("uriBaseId".into(), Value::String("%SRCROOT%".into()));
    }
    let l = f.location;
    let mut properties = json!({
        "secretLength": f.secret.len(),
        "redacted": redaction == Redaction::On,
    });
    if let Some(obj) = properties.as_object_mut() {
        if !f.decoded.is_empty() {
            obj.insert("decoded".into(), json!(f.decoded));
        }
        if let Some(c) = &f.origin.commit {
            obj.insert("commit".into(), Value::String(c.id.clone()));
        }
    }
    json!({
        "ruleId": f.rule.as_ref(),
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact,
                "region": {
                    "startLine": l.line.max(1),
                    "startColumn": l.column.max(1),
                    "endLine": l.end_line.max(l.line).max(1),
                    "endColumn": l.end_column.max(1),
                    "snippet": { "text": shown },
                },
            },
        }],
        "partialFingerprints": { FINGERPRINT_KEY: f.fingerprint },
        "properties": properties,
    })
}

/// What a verdict means (`shortDescription`) and what to do about it (`help`).
fn verdict_text(v: Verdict) -> (&'static str, &'static str) {
    match v {
        Verdict::Good => (
            "Signed by a key the trust policy trusts for the signer",
            "Nothing to do.",
        ),
        Verdict::BadSignature => (
            "The signature does not verify over the commit or tag",
            "The object was changed after it was signed, or the signature belongs to another object. Find out who changed it before trusting its content.",
        ),
        Verdict::UntrustedKey => (
            "Signed by a key the trust policy does not trust",
            "If the key belongs to someone who should be trusted, add it to the trust policy in a reviewed commit; otherwise sign the object again with a trusted key.",
        ),
        Verdict::ExpiredKey => (
            "Signed by a key that was not valid at the verification time",
            "Sign the object again with a key valid now, or change the key's validity in the trust policy in a reviewed commit.",
        ),
        Verdict::RevokedKey => (
            "Signed by a revoked key",
            "Treat the object as suspect: check its content, then sign it again with a key that is not revoked.",
        ),
        Verdict::WrongNamespace => (
            "An SSH signature made for another purpose than git",
            "The signature was made for another namespace than `git` and may have been copied from elsewhere; sign the object again with git (`git commit -S`, `git tag -s`).",
        ),
        Verdict::SignerMismatch => (
            "Signed by a trusted key that does not belong to the committer (tagger)",
            "Sign with a key whose principals include the committer's (tagger's) address, or list that address for the key in the trust policy in a reviewed commit.",
        ),
        Verdict::WrongName => (
            "A signed tag published under another name than the one it was signed with",
            "The tag's `tag` header names another version than its reference: an old release republished as a new one (a rollback). Delete the reference and tag the intended commit afresh (`git tag -s`).",
        ),
        Verdict::Unsigned => (
            "The commit or tag is not signed",
            "Sign it (`git commit -S`, `git tag -s`) with a key the trust policy trusts.",
        ),
        Verdict::Malformed => (
            "The signature cannot be read, or breaks a strictness rule",
            "Sign the object again; vigil accepts exactly one armored SSH or OpenPGP signature in the signature header.",
        ),
    }
}

fn verdict_rule_id(v: Verdict) -> String {
    format!("{VERDICT_RULE_PREFIX}{}", v.as_str())
}

fn verdict_descriptor(v: Verdict) -> Value {
    let id = verdict_rule_id(v);
    let (short, help) = verdict_text(v);
    json!({
        "id": id,
        "name": pascal_case(&id),
        "shortDescription": { "text": short },
        "fullDescription": {
            "text": format!("{short}; found by vigil signature verification (verdict {}).", v.as_str())
        },
        "help": { "text": help, "markdown": help },
        "defaultConfiguration": { "level": "error" },
        "properties": { "tags": ["security", "signature"] },
    })
}

/// The object as a logical location, and the policy file when there is one.
fn verdict_location(logical: &Map<String, Value>, policy_file: Option<&str>) -> Value {
    match policy_file {
        Some(path) => json!({
            "physicalLocation": {
                "artifactLocation": { "uri": path },
                "region": { "startLine": 1 },
            },
            "logicalLocations": [logical],
        }),
        None => json!({ "logicalLocations": [logical] }),
    }
}

fn verdict_result(v: &ObjectVerdict, rule_index: usize, policy_file: Option<&str>) -> Value {
    let mut logical = Map::new();
    if let Some(r) = &v.ref_name {
        logical.insert("name".into(), Value::String(r.clone()));
    }
    logical.insert("fullyQualifiedName".into(), Value::String(v.id.clone()));
    logical.insert("kind".into(), Value::String("object".into()));
    let mut properties = Map::new();
    properties.insert(v.kind.into(), Value::String(v.id.clone()));
    if let Some(r) = &v.ref_name {
        properties.insert("ref".into(), Value::String(r.clone()));
    }
    properties.insert("verdict".into(), Value::String(v.verdict.as_str().into()));
    if let Some(f) = v.format {
        properties.insert("signatureFormat".into(), Value::String(f.into()));
    }
    if let Some(s) = &v.signer {
        properties.insert("signer".into(), Value::String(s.clone()));
    }
    if let Some(f) = &v.fingerprint {
        properties.insert("keyFingerprint".into(), Value::String(f.clone()));
    }
    properties.insert("email".into(), Value::String(v.email.clone()));
    properties.insert("policyChange".into(), Value::Bool(v.policy_change));
    json!({
        "ruleId": verdict_rule_id(v.verdict),
        "ruleIndex": rule_index,
        "level": "error",
        "message": { "text": v.reason },
        "locations": [verdict_location(&logical, policy_file)],
        "partialFingerprints": { OBJECT_FINGERPRINT_KEY: format!("{}:{}", v.kind, v.id) },
        "properties": properties,
    })
}

/// Writes one SARIF log with one run, pretty-printed, with a trailing newline.
pub fn write(out: &mut dyn io::Write, report: &Report<'_>, redaction: Redaction) -> io::Result<()> {
    let info = report.info;
    // Rules that fired, by id, described from the rules in force when known.
    let mut fired: Vec<RuleInfo> = Vec::new();
    for f in report.findings {
        if !fired.iter().any(|r| *r.id == *f.rule) {
            fired.push(
                info.rule(&f.rule)
                    .cloned()
                    .unwrap_or_else(|| RuleInfo::of(f)),
            );
        }
    }
    fired.sort_by(|a, b| a.id.cmp(&b.id));
    let failing: Vec<&ObjectVerdict> = report
        .verdicts
        .iter()
        .filter(|v| !v.verdict.passes())
        .collect();
    // The verdicts that failed, by rule id, after the findings' rules.
    let mut failed_kinds: Vec<Verdict> = Vec::new();
    for v in &failing {
        if !failed_kinds.contains(&v.verdict) {
            failed_kinds.push(v.verdict);
        }
    }
    failed_kinds.sort_by_key(|v| v.as_str());
    let mut rules: Vec<Value> = fired.iter().map(|r| rule_descriptor(&r.id, r)).collect();
    rules.extend(failed_kinds.iter().map(|v| verdict_descriptor(*v)));
    let mut results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let index = fired.iter().position(|r| *r.id == *f.rule).unwrap_or(0);
            result(f, index, redaction)
        })
        .collect();
    results.extend(failing.iter().map(|v| {
        let k = failed_kinds
            .iter()
            .position(|k| *k == v.verdict)
            .unwrap_or(0);
        verdict_result(v, fired.len() + k, report.info.policy_file.as_deref())
    }));
    let driver = json!({
        "name": info.tool_name,
        "version": info.tool_version,
        "semanticVersion": info.tool_version,
        "rules": rules,
    });
    // Errors, then each item not scanned (a note naming its path, commit and reason),
    // in the order of their text, as `merge` sorts the notifications of shards.
    let mut notifications: Vec<(String, Value)> = info
        .errors
        .iter()
        .map(|e| {
            (
                e.clone(),
                json!({ "level": "error", "message": { "text": e } }),
            )
        })
        .collect();
    notifications.extend(info.skipped.iter().map(|s| {
        let text = s.to_string();
        let mut properties = json!({ "path": s.path, "reason": s.reason.as_str() });
        if let (Some(c), Some(p)) = (&s.commit, properties.as_object_mut()) {
            p.insert("commit".into(), json!(c));
        }
        let n = json!({
            "level": "note",
            "message": { "text": text },
            "descriptor": { "id": format!("skipped/{}", s.reason.as_str()) },
            "properties": properties,
        });
        (text, n)
    }));
    notifications.sort_by(|a, b| a.0.cmp(&b.0));
    let notifications: Vec<Value> = notifications.into_iter().map(|n| n.1).collect();
    let mut invocation = json!({
        "executionSuccessful": info.complete(),
        "startTimeUtc": utc_timestamp(info.started, true),
        "endTimeUtc": utc_timestamp(info.finished, true),
        "toolExecutionNotifications": notifications,
    });
    if let (Some(shard), Some(obj)) = (info.shard, invocation.as_object_mut()) {
        obj.insert("properties".into(), json!({ "shard": shard.to_string() }));
    }
    let log = json!({
        "$schema": SCHEMA,
        "version": VERSION,
        "runs": [{
            "tool": { "driver": driver },
            "invocations": [invocation],
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(pascal_case("github-pat-classic"), "GithubPatClassic");
        assert_eq!(pascal_case("aws-access-key-id"), "AwsAccessKeyId");
        assert_eq!(path_uri("app/.env"), ("app/.env".into(), true));
        assert_eq!(path_uri("my dir/a#b"), ("my%20dir/a%23b".into(), true));
        assert_eq!(path_uri("/tmp/x y"), ("file:///tmp/x%20y".into(), false));
    }

    #[test]
    fn rule_tags_are_unique() {
        let rule = RuleInfo {
            id: "generic-secret".into(),
            description: "d".into(),
            severity: Severity::Medium,
            tags: vec![
                "generic".into(),
                "secret".into(),
                "security".into(),
                "generic".into(),
            ],
            remediation: None,
            remediation_url: None,
        };
        let d = rule_descriptor(&rule.id, &rule);
        assert_eq!(
            d["properties"]["tags"],
            json!(["security", "secret", "generic"])
        );
    }
}
