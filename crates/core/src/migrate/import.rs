//! Other scanners' accepted findings, turned into vigil baseline entries.
//!
//! A vigil fingerprint is made of vigil's rule id, the secret and the path, and none of
//! the inputs carries all three, so each entry is matched against the findings of a
//! fresh vigil scan of the same content; the matched findings become baseline entries.
//!
//! - **gitleaks JSON report** (`gitleaks … --report-format json`): an entry matches the
//!   findings at the same path (and commit, when both have one) whose secret is the
//!   report's `Secret`. When the report was written with `--redact`, `Secret` is
//!   `REDACTED` (or a prefix and `...`), so the entry matches by place instead: the
//!   findings on its `StartLine` (and with that prefix), which is right only while the
//!   file has not changed since the report was written.
//! - **`.gitleaksignore`**: `[commit:]path:rule:line` entries match by place; see
//!   [`crate::suppress::gitleaks::IgnoreEntry`].
//! - **detect-secrets `.secrets.baseline`**: it stores only the SHA-1 of each secret,
//!   its type and line number. An entry matches the findings at its path whose secret
//!   has that SHA-1; when detect-secrets cut the secret differently (quotes, a key
//!   name), the findings on its `line_number` instead. Its audit results (`is_secret`)
//!   are kept as the entry's reason; its plugin and filter settings have no meaning
//!   for vigil and are not carried over.
//!
//! Entries that match nothing are listed: vigil does not report that secret (a rule
//! it lacks, a filter it applies), or the file changed.
use std::path::Path;

use serde_json::Value;
use sha1::{Digest, Sha1};
use vigil_model::Finding;

use super::gitleaks::{parse_gitleaksignore, vigil_rules_for};
use crate::{baseline::Entry, suppress::gitleaks::IgnoreEntry};

/// The kinds of file [`import`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    GitleaksReport,
    GitleaksIgnore,
    DetectSecrets,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::GitleaksReport => "gitleaks report",
            Source::GitleaksIgnore => ".gitleaksignore",
            Source::DetectSecrets => "detect-secrets baseline",
        }
    }

    /// Tells the kind from the name and content: a JSON array is a gitleaks report, a
    /// JSON object with `results` a detect-secrets baseline, anything else a
    /// `.gitleaksignore`.
    pub fn detect(path: &Path, text: &str) -> Source {
        let trimmed = text.trim_start();
        if trimmed.starts_with('[') {
            Source::GitleaksReport
        } else if trimmed.starts_with('{') {
            Source::DetectSecrets
        } else if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with(".json"))
        {
            Source::GitleaksReport
        } else {
            Source::GitleaksIgnore
        }
    }
}

/// What an input is wrong with, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: not a {kind}: {message}")]
    Format {
        path: String,
        kind: &'static str,
        message: String,
    },
}

/// The result of an import.
#[derive(Debug, Default)]
pub struct Imported {
    /// One entry per matched finding, with a reason saying where it came from.
    pub entries: Vec<Entry>,
    /// Input entries that matched no finding, described for people.
    pub unmatched: Vec<String>,
    /// Entries matched by place rather than by secret, described for people.
    pub by_place: Vec<String>,
}

fn norm(p: &str) -> String {
    let p = p.replace('\\', "/");
    p.strip_prefix("./").unwrap_or(&p).to_owned()
}

