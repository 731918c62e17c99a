//! The filters of a `.gitleaks.toml` that vigil's own configuration cannot hold,
//! applied to findings after the scan with gitleaks' semantics: a rule's `path` (a
//! regex the file path must match); allowlist `paths` (regexes), `commits`,
//! `stopwords`, `regexes` against the secret, `condition = "AND"` (every check given
//! must match; the default `OR`: any one), `targetRules`; and the `.gitleaksignore`
//! beside the file.
//!
//! [`crate::migrate::gitleaks`] reads the files and fills [`Gitleaks`]; this module only
//! applies it.
use std::path::PathBuf;

use regex::{bytes::Regex as BytesRegex, Regex};
use vigil_model::Finding;

/// What a `.gitleaks.toml` needs beyond vigil's own configuration: filters applied
/// to findings after the scan, and what could not be translated. The `pub(crate)`
/// fields are filled by [`crate::migrate::gitleaks`].
#[derive(Debug, Default)]
pub struct Gitleaks {
    /// The `.gitleaks.toml` read.
    pub source: PathBuf,
    /// The `.gitleaksignore` read with it, if any.
    pub ignore_file: Option<PathBuf>,
    /// Everything not translated, one sentence each.
    pub warnings: Vec<String>,
    /// Each gitleaks rule id seen (config rules, disabled rules, ignore entries) and its
    /// vigil counterparts.
    pub(crate) rule_ids: Vec<(String, Vec<String>)>,
    /// Rules that apply only where the path matches.
    pub(crate) rule_paths: Vec<(String, Regex)>,
    pub(crate) allowlists: Vec<PostAllowlist>,
    pub(crate) ignores: Vec<IgnoreEntry>,
    /// Allowlist regexes on the match or the line, which went into vigil's own
    /// allowlists (checked in the scan), one line each, for people.
    pub(crate) in_scan_checks: Vec<String>,
}

impl Gitleaks {
    /// False when the finding is dropped: its rule's `path` does not match, an
    /// allowlist allows it, or a `.gitleaksignore` entry accepts it.
    pub fn retains(&self, f: &Finding) -> bool {
        self.drops(f).is_none()
    }

    /// Which filter drops the finding, for people (`--explain`); `None` keeps it.
    pub fn drops(&self, f: &Finding) -> Option<&'static str> {
        let path = normalize_path(&f.origin.path);
        if self
            .rule_paths
            .iter()
            .any(|(rule, re)| **rule == *f.rule && !re.is_match(&path))
        {
            return Some("its rule's `path` does not match the file");
        }
        if self.allowlists.iter().any(|a| a.allows(f)) {
            return Some("an [allowlist] allows it");
        }
        if self.ignores.iter().any(|e| e.accepts(f, &self.rule_ids)) {
            return Some("a .gitleaksignore entry accepts it");
        }
        None
    }

    /// Drops the findings [`Gitleaks::retains`] rejects; returns how many.
    pub fn filter(&self, findings: &mut Vec<Finding>) -> usize {
        let before = findings.len();
        findings.retain(|f| self.retains(f));
        before - findings.len()
    }

    /// The vigil rule ids a gitleaks rule id stands for (after translation).
    pub fn vigil_rules(&self, gitleaks_id: &str) -> Vec<String> {
        self.rule_ids
            .iter()
            .find(|(g, _)| g == gitleaks_id)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// The `.gitleaksignore` entries in force.
    pub fn ignores(&self) -> &[IgnoreEntry] {
        &self.ignores
    }

    /// Allowlist regexes checked in the scan (on the match or the line), one line each,
    /// for people.
    pub fn in_scan_checks(&self) -> &[String] {
        &self.in_scan_checks
    }

    /// What is checked after the scan, one line each, for people.
    pub fn post_scan_checks(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .rule_paths
            .iter()
            .map(|(rule, re)| {
                format!(
                    "rule `{rule}` reports only in paths matching {:?}",
                    re.as_str()
                )
            })
            .collect();
        out.extend(self.allowlists.iter().map(|a| {
            let rules = a.rules.as_ref().map_or_else(
                || "every rule".to_owned(),
                |r| format!("rules {}", r.join(", ")),
            );
            format!("{a} for {rules}")
        }));
        if let Some(f) = &self.ignore_file {
            out.push(format!(
                "{}: {} accepted findings",
                f.display(),
                self.ignores.len()
            ));
        }
        out
    }
}

