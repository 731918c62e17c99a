//! One integration-test binary that drives the real `vigil` executable.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod archives;
mod baseline;
mod complete;
mod corpus;
mod encodings;
mod explain;
mod git;
mod harness;
#[cfg(unix)]
mod hooks;
mod hostile;
#[cfg(unix)]
mod hostile_input;
mod malformed;
mod memory;
mod merge;
mod migration;
mod reports;
#[cfg(unix)]
mod resume;
mod robustness;
mod scan;
mod signing;
mod suppression;
mod verify;
mod verify_tags;
