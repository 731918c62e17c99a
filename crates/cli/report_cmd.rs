//! `vigil report merge`: the reports of a sharded scan made one. Reading, checking and
//! merging are vigil-core's (`report_merge`); this file words the outcome.
use std::path::PathBuf;

use clap::{Args, Subcommand};
use vigil_core::{ReportMerge, ReportMergeError};

use crate::exit::{note, write_ok, Code, Error};

#[derive(Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub command: ReportCommand,
}

#[derive(Subcommand)]
pub enum ReportCommand {
    /// Merge the reports of a sharded scan (`vigil scan --shard K/N`, one per job of a
    /// CI matrix) into the report the unsharded scan writes.
    ///
    /// Give every shard's report once, in any order: vigil JSON, JSON Lines, SARIF or
    /// GitLab reports, all of one format (told from their content); the merged report
    /// is of that format, and equals the unsharded scan's report but for its start and
    /// end times (the earliest start and the latest end of the shards).
    ///
    /// Exit codes: 0 merged, nothing found, 1 merged, with findings, 2 usage error or
    /// reports that cannot be merged (unreadable, malformed, mixed formats, a shard
    /// missing or given twice; nothing written), 3 merged, but a shard's scan was
    /// incomplete.
    Merge(MergeArgs),
}

#[derive(Args)]
pub struct MergeArgs {
    /// Write the merged report to FILE (`-`: stdout, the default). It may not be one of
    /// the reports merged.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The shards' reports.
    #[arg(value_name = "REPORT", required = true)]
    pub reports: Vec<PathBuf>,
}

pub fn run(args: &ReportArgs) -> Result<Code, Error> {
    match &args.command {
        ReportCommand::Merge(a) => merge(a),
    }
}

fn merge(a: &MergeArgs) -> Result<Code, Error> {
    let request = ReportMerge {
        inputs: a.reports.clone(),
        output: a.output.clone().filter(|p| p.as_os_str() != "-"),
    };
    let mut out = std::io::stdout().lock();
    let merged = match request.run(&mut out) {
        Ok(m) => m,
        Err(ReportMergeError::Write { source, .. })
            if request.output.is_none() && source.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            write_ok(Err(source))?;
            return Ok(Code::Clean);
        }
        Err(e) => return Err(e.into()),
    };
    let to = match &request.output {
        Some(p) => format!(" to {}", p.display()),
        None => String::new(),
    };
    note(&format!(
        "merged {} {} reports{to}: {} {}",
        merged.shards,
        merged.format.name(),
        merged.findings,
        if merged.findings == 1 {
            "finding"
        } else {
            "findings"
        }
    ));
    Ok(Code::of(merged.status))
}
