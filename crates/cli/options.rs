//! Options several commands share: where the configuration comes from, the output
//! format of the simpler reports, and colour.
use std::{io::IsTerminal, path::PathBuf};

use clap::{Args, ValueEnum};
use vigil_core::{report::human::Color, ConfigSource};

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Where the configuration comes from.
#[derive(Args)]
pub struct ConfigArgs {
    /// Use this configuration file instead of looking for .vigil.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore any .vigil.toml.
    #[arg(long)]
    pub no_config: bool,
}

/// Where the configuration of a scan comes from: a gitleaks configuration acts on rules
/// and findings, so only the commands that scan or list rules take it.
#[derive(Args)]
pub struct ScanConfigArgs {
    #[command(flatten)]
    pub base: ConfigArgs,
    /// Also read this gitleaks configuration (rules, [extend], allowlists) and the
    /// .gitleaksignore beside it. Without it, a .gitleaks.toml at the repository root is
    /// read when there is no .vigil.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub gitleaks_config: Option<PathBuf>,
}

impl ScanConfigArgs {
    pub fn source(&self) -> ConfigSource {
        ConfigSource {
            gitleaks_config: self.gitleaks_config.clone(),
            ..self.base.source()
        }
    }
}

impl ConfigArgs {
    pub fn source(&self) -> ConfigSource {
        ConfigSource {
            config: self.config.clone(),
            no_config: self.no_config,
            gitleaks_config: None,
        }
    }
}

impl ColorChoice {
    /// Colour on stdout: `auto` means on for a terminal, unless `NO_COLOR` is set.
    pub fn for_stdout(self) -> Color {
        match self {
            ColorChoice::Always => Color::On,
            ColorChoice::Never => Color::Off,
            ColorChoice::Auto => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                if std::io::stdout().is_terminal() && !no_color {
                    Color::On
                } else {
                    Color::Off
                }
            }
        }
    }
}
