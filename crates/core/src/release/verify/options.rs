//! What a release is verified against: where it is, the keys, what it must say about
//! itself, and when a value found in it meets the one expected.
use std::path::PathBuf;

use vigil_signature::{
    allowed_signers::{AllowedSigners, RevokedKeys},
    sshkey::SshPublicKey,
    PublicKey,
};

use crate::release::LOCAL_BUILDER_ID;

/// The keys a release is checked against; at least one is needed.
#[derive(Debug, Clone, Default)]
pub struct VerifyKeys {
    pub minisign: Option<PublicKey>,
    pub ssh: Option<SshPublicKey>,
    /// Instead of `ssh`: who may sign, as `ssh-keygen -Y verify` reads it.
    pub ssh_signers: Option<SshSigners>,
}

/// An allowed_signers file and the principal `SHA256SUMS.sig` must be from, and the
/// revoked keys: `ssh-keygen -Y verify -f FILE -I PRINCIPAL -n file [-r REVOKED]`.
#[derive(Debug, Clone)]
pub struct SshSigners {
    pub allowed: AllowedSigners,
    pub principal: String,
    pub revoked: Option<RevokedKeys>,
}

/// What the release must say about itself.
#[derive(Debug, Clone, Default)]
pub struct Expectations {
    pub tag: Option<String>,
    /// Full commit id, or a prefix of at least 7 hex digits.
    pub commit: Option<String>,
    pub repository: Option<String>,
    /// Exact builder id, a prefix ending in `*`, or `local`.
    pub builder: Option<String>,
    /// Seconds.
    pub max_age: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// The folder holding SHA256SUMS and the artifacts.
    pub dir: PathBuf,
    /// Artifacts to check; empty: every entry of SHA256SUMS.
    pub artifacts: Vec<PathBuf>,
    pub keys: VerifyKeys,
    pub expect: Expectations,
    pub require_provenance: bool,
    /// Require `NAME.minisig` for every artifact (otherwise checked when present).
    pub require_per_file: bool,
    /// Unix time now (for `max_age`).
    pub now: u64,
    pub threads: usize,
}

/// `found` is the commit `expected` names: the same id, or a prefix of it of at least
/// 7 hex digits (case-insensitive).
pub(super) fn commit_matches(expected: &str, found: &str) -> bool {
    let (e, f) = (expected.to_ascii_lowercase(), found.to_ascii_lowercase());
    e == f || (e.len() >= 7 && e.bytes().all(|b| b.is_ascii_hexdigit()) && f.starts_with(&e))
}

/// `found` is the builder `expected` names: `local` (vigil's own), a prefix ending in
/// `*`, or the exact id.
pub(super) fn builder_matches(expected: &str, found: &str) -> bool {
    if expected == "local" {
        return found == LOCAL_BUILDER_ID;
    }
    match expected.strip_suffix('*') {
        Some(prefix) => found.starts_with(prefix),
        None => found == expected,
    }
}

/// `found` (a URI, maybe with an `@ref`) is repository `expected` (a trailing `/` aside).
pub(super) fn repository_matches(expected: &str, found: &str) -> bool {
    let e = expected.trim_end_matches('/');
    found
        .strip_prefix(e)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('@'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matchers() {
        assert!(commit_matches("ABCDEF1", "abcdef1234"));
        assert!(!commit_matches("abc", "abcdef1234"));
        assert!(builder_matches(
            "https://x/wf.yml@*",
            "https://x/wf.yml@refs/tags/v1"
        ));
        assert!(!builder_matches(
            "https://x/wf.yml",
            "https://x/wf.yml@refs/tags/v1"
        ));
        assert!(builder_matches("local", LOCAL_BUILDER_ID));
        assert!(repository_matches(
            "https://g/a/b/",
            "https://g/a/b@refs/tags/v1"
        ));
        assert!(!repository_matches("https://g/a/b", "https://g/a/bc@x"));
    }
}
