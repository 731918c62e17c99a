//! Report formats. Each module writes findings to any `io::Write`; none prints on its
//! own, and none shows a secret unless [`Redaction::Off`] was asked for.
pub mod github;
pub mod gitlab;
pub mod human;
mod info;
pub mod json;
pub mod jsonl;
pub mod junit;
pub mod release;
pub mod sarif;
pub mod verdict;

pub use info::{utc_timestamp, Format, Options, Report, RuleInfo, ScanInfo, Scanned, Target};

/// Whether reports show secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redaction {
    /// Keep a short prefix and the length (the default everywhere).
    On,
    /// Show the whole secret (`--no-redact`).
    Off,
}

impl Redaction {
    pub fn show(self, secret: &vigil_model::Secret) -> String {
        match self {
            Redaction::On => secret.redacted(),
            Redaction::Off => String::from_utf8_lossy(secret.expose()).into_owned(),
        }
    }
}
