//! Report formats. Each module writes findings to any `io::Write`; none prints on its
//! own, and none shows a secret unless [`Redaction::Off`] was asked for.
//!
//! Modules import one way, so no two import each other:
//! - leaves, which import no format: [`Report`] and [`ScanInfo`] (`report`), the
//!   rendering [`Options`] (`options`), [`utc_timestamp`] (`time`), the unit a finding
//!   belongs to (`units`), the JSON records of findings and verdicts (`records`) and
//!   the neutralising of control characters in text from commits (`text`);
//! - the format modules ([`human`], [`json`], [`jsonl`], [`sarif`], [`gitlab`],
//!   [`github`], [`junit`], [`verdict`]), which import only leaves;
//! - [`Format`] (`format`), the one dispatcher, which imports the formats.
mod format;
mod options;
mod records;
mod report;
mod text;
mod time;
mod units;

pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod jsonl;
pub mod junit;
pub mod sarif;
pub mod verdict;

pub use format::Format;
pub use options::{Options, Redaction};
pub use report::{Report, RuleInfo, ScanInfo, Scanned};
pub use time::utc_timestamp;
pub use units::Target;
