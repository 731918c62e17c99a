//! Command-line arguments.
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "vigil",
    version,
    about = "Continuous security for software delivery pipelines"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Scan folders, files or stdin (`-`) for leaked credentials.
    ///
    /// Exit codes: 0 nothing found, 1 findings, 2 usage or configuration error,
    /// 3 incomplete (something could not be read).
    Scan(ScanArgs),
    /// List the rules in force (built-in and from .vigil.toml).
    Rules(RulesArgs),
}

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

#[derive(Args)]
pub struct ScanArgs {
    /// Folders and files to scan; `-` reads stdin. Default: the current folder.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Show whole secrets in the report instead of a short prefix.
    #[arg(long)]
    pub no_redact: bool,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Skip files larger than this (e.g. 500k, 10MiB). Default 10MiB, or [scan] max_file_size.
    #[arg(long, value_name = "SIZE")]
    pub max_file_size: Option<String>,
    /// Honour .gitignore files while walking folders (off by default: ignored files such as .env hold secrets).
    #[arg(long)]
    pub gitignore: bool,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// How many layers of base64, percent-encoding and escapes to look through (0 turns decoding off).
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub decode_depth: u8,
    /// Path to report for stdin, so path-based allowlists apply to it.
    #[arg(long, value_name = "NAME", default_value = "-")]
    pub stdin_name: String,
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

#[derive(Args)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    #[command(flatten)]
    pub config: ConfigArgs,
}
