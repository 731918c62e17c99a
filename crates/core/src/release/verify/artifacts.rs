//! The artifacts: which are checked, their SHA-256 against SHA256SUMS, and their
//! per-file minisign signatures.
use std::{io, path::PathBuf};

use vigil_signature::{hex, sums::SumsEntry};

use super::{
    options::VerifyOptions,
    report::{
        CheckStatus::{Failed, Incomplete, Passed},
        VerifyReport,
    },
    signatures::{check_artifact_minisign, per_file_signature},
};
use crate::release::{digest_files, FileDigests, SUMS_NAME};

/// Checks the artifacts asked for (every entry of SHA256SUMS when none is named), in
/// SHA256SUMS' order or the order named: each one's SHA-256, then its `NAME.minisig`.
pub(super) fn check_artifacts(opts: &VerifyOptions, entries: &[SumsEntry], r: &mut VerifyReport) {
    let dir = &opts.dir;
    let selected = select_artifacts(opts, entries, r);
    // BLAKE2b-512 is computed only when a per-file signature will be checked.
    let want_b2 = opts.keys.minisign.is_some()
        && (opts.require_per_file || selected.iter().any(|e| per_file_signature(dir, e).exists()));
    let paths: Vec<PathBuf> = selected.iter().map(|e| dir.join(&e.name)).collect();
    let digests = digest_files(&paths, want_b2, opts.threads);
    for (e, d) in selected.iter().zip(digests) {
        let Some(d) = check_digest(e, d, r) else {
            continue;
        };
        if let (Some(pk), Some(b2)) = (&opts.keys.minisign, d.blake2b) {
            check_artifact_minisign(opts, pk, e, &b2, r);
        }
    }
}

/// The SHA256SUMS entries to check: all of them, or those of the artifacts named. A
/// failure for each named artifact outside the release folder or not listed.
fn select_artifacts<'e>(
    opts: &VerifyOptions,
    entries: &'e [SumsEntry],
    r: &mut VerifyReport,
) -> Vec<&'e SumsEntry> {
    let dir = &opts.dir;
    let mut selected: Vec<&SumsEntry> = Vec::new();
    if opts.artifacts.is_empty() {
        selected.extend(entries.iter());
        return selected;
    }
    let abs_dir = std::path::absolute(dir).unwrap_or_else(|_| dir.clone());
    for a in &opts.artifacts {
        let abs = std::path::absolute(a).unwrap_or_else(|_| a.clone());
        let name = abs
            .strip_prefix(&abs_dir)
            .ok()
            .and_then(|p| p.to_str())
            .map(|s| s.replace(std::path::MAIN_SEPARATOR, "/"));
        let shown = a.display().to_string();
        match name {
            None => r.add(
                &shown,
                "listed",
                Failed(format!("not inside the release folder {}", dir.display())),
            ),
            Some(n) => match entries.iter().find(|e| e.name == n) {
                Some(e) => selected.push(e),
                None => r.add(
                    &n,
                    "listed",
                    Failed(format!("not listed in {SUMS_NAME}: no checksum covers it")),
                ),
            },
        }
    }
    selected
}

/// Artifact `e`'s SHA-256 (in `d`, as read) against SHA256SUMS. Returns its digests
/// when the file could be read, whether or not they match.
fn check_digest(
    e: &SumsEntry,
    d: io::Result<FileDigests>,
    r: &mut VerifyReport,
) -> Option<FileDigests> {
    let d = match d {
        Ok(d) => d,
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            r.add(
                &e.name,
                "sha256",
                Failed(format!(
                    "missing: listed in {SUMS_NAME} but not found (renamed or removed?)"
                )),
            );
            return None;
        }
        Err(err) => {
            r.add(&e.name, "sha256", Incomplete(err.to_string()));
            return None;
        }
    };
    if d.sha256 == e.sha256 {
        r.add(&e.name, "sha256", Passed(format!("{} bytes", d.size)));
    } else {
        r.add(
            &e.name,
            "sha256",
            Failed(format!(
                "digest mismatch: the file's sha256 is {}, {SUMS_NAME} says {} (changed, or swapped with another file)",
                hex(&d.sha256),
                hex(&e.sha256)
            )),
        );
    }
    Some(d)
}
