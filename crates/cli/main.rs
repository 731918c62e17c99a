//! The `vigil` command: argument parsing, wording, terminal handling and exit codes;
//! every decision is vigil-core's.
mod args;
mod baseline_cmd;
mod exit;
mod hook_cmd;
mod hook_run;
mod keygen_cmd;
mod migrate_cmd;
mod options;
mod progress;
mod report_cmd;
mod report_out;
mod rules_cmd;
mod scan_cmd;
mod sign_cmd;
mod verify_artifact_cmd;
mod verify_cmd;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match cli.max_input_size() {
        Ok(n) => vigil_core::input::set_max_input_size(n),
        Err(e) => {
            exit::report_error(&e.into());
            return exit::Code::Usage.into();
        }
    }
    let result = match cli.command {
        args::Command::Scan(a) => scan_cmd::run(&a),
        args::Command::Rules(a) => rules_cmd::run(&a),
        args::Command::Baseline(a) => baseline_cmd::run(a),
        args::Command::Migrate(a) => migrate_cmd::run(a),
        args::Command::Keygen(a) => keygen_cmd::run(&a),
        args::Command::Sign(a) => sign_cmd::run(&a),
        args::Command::VerifyArtifact(a) => verify_artifact_cmd::run(&a),
        args::Command::Verify(a) => verify_cmd::run(&a),
        args::Command::Hook(a) => hook_cmd::run(&a),
        args::Command::Report(a) => report_cmd::run(&a),
    };
    match result {
        Ok(code) => code.into(),
        Err(e) => {
            exit::report_error(&e);
            exit::Code::Usage.into()
        }
    }
}
