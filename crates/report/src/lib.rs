//! Report formats. Each module writes a [`Report`] (findings, and signature
//! verification verdicts when there are any) to any `io::Write`; none prints on its
//! own, and none shows a secret unless [`Redaction::Off`] was asked for. Text that
//! came from commits (reasons, addresses, refs) goes through each format's escaping:
//! JSON escapes C0 controls (ESC is `\u001b`), XML makes them character references or
//! U+FFFD, and GitHub commands and Markdown replace every control character but line
//! breaks, which they escape, with U+FFFD.
//!
//! Verdicts appear in SARIF (results `signature/<verdict>`), JUnit (a `signatures`
//! suite), JSON Lines (`verdict` lines), GitHub workflow commands (`::error`) and the
//! Markdown summary (a `Signatures` section). The human and JSON scan reports and
//! GitLab's secret detection report write findings only; `vigil verify` writes verdicts
//! with [`verdict`].
//!
//! Modules import one way, so no two import each other:
//! - leaves, which import no format: [`Report`] and [`ScanInfo`] (`report`), the
//!   rendering [`Options`] (`options`), [`utc_timestamp`] (`time`), the unit a finding
//!   belongs to (`units`), the order findings are listed in ([`finding_order`],
//!   `order`), the JSON records of findings and verdicts (`records`) and the
//!   neutralising of control characters in text from commits (`text`);
//! - the format modules ([`human`], [`json`], [`jsonl`], [`sarif`], [`gitlab`],
//!   [`github`], [`junit`], [`verdict`]), which import only leaves;
//! - [`Format`] (`format`), the one dispatcher, which imports the formats;
//! - [`merge`], which reads reports back (`vigil report merge`) and imports the
//!   dispatcher, formats and leaves; nothing imports it.
mod format;
mod options;
mod order;
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
pub mod merge;
pub mod release;
pub mod sarif;
pub mod verdict;

pub use format::Format;
pub use options::{Options, Redaction};
pub use order::compare as finding_order;
pub use report::{Report, RuleInfo, ScanInfo, Scanned, Shard};
pub use text::printable_line;
pub use time::utc_timestamp;
pub use units::Target;
