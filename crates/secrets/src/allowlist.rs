//! Allowlists: a rule's own, and the repository's from `.vigil.toml`.
use std::sync::OnceLock;

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

/// Comments that suppress every finding on their line: `vigil:allow`, also written
/// with one space (`vigil: allow`, as `pragma: allowlist secret` is). `gitleaks:allow`
/// and `pragma: allowlist secret` (detect-secrets) are honoured for people migrating.
/// Case and spacing are otherwise exact (`VIGIL:ALLOW`, `vigil:  allow` are not
/// markers): a marker hides a finding, so it is spelled one way, as the peers do.
pub const INLINE_MARKERS: &[&str] = &[
    "vigil:allow",
    "vigil: allow",
    "gitleaks:allow",
    "pragma: allowlist secret",
];

/// What a regex of an allowlist is matched against.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegexTarget {
    /// The extracted secret.
    #[default]
    Secret,
    /// The whole text the rule's regex matched.
    Match,
    /// The line (or lines) holding the match.
    Line,
}

/// An allowlist as written in TOML.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowlistSpec {
    /// Globs on the path (`**/testdata/**`, `*.lock`).
    #[serde(default)]
    pub paths: Vec<String>,
    /// Regexes; a match drops the finding.
    #[serde(default)]
    pub regexes: Vec<String>,
    #[serde(default)]
    pub regex_target: RegexTarget,
    /// Case-insensitive substrings of the secret that drop the finding.
    #[serde(default)]
    pub stopwords: Vec<String>,
}

impl AllowlistSpec {
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty() && self.regexes.is_empty() && self.stopwords.is_empty()
    }
}

/// A compiled allowlist.
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    paths: Option<GlobSet>,
    regex_sources: Vec<String>,
    /// Compiled on the first secret checked (see `deferred`).
    regexes: OnceLock<Result<Vec<Regex>, String>>,
    target: RegexTarget,
    stopwords: Vec<String>,
}

impl Allowlist {
    /// Compiles `spec`; the error names the glob or regex at fault.
    pub fn compile(spec: &AllowlistSpec) -> Result<Allowlist, String> {
        let allowlist = Allowlist::deferred(spec)?;
        allowlist.check_regexes()?;
        Ok(allowlist)
    }

    /// Compiles the globs now and the regexes when a secret is first checked: a
    /// rule's allowlist, which most scans never consult (compiling its regexes took a
    /// third of the time spent working out the rules a scan selects). A regex that
    /// fails to compile then allowlists nothing; `check_regexes` reports it.
    pub fn deferred(spec: &AllowlistSpec) -> Result<Allowlist, String> {
        let paths = if spec.paths.is_empty() {
            None
        } else {
            let mut b = GlobSetBuilder::new();
            for p in &spec.paths {
                let glob = Glob::new(p).map_err(|e| format!("path glob {p:?}: {e}"))?;
                b.add(glob);
            }
            Some(b.build().map_err(|e| format!("path globs: {e}"))?)
        };
        Ok(Allowlist {
            paths,
            regex_sources: spec.regexes.clone(),
            regexes: OnceLock::new(),
            target: spec.regex_target,
            stopwords: spec
                .stopwords
                .iter()
                .map(|s| s.to_ascii_lowercase())
                .collect(),
        })
    }

    /// Compiles the regexes now if they are not yet; the error names the one at fault.
    pub fn check_regexes(&self) -> Result<(), String> {
        self.regexes().map(|_| ())
    }

    fn regexes(&self) -> Result<&[Regex], String> {
        let compile = || {
            self.regex_sources
                .iter()
                .map(|r| {
                    RegexBuilder::new(r)
                        .size_limit(1 << 20)
                        .build()
                        .map_err(|e| format!("regex {r:?}: {e}"))
                })
                .collect()
        };
        self.regexes
            .get_or_init(compile)
            .as_deref()
            .map_err(Clone::clone)
    }

    /// True when `path` is allowlisted as a whole.
    pub fn allows_path(&self, path: &str) -> bool {
        self.paths
            .as_ref()
            .is_some_and(|g| g.is_match(path) || g.is_match(path.trim_start_matches("./")))
    }

    /// True when the secret (or match, or line, per `regex_target`) is allowlisted.
    pub fn allows_secret(&self, secret: &[u8], matched: &[u8], line: &[u8]) -> bool {
        self.allowing(secret, matched, line).is_some()
    }