/// An allowlist applied after the scan, with gitleaks' semantics.
#[derive(Debug)]
pub(crate) struct PostAllowlist {
    /// Where it came from, for messages (`[[allowlists]] #2`, `rule acme [[rules.allowlists]] #1`).
    pub(crate) origin: String,
    /// The vigil rules it applies to; `None`: every rule.
    pub(crate) rules: Option<Vec<String>>,
    pub(crate) all: bool,
    pub(crate) commits: Vec<String>,
    pub(crate) paths: Vec<Regex>,
    /// Regexes on the secret (`regexTarget` unset or `secret`).
    pub(crate) regexes: Vec<BytesRegex>,
    pub(crate) stopwords: Vec<String>,
    /// `match`/`line` regexes handed to vigil's allowlist (they count as one check in `OR`).
    pub(crate) native_regexes: bool,
}

impl PostAllowlist {
    fn allows(&self, f: &Finding) -> bool {
        if let Some(rules) = &self.rules {
            if !rules.iter().any(|r| **r == *f.rule) {
                return false;
            }
        }
        let commit = f.origin.commit.as_ref().map(|c| c.id.to_ascii_lowercase());
        let path = normalize_path(&f.origin.path);
        let secret = f.secret.expose();
        let lower = String::from_utf8_lossy(secret).to_lowercase();
        let commit_ok = || {
            commit
                .as_deref()
                .is_some_and(|c| self.commits.iter().any(|x| x == c))
        };
        let path_ok = || self.paths.iter().any(|r| r.is_match(&path));
        let regex_ok = || self.regexes.iter().any(|r| r.is_match(secret));
        let stop_ok = || self.stopwords.iter().any(|w| lower.contains(w.as_str()));
        if self.all {
            (self.commits.is_empty() || commit_ok())
                && (self.paths.is_empty() || path_ok())
                && (self.regexes.is_empty() || regex_ok())
                && (self.stopwords.is_empty() || stop_ok())
                && !(self.commits.is_empty()
                    && self.paths.is_empty()
                    && self.regexes.is_empty()
                    && self.stopwords.is_empty())
        } else {
            commit_ok() || path_ok() || regex_ok() || stop_ok()
        }
    }
}

impl std::fmt::Display for PostAllowlist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}{})",
            self.origin,
            if self.all { "AND" } else { "OR" },
            if self.native_regexes {
                ", with regexes in vigil's allowlist"
            } else {
                ""
            }
        )
    }
}

/// One `.gitleaksignore` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreEntry {
    /// `None`: any commit (and content not from a commit).
    pub commit: Option<String>,
    /// `None` (`*`): any path.
    pub path: Option<String>,
    /// The gitleaks rule id; `None` (`*`): any rule.
    pub rule: Option<String>,
    /// `None` (`*`): any line.
    pub line: Option<u32>,
}

