//! `vigil migrate gitleaks`: shows how vigil reads a `.gitleaks.toml` and what it cannot
//! translate. `vigil scan --gitleaks-config FILE` (or a `.gitleaks.toml` at the
//! repository root when there is no `.vigil.toml`) applies it.
use std::{io::Write, path::PathBuf};

use clap::{Args, Subcommand};
use vigil_core::{
    migrate::gitleaks::{find_gitleaks_config, GITLEAKS_CONFIG},
    Config,
};
use vigil_secrets::DetectorOptions;

use crate::exit::{write_ok, Code, Error};

#[derive(Args)]
pub struct MigrateArgs {
    #[command(subcommand)]
    pub command: MigrateCommand,
}

#[derive(Subcommand)]
pub enum MigrateCommand {
    /// Read a .gitleaks.toml (and the .gitleaksignore beside it) and say what vigil
    /// makes of it: rules, disabled rules, allowlists, and everything not translated.
    Gitleaks(GitleaksArgs),
}

#[derive(Args)]
pub struct GitleaksArgs {
    /// The gitleaks configuration (default: .gitleaks.toml here, else at the repository root).
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
}

pub fn run(args: MigrateArgs) -> Result<Code, Error> {
    let MigrateCommand::Gitleaks(a) = args.command;
    let cwd = std::env::current_dir()?;
    let here = cwd.join(GITLEAKS_CONFIG);
    let path = match a.file {
        Some(p) => p,
        None if here.is_file() => here,
        None => find_gitleaks_config(&cwd).ok_or(
            "no .gitleaks.toml here or at the repository root; name one: vigil migrate gitleaks FILE",
        )?,
    };
    let config = Config::default().with_gitleaks(&path)?;
    let detector = config.detector(DetectorOptions::default())?;
    let custom: Vec<&str> = config.rules.iter().map(|r| r.id.as_str()).collect();
    let builtin_in_force = detector.rules().len() - custom.len();
    let mut out = std::io::stdout().lock();
    let written = (|| {
        writeln!(out, "{}: read as vigil configuration", path.display())?;
        writeln!(
            out,
            "  rules translated: {}{}",
            custom.len(),
            if custom.is_empty() {
                String::new()
            } else {
                format!(" ({})", custom.join(", "))
            }
        )?;
        writeln!(
            out,
            "  built-in rules in force: {builtin_in_force} ({} disabled)",
            config.disable_rules.len()
        )?;
        let Some(gl) = &config.gitleaks else {
            return Ok(());
        };
        let checks = gl.post_scan_checks();
        if !checks.is_empty() {
            writeln!(out, "  checked after the scan:")?;
            for c in &checks {
                writeln!(out, "    - {c}")?;
            }
        }
        if gl.warnings.is_empty() {
            writeln!(out, "everything was translated")?;
        } else {
            writeln!(
                out,
                "not translated, or translated with a difference ({}):",
                gl.warnings.len()
            )?;
            for w in &gl.warnings {
                writeln!(out, "  - {w}")?;
            }
        }
        Ok(())
    })();
    write_ok(written)?;
    Ok(Code::Clean)
}
