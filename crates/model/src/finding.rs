//! A finding: the secret (never shown whole unless asked), where it is, and why it matters.
use std::{fmt, sync::Arc};

use zeroize::Zeroize;

use crate::{origin::Origin, severity::Severity};

/// Secret bytes: zeroized on drop, never shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Secret {
        Secret(bytes)
    }

    /// The secret itself. Callers print it only when the user asked for `--no-redact`.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The redacted form: a short prefix and an ellipsis; see [`redact`].
    pub fn redacted(&self) -> String {
        redact(&self.0)
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({}, {} bytes)", self.redacted(), self.0.len())
    }
}

/// Keeps a short prefix (enough to tell `ghp_` from `AKIA`, never enough to guess the
/// rest: at most a quarter of the secret and at most 6 bytes) and appends `…`.
pub fn redact(secret: &[u8]) -> String {
    let keep = (secret.len() / 4).min(6);
    let mut prefix = String::from_utf8_lossy(&secret[..keep]).into_owned();
    // A lossy cut can split a multi-byte character; the replacement char is harmless.
    prefix.retain(|c| !c.is_control());
    prefix.push('…');
    prefix
}

/// 1-based line and column (column counts bytes) of a finding's start and end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

/// One leaked secret.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: Arc<str>,
    pub description: Arc<str>,
    pub severity: Severity,
    pub tags: Arc<[String]>,
    pub remediation: Option<Arc<str>>,
    pub remediation_url: Option<Arc<str>>,
    pub origin: Arc<Origin>,
    pub location: Location,
    pub secret: Secret,
    pub entropy: f64,
    /// Encodings unwrapped to reach the secret, outermost first (`base64`, `percent`, `escape`).
    pub decoded: Vec<&'static str>,
    pub fingerprint: String,
}
