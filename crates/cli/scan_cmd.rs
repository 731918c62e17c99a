//! `vigil scan`: folders, files and stdin.
use std::path::{Path, PathBuf};

use vigil_core::{
    parse_size, scan_changes, scan_paths, scan_reader, ScanOptions, ScanOutcome, ScanStats,
};
use vigil_git::{GitError, RangeSpec, Repo, Shard};
use vigil_secrets::{Detector, DetectorOptions};

use crate::{
    args::ScanArgs,
    exit::{note, Code, Error},
    progress::Progress,
};

pub fn run(args: &ScanArgs) -> Result<Code, Error> {
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    if stdin && args.paths.len() > 1 {
        return Err("`-` (stdin) cannot be combined with other paths".into());
    }
    if args.git.any() && (stdin || args.paths.len() > 1) {
        return Err("git sources (--staged, --range, --since, --history) take at most one PATH: the repository".into());
    }
    if args.shard.is_some()
        && !(args.git.range.is_some() || args.git.since.is_some() || args.git.history)
    {
        return Err("--shard splits a --range, --since or --history scan".into());
    }
    if args.threads > 0 {
        // Every parallel part of a scan (rule compilation, git reads, tree diffs) uses
        // rayon's global pool, so `-j` sizes it; fails only if already built.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(args.threads)
            .build_global();
    }
    let paths: Vec<PathBuf> = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let repo = if args.git.any() {
        Some(Repo::discover(&paths[0])?)
    } else {
        None
    };
    let start = match (&repo, stdin) {
        (Some(repo), _) => repo.root.clone(),
        (None, true) => std::env::current_dir()?,
        (None, false) => paths[0].clone(),
    };
    let config = crate::load_config(&args.config, &start)?;
    let max_file_size = match &args.max_file_size {
        Some(s) => parse_size(s).map_err(|m| format!("--max-file-size: {m}"))?,
        None => config
            .max_file_size
            .unwrap_or(vigil_core::DEFAULT_MAX_FILE_SIZE),
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
    let outcome = match repo {
        Some(repo) => match scan_git(args, &detector, &repo, &options) {
            Ok(outcome) => outcome,
            Err(e) if e.is_incomplete() => {
                note(&format!("error: {e}"));
                note("scan incomplete: nothing was reported because the commits to scan could not all be read");
                return Ok(Code::Incomplete);
            }
            Err(e) => return Err(e.into()),
        },
        None if stdin => scan_reader(&detector, std::io::stdin().lock(), &args.stdin_name)?,
        None => scan_paths(&detector, &paths, &options)?,
    };
    // Gitleaks filters, baseline and reports (report_out.rs).
    let outcome =
        crate::report_out::finish(args, config.gitleaks.as_ref(), detector.rules(), outcome)?;
    summarize(&outcome, max_file_size, args.git.staged);
    // A scan is the last thing its process does (`baseline` runs one, then writes a
    // file): freeing every rule, compiled regex and regex cache one by one took
    // about 4 ms at the end of every scan, 2% of a folder scan.
    std::mem::forget(detector);
    Ok(if !outcome.findings.is_empty() {
        Code::Findings
    } else if !outcome.errors.is_empty() {
        Code::Incomplete
    } else {
        Code::Clean
    })
}

/// Collects the changes of the chosen git source, then scans them.
fn scan_git(
    args: &ScanArgs,
    detector: &Detector,
    repo: &Repo,
    options: &ScanOptions,
) -> Result<ScanOutcome, GitError> {
    let shard = match &args.shard {
        Some(s) => Some(Shard::parse(s).map_err(|message| GitError::BadRange {
            spec: s.clone(),
            message,
        })?),
        None => None,
    };
    // The summary's time covers finding the changes (the walk and tree diffs) too.
    let start = std::time::Instant::now();
    let changes = if args.git.staged {
        vigil_git::staged(repo)?
    } else if let Some(spec) = &args.git.range {
        vigil_git::range(repo, &RangeSpec::parse(spec)?, shard)?
    } else if let Some(rev) = &args.git.since {
        vigil_git::range(repo, &RangeSpec::since(rev), shard)?
    } else {
        vigil_git::history(repo, shard)?
    };
    let bar = Progress::new(changes.changes.len() as u64, "blobs");
    let mut outcome = scan_changes(detector, repo, &changes, options, &|n| bar.inc(n));
    bar.finish();
    outcome.stats.elapsed = start.elapsed();
    Ok(outcome)
}

/// One line on stderr saying what was scanned and what was not, then any read errors.
fn summarize(outcome: &ScanOutcome, max_file_size: u64, staged: bool) {
    let ScanStats {
        files,
        bytes,
        skipped_binary,
        skipped_large,
        skipped_allowlisted,
        commits,
        skipped_submodules,
        elapsed,
    } = outcome.stats;
    let secs = elapsed.as_secs_f64();
    let mb = bytes as f64 / 1e6;
    let plural = |n: u64| if n == 1 { "" } else { "s" };
    let mut line = if staged {
        format!(
            "scanned {files} staged blob{} ({mb:.1} MB) in {secs:.2} s",
            plural(files)
        )
    } else if commits > 0 {
        format!(
            "scanned {commits} commit{}, {files} blob{} ({mb:.1} MB) in {secs:.2} s",
            plural(commits),
            plural(files)
        )
    } else {
        format!(
            "scanned {files} file{} ({mb:.1} MB) in {secs:.2} s",
            plural(files)
        )
    };
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
    if skipped_submodules > 0 {
        skipped.push(format!(
            "{skipped_submodules} submodule{}",
            plural(skipped_submodules)
        ));
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
