//! `vigil migrate gitleaks`: shows how vigil reads a `.gitleaks.toml` and what it cannot
//! translate. `vigil scan --gitleaks-config FILE` (or a `.gitleaks.toml` at the
//! repository root when there is no `.vigil.toml`) applies it.
use std::{io::Write, path::PathBuf};

use clap::{Args, Subcommand};
use vigil_core::{
    migrate::describe_gitleaks,
    report::{printable, printable_message},
};

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
    let m = describe_gitleaks(a.file.as_deref(), &std::env::current_dir()?)?;
    let mut out = std::io::stdout().lock();
    let written = (|| {
        writeln!(
            out,
            "{}: read as vigil configuration",
            printable(&m.path.display().to_string())
        )?;
        writeln!(
            out,
            "  rules translated: {}{}",
            m.translated.len(),
            if m.translated.is_empty() {
                String::new()
            } else {
                format!(
                    " ({})",
                    m.translated
                        .iter()
                        .map(|t| printable(t))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        )?;
        writeln!(
            out,
            "  built-in rules in force: {} ({} disabled)",
            m.builtin_in_force, m.disabled
        )?;
        if !m.in_scan_checks.is_empty() {
            writeln!(out, "  checked in the scan:")?;
            for c in &m.in_scan_checks {
                writeln!(out, "    - {c}")?;
            }
        }
        if !m.post_scan_checks.is_empty() {
            writeln!(out, "  checked after the scan:")?;
            for c in &m.post_scan_checks {
                writeln!(out, "    - {}", printable_message(c))?;
            }
        }
        if m.warnings.is_empty() {
            writeln!(out, "everything was translated")?;
        } else {
            writeln!(
                out,
                "not translated, or translated with a difference ({}):",
                m.warnings.len()
            )?;
            for w in &m.warnings {
                writeln!(out, "  - {}", printable_message(w))?;
            }
        }
        Ok(())
    })();
    write_ok(written)?;
    Ok(Code::Clean)
}
