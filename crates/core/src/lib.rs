//! The facade the front-ends call: configuration loading and the scan pipeline.
pub mod baseline;
pub mod config;
pub mod git_scan;
pub mod migrate;
pub mod release;
pub mod scan;
mod size;
pub mod suppress;
pub mod verify;

pub use config::{find_config, Config, ConfigError, CONFIG_FILE};
pub use git_scan::scan_changes;
pub use scan::{
    scan_paths, scan_reader, ScanError, ScanOptions, ScanOutcome, ScanStats, DEFAULT_MAX_FILE_SIZE,
};
pub use size::parse_size;