impl IgnoreEntry {
    /// True when the entry accepts `f`. The rule matches when `f`'s rule is the vigil
    /// counterpart of the entry's gitleaks rule; a gitleaks rule vigil has no
    /// counterpart for accepts any rule at an exact path and line (the same leak, found
    /// under another name), and only a rule of its own name where path or line is `*`.
    pub(crate) fn accepts(&self, f: &Finding, rules: &[(String, Vec<String>)]) -> bool {
        if let Some(c) = &self.commit {
            let Some(fc) = &f.origin.commit else {
                return false;
            };
            if fc.id.to_ascii_lowercase() != *c {
                return false;
            }
        }
        if self
            .path
            .as_ref()
            .is_some_and(|p| *p != normalize_path(&f.origin.path))
        {
            return false;
        }
        if self.line.is_some_and(|l| l != f.location.line) {
            return false;
        }
        match &self.rule {
            None => true,
            Some(r) => {
                let counterparts = rules
                    .iter()
                    .find(|(g, _)| g == r)
                    .map(|(_, v)| v.as_slice())
                    .unwrap_or_default();
                if counterparts.is_empty() {
                    // At a precise place, the same leak found under another name;
                    // with wildcards, only a rule of that very name.
                    (self.path.is_some() && self.line.is_some())
                        || *f.rule == **r
                        || *f.rule == kebab(r)
                } else {
                    counterparts.iter().any(|v| **v == *f.rule)
                }
            }
        }
    }
}

/// A path as gitleaks names it: without a leading `./`.
pub(crate) fn normalize_path(p: &str) -> String {
    p.strip_prefix("./").unwrap_or(p).to_owned()
}

/// Turns a gitleaks id into a vigil rule id (kebab-case: a-z, 0-9, -): the id the
/// translation gives a rule of the file, and which a `.gitleaksignore` entry naming
/// that rule accepts.
pub(crate) fn kebab(id: &str) -> String {
    let mut out = String::new();
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Arc;

    use vigil_model::{CommitInfo, Location, Origin, Secret, Severity};

    use super::*;

    /// A finding of `rule` at `path` and `line`, from `commit` when one is given.
    pub(crate) fn finding(
        rule: &str,
        path: &str,
        secret: &str,
        line: u32,
        commit: Option<&str>,
    ) -> Finding {
        Finding {
            rule: Arc::from(rule),
            description: Arc::from("d"),
            severity: Severity::High,
            tags: Arc::from(Vec::new()),
            remediation: None,
            remediation_url: None,
            origin: Arc::new(Origin {
                path: path.into(),
                commit: commit.map(|c| {
                    Arc::new(CommitInfo {
                        id: c.into(),
                        author_name: "a".into(),
                        author_email: "a@example.com".into(),
                        date: 0,
                    })
                }),
            }),
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
    fn gitleaksignore_entries_accept_by_place_and_rule() {
        let entry =
            |commit: Option<&str>, path: Option<&str>, rule: Option<&str>, line| IgnoreEntry {
                commit: commit.map(str::to_owned),
                path: path.map(str::to_owned),
                rule: rule.map(str::to_owned),
                line,
            };
        // What `app/.env:github-pat:2`, `abc123:src\x.py:generic-api-key:7` and
        // `*:acme:*` read as.
        let e = vec![
            entry(None, Some("app/.env"), Some("github-pat"), Some(2)),
            entry(
                Some("abc123"),
                Some("src/x.py"),
                Some("generic-api-key"),
                Some(7),
            ),
            entry(None, None, Some("acme"), None),
        ];
        let gl = Gitleaks {
            rule_ids: vec![
                ("github-pat".into(), vec!["github-pat-classic".into()]),
                ("generic-api-key".into(), Vec::new()),
            ],
            ignores: e,
            ..Gitleaks::default()
        };
        assert!(!gl.retains(&finding("github-pat-classic", "app/.env", "s", 2, None)));
        assert!(gl.retains(&finding("github-pat-classic", "app/.env", "s", 3, None)));
        assert!(gl.retains(&finding("aws-access-key-id", "app/.env", "s", 2, None)));
        // An unmapped gitleaks rule accepts any rule at that place, in that commit only.
        assert!(!gl.retains(&finding("x", "src/x.py", "s", 7, Some("ABC123"))));
        assert!(gl.retains(&finding("x", "src/x.py", "s", 7, None)));
    }
}
