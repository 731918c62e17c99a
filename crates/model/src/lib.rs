//! The types that cross vigil's crate lines, with no heavy dependencies: where content
//! came from ([`Origin`], [`CommitInfo`]), a leaked secret ([`Finding`], [`Secret`],
//! [`Location`], [`Severity`]), a signature verification verdict ([`ObjectVerdict`]), and
//! how any command ended ([`Status`]).
//!
//! The engine crates produce them (`vigil-git` commit info, `vigil-secrets` findings,
//! `vigil-core` verdicts) and `vigil-report` writes them, so none of those crates needs
//! another just for its types.
mod excerpt;
mod finding;
mod origin;
mod release_check;
mod severity;
mod status;
mod verdict;

pub use excerpt::{excerpt, line_column, line_excerpt, sanitize, BINARY_LINE, EXCERPT_CHARS};
pub use finding::{redact, Finding, Location, Secret};
pub use origin::{CommitInfo, Origin};
pub use release_check::{Check, CheckStatus, VerifyReport};
pub use severity::{FailOn, Severity};
pub use status::Status;
pub use verdict::{ObjectVerdict, TimeBasis, Verdict, VerifySummary};
