//! The `vigil` command: argument parsing, output and exit codes; no logic of its own.
mod args;
mod baseline_cmd;
mod exit;
mod keygen_cmd;
mod migrate_cmd;
mod progress;
mod report_out;
mod rules_cmd;
mod scan_cmd;
mod sign_cmd;
mod verify_artifact_cmd;
mod verify_cmd;

use std::{path::Path, process::ExitCode};

use clap::Parser;
use vigil_core::{find_config, Config};

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let result = match cli.command {
        args::Command::Scan(a) => scan_cmd::run(&a),
        args::Command::Rules(a) => rules_cmd::run(&a),
        args::Command::Baseline(a) => baseline_cmd::run(a),
        args::Command::Migrate(a) => migrate_cmd::run(a),
        args::Command::Keygen(a) => keygen_cmd::run(&a),
        args::Command::Sign(a) => sign_cmd::run(&a),
        args::Command::VerifyArtifact(a) => verify_artifact_cmd::run(&a),
        args::Command::Verify(a) => verify_cmd::run(&a),
    };
    match result {
        Ok(code) => code.into(),
        Err(e) => {
            exit::report_error(&e);
            exit::Code::Usage.into()
        }
    }
}

/// The configuration the user named, or the `.vigil.toml` found from `start`, or none;
/// plus a `.gitleaks.toml`: the one named, or the one at the repository root when
/// there is no `.vigil.toml`.
fn load_config(args: &args::ConfigArgs, start: &Path) -> Result<Config, exit::Error> {
    if args.no_config {
        return Ok(Config::default());
    }
    let vigil = args.config.clone().or_else(|| find_config(start));
    let gitleaks = args.gitleaks_config.clone().or_else(|| {
        vigil
            .is_none()
            .then(|| vigil_core::migrate::gitleaks::find_gitleaks_config(start))
            .flatten()
    });
    let mut config = match vigil {
        Some(path) => Config::load(&path)?,
        None => Config::default(),
    };
    if let Some(path) = gitleaks {
        config = config.with_gitleaks(&path)?;
        if let Some(gl) = &config.gitleaks {
            for w in &gl.warnings {
                exit::note(&format!("{}: {w}", path.display()));
            }
        }
    }
    Ok(config)
}
