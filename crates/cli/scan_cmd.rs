//! `vigil scan`: folders, files and stdin.
use std::{
    io::{IsTerminal, Write},
    path::{Path, PathBuf},
};

use vigil_core::{parse_size, scan_paths, scan_reader, ScanOptions, ScanOutcome, ScanStats};
use vigil_report::{human, json, Redaction};
use vigil_secrets::DetectorOptions;

use crate::{
    args::{ColorChoice, Format, ScanArgs},
    exit::{note, write_ok, Code, Error},
};

pub fn run(args: &ScanArgs) -> Result<Code, Error> {
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    if stdin && args.paths.len() > 1 {
        return Err("`-` (stdin) cannot be combined with other paths".into());
    }
    let paths: Vec<PathBuf> = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let start = if stdin {
        std::env::current_dir()?
    } else {
        paths[0].clone()
    };
    let config = crate::load_config(&args.config, &start)?;
    let max_file_size = match &args.max_file_size {
        Some(s) => parse_size(s).map_err(|m| format!("--max-file-size: {m}"))?,
        None => config
            .max_file_size
            .unwrap_or(vigil_core::scan::DEFAULT_MAX_FILE_SIZE),
    };
    let detector = config.detector(DetectorOptions {
        max_decode_depth: args.decode_depth,
        ..DetectorOptions::default()
    })?;
    let options = ScanOptions {
        max_file_size,
        threads: args.threads,
        gitignore: args.gitignore || config.gitignore.unwrap_or(false),
        allowlist_root: config.root().map(Path::to_path_buf),
        config_file: config.path,
    };
    let outcome = if stdin {
        scan_reader(&detector, std::io::stdin().lock(), &args.stdin_name)?
    } else {
        scan_paths(&detector, &paths, &options)?
    };
    write_report(args, &outcome)?;
    summarize(&outcome, max_file_size);
    Ok(if !outcome.findings.is_empty() {
        Code::Findings
    } else if !outcome.errors.is_empty() {
        Code::Incomplete
    } else {
        Code::Clean
    })
}

fn write_report(args: &ScanArgs, outcome: &ScanOutcome) -> Result<(), Error> {
    let redaction = if args.no_redact {
        Redaction::Off
    } else {
        Redaction::On
    };
    let stdout = std::io::stdout();
    let color = match args.color {
        ColorChoice::Always => human::Color::On,
        ColorChoice::Never => human::Color::Off,
        ColorChoice::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            if stdout.is_terminal() && !no_color {
                human::Color::On
            } else {
                human::Color::Off
            }
        }
    };
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match args.format {
        Format::Human => human::write(&mut out, &outcome.findings, redaction, color),
        Format::Json => json::write(&mut out, &outcome.findings, redaction),
    };
    write_ok(written.and_then(|()| out.flush()))
}

/// One line on stderr saying what was scanned and what was not, then any read errors.
fn summarize(outcome: &ScanOutcome, max_file_size: u64) {
    let ScanStats {
        files,
        bytes,
        skipped_binary,
        skipped_large,
        skipped_allowlisted,
        elapsed,
    } = outcome.stats;
    let secs = elapsed.as_secs_f64();
    let mb = bytes as f64 / 1e6;
    let mut line = format!(
        "scanned {files} file{} ({mb:.1} MB) in {secs:.2} s",
        if files == 1 { "" } else { "s" }
    );
    let mut skipped = Vec::new();
    if skipped_binary > 0 {
        skipped.push(format!("{skipped_binary} binary"));
    }
    if skipped_large > 0 {
        skipped.push(format!(
            "{skipped_large} larger than {}",
            human_size(max_file_size)
        ));
    }
    if skipped_allowlisted > 0 {
        skipped.push(format!("{skipped_allowlisted} allowlisted"));
    }
    if !skipped.is_empty() {
        line.push_str(&format!("; skipped {}", skipped.join(", ")));
    }
    line.push_str(&format!(
        "; {} finding{}",
        outcome.findings.len(),
        if outcome.findings.len() == 1 { "" } else { "s" }
    ));
    note(&line);
    for e in &outcome.errors {
        note(&format!("error: {e}"));
    }
    if !outcome.errors.is_empty() {
        note(&format!(
            "scan incomplete: {} item{} could not be read (exit code 3 unless there are findings)",
            outcome.errors.len(),
            if outcome.errors.len() == 1 { "" } else { "s" }
        ));
    }
}

fn human_size(n: u64) -> String {
    match n {
        n if n >= 1 << 30 && n % (1 << 30) == 0 => format!("{} GiB", n >> 30),
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{} KiB", n >> 10),
        n => format!("{n} bytes"),
    }
}
