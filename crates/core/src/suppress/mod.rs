//! The suppression stage: what drops findings after the scan, before they are reported.
//!
//! - [`gitleaks`]: the part of a `.gitleaks.toml` that vigil's own configuration cannot
//!   hold (rule paths, allowlists with gitleaks' semantics) and the `.gitleaksignore`
//!   beside it; [`crate::migrate::gitleaks`] reads both files into it.
pub mod gitleaks;
