//! vigil's secret-detection engine.
//!
//! Content arrives as [`Fragment`]s (a file, stdin, or — from the git crate — the lines
//! a commit adds). A [`Detector`] holds compiled [`Rule`]s: one Aho-Corasick pass over
//! every rule keyword picks the candidate rules, only their regexes run, and each
//! match goes through secret extraction, entropy, validators and filters before it
//! becomes a [`Finding`]. A bounded decoding pass looks inside base64, percent-encoded
//! and backslash-escaped text.

mod allowlist;
mod builtin;
mod comment;
mod decode;
mod detector;
mod entropy;
mod explain;
mod filter;
mod finding;
mod fragment;
mod joined;
mod keywords;
mod reach;
mod required;
mod rule;
mod validate;

pub use allowlist::{Allowlist, AllowlistSpec, INLINE_MARKERS};
pub use builtin::{builtin_rule_specs, BUILTIN_RULE_FILES};
pub use detector::{Detector, DetectorOptions};
pub use entropy::shannon_entropy;
pub use explain::{DropReason, Dropped};
pub use filter::BUILTIN_FILTERS_TOML;
pub use finding::{fingerprint, keyed_fingerprint, FingerprintKey};
pub use fragment::Fragment;
pub use reach::Reach;
pub use rule::{load_rule_file, Rule, RuleError, RuleSpec, Validator};
pub use validate::github_checksum_of;