    /// The entry that allowlists the secret (or match, or line, per `regex_target`).
    pub(crate) fn allowing(&self, secret: &[u8], matched: &[u8], line: &[u8]) -> Option<Entry> {
        let target = match self.target {
            RegexTarget::Secret => secret,
            RegexTarget::Match => matched,
            RegexTarget::Line => line,
        };
        if let Ok(rs) = self.regexes() {
            if let Some(i) = rs.iter().position(|r| r.is_match(target)) {
                return Some(Entry::Regex(i));
            }
        }
        if self.stopwords.is_empty() {
            return None;
        }
        let lower = String::from_utf8_lossy(secret).to_ascii_lowercase();
        self.stopwords
            .iter()
            .position(|w| lower.contains(w.as_str()))
            .map(Entry::Stopword)
    }

    /// The entry, as its TOML says it, for people (`--explain`).
    pub(crate) fn describe(&self, entry: Entry) -> String {
        let target = match self.target {
            RegexTarget::Secret => "secret",
            RegexTarget::Match => "match",
            RegexTarget::Line => "line",
        };
        match entry {
            Entry::Regex(i) => format!(
                "regex {:?} (on the {target})",
                self.regex_sources.get(i).map_or("", String::as_str)
            ),
            Entry::Stopword(i) => format!(
                "stopword {:?}",
                self.stopwords.get(i).map_or("", String::as_str)
            ),
        }
    }
}

/// Which entry of an allowlist accepted a secret (an index into its regexes or stopwords).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entry {
    Regex(usize),
    Stopword(usize),
}

/// Where each inline marker starts in `bytes`, in order.
pub(crate) fn inline_markers(bytes: &[u8]) -> Vec<usize> {
    let mut at: Vec<usize> = INLINE_MARKERS
        .iter()
        .flat_map(|m| memchr::memmem::find_iter(bytes, m.as_bytes()))
        .collect();
    at.sort_unstable();
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_globs_and_stopwords() {
        let spec = AllowlistSpec {
            paths: vec!["**/testdata/**".into(), "*.lock".into()],
            stopwords: vec!["Sample".into()],
            ..AllowlistSpec::default()
        };
        let a = Allowlist::compile(&spec).unwrap_or_default();
        assert!(a.allows_path("src/testdata/key.pem"));
        assert!(a.allows_path("Cargo.lock"));
        assert!(!a.allows_path("src/main.rs"));
        assert!(a.allows_secret(b"mySAMPLEtoken", b"", b""));
        assert!(!a.allows_secret(b"mytoken", b"", b""));
    }

    #[test]
    fn bad_glob_is_named() {
        let spec = AllowlistSpec {
            paths: vec!["a/[".into()],
            ..AllowlistSpec::default()
        };
        let err = Allowlist::compile(&spec).err().unwrap_or_default();
        assert!(err.contains("a/["), "{err}");
    }

    #[test]
    fn deferred_regexes_compile_on_first_use_and_report_errors() {
        let spec = |regex: &str| AllowlistSpec {
            regexes: vec![regex.into()],
            ..AllowlistSpec::default()
        };
        let good = Allowlist::deferred(&spec("^EXAMPLE")).unwrap_or_default();
        assert!(good.regexes.get().is_none());
        assert!(good.allows_secret(b"EXAMPLE123", b"", b""));
        assert!(!good.allows_secret(b"real123", b"", b""));
        let bad = Allowlist::deferred(&spec("a(")).unwrap_or_default();
        assert!(!bad.allows_secret(b"a(", b"", b""));
        let err = bad.check_regexes().err().unwrap_or_default();
        assert!(err.contains("a("), "{err}");
        let err = Allowlist::compile(&spec("a(")).err().unwrap_or_default();
        assert!(err.contains("a("), "{err}");
    }

    fn has_inline_marker(line: &[u8]) -> bool {
        !inline_markers(line).is_empty()
    }

    #[test]
    fn inline_markers_in_a_line() {
        assert!(has_inline_marker(b"key = 'x' # vigil:allow"));
        assert!(has_inline_marker(b"key = 'x' # vigil: allow"));
        assert!(!has_inline_marker(b"key = 'x' # vigil:  allow"));
        assert!(!has_inline_marker(b"key = 'x' # VIGIL:ALLOW"));
        assert!(has_inline_marker(b"key = 'x' // gitleaks:allow"));
        assert!(has_inline_marker(b"key = 'x'  # pragma: allowlist secret"));
        assert!(!has_inline_marker(b"key = 'x'"));
    }
}
