//! The facade the front-ends call: configuration loading and the scan pipeline.
pub mod config;
pub mod scan;
mod size;

pub use config::{find_config, Config, ConfigError, CONFIG_FILE};
pub use scan::{
    scan_paths, scan_reader, ScanError, ScanOptions, ScanOutcome, ScanStats, DEFAULT_MAX_FILE_SIZE,
};
pub use size::parse_size;
