//! A way in for people coming from other scanners.
//!
//! - [`gitleaks`]: reads a `.gitleaks.toml` as it is (rules, `[extend]`, allowlists and
//!   their conditions) and a `.gitleaksignore`, into vigil's configuration plus the
//!   filters vigil's own schema cannot hold, which [`crate::suppress::gitleaks`] applies
//!   to findings after the scan.
//! - [`import`]: turns a gitleaks JSON report, a `.gitleaksignore` or a detect-secrets
//!   `.secrets.baseline` into vigil baseline entries, by matching their entries to the
//!   findings of a fresh scan (a vigil fingerprint needs vigil's rule id and the secret).
//!
//! Whatever cannot be translated is said, never dropped silently: each translation
//! returns a list of warnings.
mod describe;
pub mod gitleaks;
pub mod import;

pub use describe::{describe_gitleaks, GitleaksMigration, MigrateError};
