//! The `vigil` command: argument parsing, output and exit codes; no logic of its own.
mod args;
mod exit;
mod rules_cmd;
mod scan_cmd;

use std::{path::Path, process::ExitCode};

use clap::Parser;
use vigil_core::{find_config, Config};

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let result = match cli.command {
        args::Command::Scan(a) => scan_cmd::run(&a),
        args::Command::Rules(a) => rules_cmd::run(&a),
    };
    match result {
        Ok(code) => code.into(),
        Err(e) => {
            exit::report_error(&e);
            exit::Code::Usage.into()
        }
    }
}

/// The configuration the user named, or the `.vigil.toml` found from `start`, or none.
fn load_config(args: &args::ConfigArgs, start: &Path) -> Result<Config, exit::Error> {
    if args.no_config {
        return Ok(Config::default());
    }
    match args.config.clone().or_else(|| find_config(start)) {
        Some(path) => Ok(Config::load(&path)?),
        None => Ok(Config::default()),
    }
}
