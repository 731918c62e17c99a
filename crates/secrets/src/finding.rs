//! A finding's fingerprint: its identity in baselines and reports.
//!
//! The fingerprint hashes the rule, a hash of the secret and the path (no line number,
//! so it survives lines moving). Unkeyed, it is a public function of the secret: anyone
//! holding a published fingerprint (a committed baseline, an uploaded SARIF file) and
//! the path could test guesses of a weak password against it. With a repository's
//! fingerprint key (`[scan] fingerprint_key` in `.vigil.toml`) the hash is keyed, so a
//! fingerprint tells nothing to whoever does not have the repository, and stays stable
//! across clones, branches and machines of that repository.
use sha2::{Digest, Sha256};

/// A repository's fingerprint key: 32 bytes, from `[scan] fingerprint_key`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct FingerprintKey(pub [u8; 32]);

impl std::fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FingerprintKey(..)")
    }
}

/// Content-addressed identity of a finding: rule, secret and path; no line number, so
/// a finding keeps its fingerprint when lines move. Hex of SHA-256, 32 characters;
/// keyed with `key` when the repository has one.
pub fn fingerprint(rule: &str, secret: &[u8], path: &str) -> String {
    keyed_fingerprint(None, rule, secret, path)
}

/// [`fingerprint`], keyed with `key` when there is one.
pub fn keyed_fingerprint(
    key: Option<&FingerprintKey>,
    rule: &str,
    secret: &[u8],
    path: &str,
) -> String {
    let mut h = Sha256::new();
    if let Some(k) = key {
        // Keyed: the key first, with a label no unkeyed input can start with (rule ids
        // are printable), so keyed and unkeyed fingerprints never coincide.
        h.update(b"\0vigil-fingerprint-key\0");
        h.update(k.0);
    }
    h.update(rule.as_bytes());
    h.update([0]);
    h.update(Sha256::digest(secret));
    h.update([0]);
    h.update(path.as_bytes());
    let digest = h.finalize();
    let mut out = String::with_capacity(32);
    for b in &digest[..16] {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_changes_every_fingerprint_and_keeps_it_stable() {
        let plain = fingerprint("r", b"hunter2", "a.env");
        assert_eq!(plain, keyed_fingerprint(None, "r", b"hunter2", "a.env"));
        let k1 = FingerprintKey([1; 32]);
        let k2 = FingerprintKey([2; 32]);
        let a = keyed_fingerprint(Some(&k1), "r", b"hunter2", "a.env");
        assert_ne!(a, plain);
        assert_eq!(a, keyed_fingerprint(Some(&k1), "r", b"hunter2", "a.env"));
        assert_ne!(a, keyed_fingerprint(Some(&k2), "r", b"hunter2", "a.env"));
        assert_eq!(a.len(), 32);
    }
}
