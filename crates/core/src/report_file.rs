//! Writing a report to a file, creating the folders it goes in. A Markdown report
//! written to the file `$GITHUB_STEP_SUMMARY` names is appended to it, as GitHub
//! expects; every other report replaces the file.
use std::{io::Write, path::Path};

use vigil_report::{Format, Options, Report};

/// Writes `report` in `format` to `path`; the error names the format and the file.
pub fn write_report_file(
    path: &Path,
    format: Format,
    report: &Report<'_>,
    options: &Options,
) -> Result<(), String> {
    let fail = |e: std::io::Error| {
        format!(
            "cannot write the {} report to {}: {e}",
            format.name(),
            path.display()
        )
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            format!(
                "cannot create the folder {} for the {} report: {e}",
                dir.display(),
                format.name()
            )
        })?;
    }
    let append = format == Format::Markdown && is_step_summary(path);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .append(append)
        .truncate(!append)
        .open(path)
        .map_err(fail)?;
    let mut out = std::io::BufWriter::new(file);
    format
        .write(&mut out, report, options)
        .and_then(|()| out.flush())
        .map_err(fail)
}

fn is_step_summary(path: &Path) -> bool {
    std::env::var_os("GITHUB_STEP_SUMMARY")
        .filter(|v| !v.is_empty())
        .is_some_and(|s| Path::new(&s) == path)
}
