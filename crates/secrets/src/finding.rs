//! A finding's fingerprint: its identity in baselines and reports.
use sha2::{Digest, Sha256};

/// Content-addressed identity of a finding: rule, secret and path; no line number, so
/// a finding keeps its fingerprint when lines move. Hex of SHA-256, 32 characters.
pub fn fingerprint(rule: &str, secret: &[u8], path: &str) -> String {
    let mut h = Sha256::new();
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