fn sha1_hex(bytes: &[u8]) -> String {
    Sha1::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Matches `text` (read from `path`, of kind `source`) against `findings`. `known` are
/// the ids of the vigil rules in force (to map gitleaks rule ids).
pub fn import(
    source: Source,
    path: &Path,
    text: &str,
    findings: &[Finding],
    known: &[String],
) -> Result<Imported, ImportError> {
    let mut out = Imported::default();
    let fmt_err = |message: String| ImportError::Format {
        path: path.display().to_string(),
        kind: source.name(),
        message,
    };
    let accept = |out: &mut Imported, f: &Finding, reason: String| {
        if !out.entries.iter().any(|e| e.fingerprint == f.fingerprint) {
            out.entries.push(Entry::of(f, Some(&reason), None));
        }
    };
    match source {
        Source::GitleaksReport => {
            let doc: Value = serde_json::from_str(text)
                .map_err(|e| fmt_err(vigil_model::sanitize(&e.to_string(), 160)))?;
            let items = doc
                .as_array()
                .ok_or_else(|| fmt_err("expected a JSON array of findings".into()))?;
            for (i, item) in items.iter().enumerate() {
                let s = |k: &str| item.get(k).and_then(Value::as_str).unwrap_or_default();
                let file = norm(s("File"));
                if file.is_empty() {
                    return Err(fmt_err(format!("finding #{} has no \"File\"", i + 1)));
                }
                let line = item.get("StartLine").and_then(Value::as_u64).unwrap_or(0);
                let rule = s("RuleID");
                let commit = s("Commit").to_ascii_lowercase();
                let secret = s("Secret");
                let at = |f: &&Finding| {
                    norm(&f.origin.path) == file
                        && (commit.is_empty()
                            || f.origin
                                .commit
                                .as_ref()
                                .is_none_or(|c| c.id.to_ascii_lowercase() == commit))
                };
                let redacted = secret.is_empty() || secret == "REDACTED" || secret.ends_with("...");
                let described = format!("{file}:{line} {rule}");
                let matched: Vec<&Finding> = if redacted {
                    let prefix = secret.strip_suffix("...").unwrap_or_default();
                    let mapped = vigil_rules_for(rule, known);
                    let mut m: Vec<&Finding> = findings
                        .iter()
                        .filter(at)
                        .filter(|f| u64::from(f.location.line) == line)
                        .filter(|f| f.secret.expose().starts_with(prefix.as_bytes()))
                        .collect();
                    if m.iter().any(|f| mapped.iter().any(|r| **r == *f.rule)) {
                        m.retain(|f| mapped.iter().any(|r| **r == *f.rule));
                    }
                    if !m.is_empty() {
                        out.by_place.push(described.clone());
                    }
                    m
                } else {
                    findings
                        .iter()
                        .filter(at)
                        .filter(|f| f.secret.expose() == secret.as_bytes())
                        .collect()
                };
                if matched.is_empty() {
                    out.unmatched.push(described);
                }
                for f in matched {
                    accept(
                        &mut out,
                        f,
                        format!("imported from gitleaks report ({rule})"),
                    );
                }
            }
        }
        Source::GitleaksIgnore => {
            let entries = parse_gitleaksignore(path, text).map_err(|e| fmt_err(e.to_string()))?;
            let mut rules: Vec<(String, Vec<String>)> = Vec::new();
            for e in &entries {
                if let Some(r) = &e.rule {
                    if !rules.iter().any(|(g, _)| g == r) {
                        rules.push((r.clone(), vigil_rules_for(r, known)));
                    }
                }
            }
            for e in &entries {
                let matched: Vec<&Finding> =
                    findings.iter().filter(|f| e.accepts(f, &rules)).collect();
                let described = describe_ignore(e);
                if matched.is_empty() {
                    out.unmatched.push(described);
                    continue;
                }
                for f in matched {
                    accept(
                        &mut out,
                        f,
                        format!("imported from .gitleaksignore ({described})"),
                    );
                }
            }
        }
        Source::DetectSecrets => {
            let doc: Value = serde_json::from_str(text)
                .map_err(|e| fmt_err(vigil_model::sanitize(&e.to_string(), 160)))?;
            let results = doc
                .get("results")
                .and_then(Value::as_object)
                .ok_or_else(|| fmt_err("expected an object with \"results\"".into()))?;
            for (file, list) in results {
                let file = norm(file);
                let Some(list) = list.as_array() else {
                    return Err(fmt_err(format!("results for {file:?} are not a list")));
                };
                for item in list {
                    let hashed = item
                        .get("hashed_secret")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_ascii_lowercase();
                    let line = item.get("line_number").and_then(Value::as_u64).unwrap_or(0);
                    let kind = item.get("type").and_then(Value::as_str).unwrap_or("secret");
                    let audit = match item.get("is_secret").and_then(Value::as_bool) {
                        Some(false) => "; audited: false positive",
                        Some(true) => "; audited: a real secret",
                        None => "",
                    };
                    let at: Vec<&Finding> = findings
                        .iter()
                        .filter(|f| norm(&f.origin.path) == file)
                        .collect();
                    let mut matched: Vec<&Finding> = at
                        .iter()
                        .copied()
                        .filter(|f| sha1_hex(f.secret.expose()) == hashed)
                        .collect();
                    let described = format!("{file}:{line} {kind}");
                    if matched.is_empty() && line > 0 {
                        matched = at
                            .into_iter()
                            .filter(|f| u64::from(f.location.line) == line)
                            .collect();
                        if !matched.is_empty() {
                            out.by_place.push(described.clone());
                        }
                    }
                    if matched.is_empty() {
                        out.unmatched.push(described);
                    }
                    for f in matched {
                        accept(
                            &mut out,
                            f,
                            format!("imported from detect-secrets ({kind}{audit})"),
                        );
                    }
                }
            }
        }
    }
    Ok(out)
}

fn describe_ignore(e: &IgnoreEntry) -> String {
    let field = |v: Option<&str>| v.unwrap_or("*").to_owned();
    let line = e.line.map_or_else(|| "*".to_owned(), |l| l.to_string());
    let mut s = format!(
        "{}:{}:{line}",
        field(e.path.as_deref()),
        field(e.rule.as_deref())
    );
    if let Some(c) = &e.commit {
        s = format!("{c}:{s}");
    }
    s
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use vigil_model::{Location, Origin, Secret, Severity};

    use super::*;

    fn finding(rule: &str, path: &str, secret: &str, line: u32) -> Finding {
        Finding {
            rule: Arc::from(rule),
            description: Arc::from("d"),
            severity: Severity::High,
            tags: Arc::from(Vec::new()),
            remediation: None,
            remediation_url: None,
            origin: Origin::path(path),
            location: Location {
                line,
                column: 1,
                end_line: line,
                end_column: 2,
            },
            secret: Secret::new(secret.as_bytes().to_vec()),
            entropy: 4.0,
            decoded: Vec::new(),
            fingerprint: vigil_secrets::fingerprint(rule, secret.as_bytes(), path),
        }
    }

    #[test]
    fn gitleaks_report_by_secret_and_by_place() {
        let findings = vec![
            finding("github-pat-classic", "app/.env", "ghp_secret_one", 2),
            finding("aws-access-key-id", "app/.env", "AKIA_two", 5),
        ];
        let report = r#"[
          {"RuleID": "github-pat", "File": "app/.env", "StartLine": 9, "Secret": "ghp_secret_one", "Commit": ""},
          {"RuleID": "aws-access-token", "File": "app/.env", "StartLine": 5, "Secret": "REDACTED", "Commit": ""},
          {"RuleID": "generic-api-key", "File": "other.py", "StartLine": 1, "Secret": "x", "Commit": ""}
        ]"#;
        let known = vec![
            "github-pat-classic".to_owned(),
            "aws-access-key-id".to_owned(),
        ];
        let got = import(
            Source::GitleaksReport,
            Path::new("r.json"),
            report,
            &findings,
            &known,
        )
        .unwrap();
        assert_eq!(got.entries.len(), 2);
        assert_eq!(got.by_place, vec!["app/.env:5 aws-access-token"]);
        assert_eq!(got.unmatched, vec!["other.py:1 generic-api-key"]);
    }

    #[test]
    fn detect_secrets_by_sha1() {
        let findings = vec![finding("r", "a.py", "hunter22hunter22", 3)];
        let hashed = sha1_hex(b"hunter22hunter22");
        let doc = format!(
            r#"{{"version": "1.5.0", "results": {{"a.py": [{{"type": "Secret Keyword", "hashed_secret": "{hashed}", "line_number": 10, "is_secret": false}}]}}}}"#
        );
        let got = import(
            Source::DetectSecrets,
            Path::new(".secrets.baseline"),
            &doc,
            &findings,
            &[],
        )
        .unwrap();
        assert_eq!(got.entries.len(), 1);
        assert!(got.entries[0]
            .reason
            .as_deref()
            .unwrap_or_default()
            .contains("false positive"));
        assert!(got.by_place.is_empty());
        assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    }

    #[test]
    fn bad_input_is_named() {
        let e = import(Source::GitleaksReport, Path::new("r.json"), "{", &[], &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("r.json") && e.contains("gitleaks report"), "{e}");
        assert_eq!(
            Source::detect(Path::new(".gitleaksignore"), "a:b:1\n"),
            Source::GitleaksIgnore
        );
        assert_eq!(
            Source::detect(Path::new("x"), "  {\"results\": {}}"),
            Source::DetectSecrets
        );
    }
}
