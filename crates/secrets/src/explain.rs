//! `--explain`: why a candidate that a rule matched was dropped.
//!
//! The detector records these only when [`crate::DetectorOptions::explain`] is on; with
//! it off, a dropped match costs nothing more than before.
use std::fmt;

use vigil_model::Finding;

use crate::rule::Validator;

/// Why a candidate was not reported.
#[derive(Debug, Clone, PartialEq)]
pub enum DropReason {
    /// Its Shannon entropy is below the rule's threshold.
    LowEntropy { entropy: f64, threshold: f64 },
    /// A structural check of the rule failed.
    Validator(Validator),
    /// It reads as a placeholder, an example or a template.
    Placeholder,
    /// It is a value a provider publishes as an example; the page that shows it.
    VendorExample(&'static str),
    /// A filter of the generic rules took it for something other than a credential.
    GenericFilter(&'static str),
    /// An allowlist entry of the rule accepts it.
    RuleAllowlist(String),
    /// An entry of the repository allowlist (`.vigil.toml`) accepts it.
    Allowlist(String),
    /// Its line carries an inline allow marker (`vigil:allow`, `gitleaks:allow`…).
    InlineMarker,
    /// Dropped after the scan: by a `.gitleaks.toml`'s filters or by a baseline.
    Suppressed(String),
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DropReason::LowEntropy { entropy, threshold } => write!(
                f,
                "entropy {:.2} is below the rule's threshold {threshold:.2}",
                entropy + 0.0
            ),
            DropReason::Validator(v) => write!(f, "validator failed: {}", v.describe()),
            DropReason::Placeholder => f.write_str("placeholder or example value"),
            DropReason::VendorExample(source) => {
                write!(f, "an example value the provider publishes ({source})")
            }
            DropReason::GenericFilter(which) => write!(f, "generic-rule filter: {which}"),
            DropReason::RuleAllowlist(entry) => write!(f, "the rule's allowlist: {entry}"),
            DropReason::Allowlist(entry) => write!(f, "allowlist in .vigil.toml: {entry}"),
            DropReason::InlineMarker => f.write_str("inline allow marker on its line"),
            DropReason::Suppressed(why) => f.write_str(why),
        }
    }
}

impl Validator {
    /// What the check verifies, for people.
    pub fn describe(self) -> &'static str {
        match self {
            Validator::GithubChecksum => {
                "checksum (CRC32 of the token body does not match its last 6 characters)"
            }
            Validator::Jwt => "JWT structure (header with `alg` and a JSON payload)",
            Validator::Pem => "PEM structure (the key body does not decode)",
            Validator::Base64Credentials => "base64 credentials (does not decode to user:password)",
        }
    }
}

/// A candidate that was dropped: where, which rule, the secret (redacted when shown),
/// and why. `finding` holds what a finding would have held.
#[derive(Debug, Clone)]
pub struct Dropped {
    pub finding: Finding,
    pub reason: DropReason,
}
