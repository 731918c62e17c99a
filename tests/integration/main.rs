//! One integration-test binary that drives the real `vigil` executable.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod corpus;
mod harness;
mod robustness;
mod scan;
mod suppression;
