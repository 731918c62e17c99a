//! Allowlists: a rule's own, and the repository's from `.vigil.toml`.
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

/// Comments that suppress every finding on their line. `gitleaks:allow` and
/// `pragma: allowlist secret` (detect-secrets) are honoured for people migrating.
pub const INLINE_MARKERS: &[&str] = &["vigil:allow", "gitleaks:allow", "pragma: allowlist secret"];

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
    regexes: Vec<Regex>,
    target: RegexTarget,
    stopwords: Vec<String>,
}

impl Allowlist {
    /// Compiles `spec`; the error names the glob or regex at fault.
    pub fn compile(spec: &AllowlistSpec) -> Result<Allowlist, String> {
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
        let regexes = spec
            .regexes
            .iter()
            .map(|r| {
                RegexBuilder::new(r)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| format!("regex {r:?}: {e}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Allowlist {
            paths,
            regexes,
            target: spec.regex_target,
            stopwords: spec
                .stopwords
                .iter()
                .map(|s| s.to_ascii_lowercase())
                .collect(),
        })
    }

    /// True when `path` is allowlisted as a whole.
    pub fn allows_path(&self, path: &str) -> bool {
        self.paths
            .as_ref()
            .is_some_and(|g| g.is_match(path) || g.is_match(path.trim_start_matches("./")))
    }

    /// True when the secret (or match, or line, per `regex_target`) is allowlisted.
    pub fn allows_secret(&self, secret: &[u8], matched: &[u8], line: &[u8]) -> bool {
        let target = match self.target {
            RegexTarget::Secret => secret,
            RegexTarget::Match => matched,
            RegexTarget::Line => line,
        };
        if self.regexes.iter().any(|r| r.is_match(target)) {
            return true;
        }
        if self.stopwords.is_empty() {
            return false;
        }
        let lower = String::from_utf8_lossy(secret).to_ascii_lowercase();
        self.stopwords.iter().any(|w| lower.contains(w.as_str()))
    }
}

/// True when `line` carries an inline suppression comment.
pub fn has_inline_marker(line: &[u8]) -> bool {
    INLINE_MARKERS
        .iter()
        .any(|m| memchr::memmem::find(line, m.as_bytes()).is_some())
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
    fn inline_markers() {
        assert!(has_inline_marker(b"key = 'x' # vigil:allow"));
        assert!(has_inline_marker(b"key = 'x' // gitleaks:allow"));
        assert!(has_inline_marker(b"key = 'x'  # pragma: allowlist secret"));
        assert!(!has_inline_marker(b"key = 'x'"));
    }
}
