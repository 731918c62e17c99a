//! vigil's one door: every front-end (the CLI, the git hooks, the CI doors, a program
//! embedding vigil) makes one call here with a request and gets an outcome back, so all
//! of them give the same verdict for the same input.
//!
//! - scan: [`ScanRequest`] -> [`ScanRun`] (findings after [`suppress`]ion, with a [`Status`]);
//! - verify: [`verify::VerifyCommand`] -> verdicts per commit and tag under the trust policy;
//! - sign and check releases: [`release`];
//! - configuration: [`ConfigSource`] finds and loads `.vigil.toml` / `.gitleaks.toml`;
//! - baselines: [`baseline`];
//! - the reports of a sharded scan made one: [`report_merge`];
//! - what a hook or CI job should scan or verify: [`resolve`].
//! - git hooks: [`hooks`] installs and removes the shims that run `vigil hook`.
//!
//! The engine crates are re-exported for the types a caller needs.
pub mod archive;
pub mod baseline;
pub mod baseline_file;
pub mod checkpoint;
pub mod config;
pub mod config_source;
pub mod git_scan;
pub mod hooks;
pub mod input;
pub mod migrate;
mod range;
pub mod release;
mod report_file;
pub mod report_merge;
pub mod resolve;
pub mod rules;
pub mod scan;
pub mod scan_request;
pub mod since_last_scan;
mod size;
pub mod suppress;
mod text;
pub mod verify;

pub use config::{Config, ConfigError, CONFIG_FILE};
pub use config_source::{find_config, ConfigSource, LoadedConfig};
pub use git_scan::scan_changes;
pub use report_file::write_report_file;
pub use report_merge::{MergeOutcome, ReportMerge, ReportMergeError};
pub use scan::{
    scan_paths, scan_reader, ScanError, ScanOptions, ScanOutcome, ScanStats, DEFAULT_MAX_FILE_SIZE,
};
pub use scan_request::{
    BaselineChoice, GitSource, NoProgress, PreparedScan, Progress, ScanRequest, ScanRequestError,
    ScanResult, ScanRun, Source,
};
pub use size::parse_size;
pub use vigil_model::{FailOn, Status};
pub use vigil_secrets::{fingerprint, DropReason, Dropped};
pub use {vigil_model as model, vigil_report as report};
