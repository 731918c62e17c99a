//! A baseline file updated from a scan's findings: `create` accepts them all, `prune`
//! drops entries that match none any more, `import` carries over another scanner's
//! accepted findings. The scan is the caller's (see [`crate::ScanRequest`]); these work
//! on its findings, and on nothing when it was incomplete.
use std::path::{Path, PathBuf};

use vigil_model::Finding;

use crate::{
    baseline::{ensure_union_merge, Baseline, BaselineError, Date, Entry},
    migrate::import::{import as import_entries, ImportError, Imported, Source},
};

/// What writing a baseline did.
#[derive(Debug)]
pub struct Written {
    /// Entries added, and entries in the file now.
    pub added: usize,
    pub total: usize,
    /// The `.gitattributes` marked `merge=union` for the baseline, or why it could not be.
    pub union_merge: Result<Option<PathBuf>, std::io::Error>,
}

/// Adds an entry for every finding (entries already there keep their reason and expiry)
/// and saves; with `union_merge`, marks the file `merge=union` in `.gitattributes`.
pub fn create(
    path: &Path,
    findings: &[Finding],
    reason: Option<&str>,
    expires: Option<Date>,
    union_merge: bool,
) -> Result<Written, BaselineError> {
    let entries = findings.iter().map(|f| Entry::of(f, reason, expires));
    add(path, entries, union_merge)
}

/// Removes the entries of `path` that match none of `findings` (saving only when
/// something was removed and not `dry_run`); returns them, and how many remain.
pub fn prune(
    path: &Path,
    findings: &[Finding],
    dry_run: bool,
) -> Result<(Vec<Entry>, usize), BaselineError> {
    let mut baseline = Baseline::load(path)?;
    let stale = baseline.prune(findings);
    if !dry_run && !stale.is_empty() {
        baseline.save(path)?;
    }
    Ok((stale, baseline.len()))
}

/// Why an import could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ImportIntoError {
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Baseline(#[from] BaselineError),
}

/// Another scanner's file of accepted findings.
pub struct ImportInput<'a> {
    pub source: Source,
    /// Where it was read from (errors name it).
    pub path: &'a Path,
    pub text: &'a str,
}

/// Matches `input`'s accepted findings with `findings` (made with the rules `rules`)
/// and adds the matches to the baseline at `path`, expiring on `expires`.
pub fn import(
    path: &Path,
    input: &ImportInput<'_>,
    findings: &[Finding],
    rules: &[String],
    expires: Option<Date>,
    union_merge: bool,
) -> Result<(Imported, Written), ImportIntoError> {
    let mut imported = import_entries(input.source, input.path, input.text, findings, rules)?;
    let entries = std::mem::take(&mut imported.entries)
        .into_iter()
        .map(|mut e| {
            e.expires = expires;
            e
        });
    let written = add(path, entries, union_merge)?;
    Ok((imported, written))
}

fn add(
    path: &Path,
    entries: impl Iterator<Item = Entry>,
    union_merge: bool,
) -> Result<Written, BaselineError> {
    let mut baseline = Baseline::load_or_empty(path)?;
    let mut added = 0;
    for e in entries {
        if baseline.insert(e) {
            added += 1;
        }
    }
    baseline.save(path)?;
    let union_merge = if union_merge {
        ensure_union_merge(path)
    } else {
        Ok(None)
    };
    Ok(Written {
        added,
        total: baseline.len(),
        union_merge,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use vigil_model::{Location, Origin, Secret, Severity};

    use super::*;

    fn finding(rule: &str, fp: &str) -> Finding {
        Finding {
            rule: rule.into(),
            description: "d".into(),
            severity: Severity::High,
            tags: Arc::from(Vec::new()),
            remediation: None,
            remediation_url: None,
            origin: Origin::path("a.env"),
            location: Location {
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 5,
            },
            secret: Secret::new(b"abcd".to_vec()),
            entropy: 2.0,
            decoded: Vec::new(),
            fingerprint: fp.into(),
        }
    }

    #[test]
    fn create_keeps_existing_entries_and_prune_drops_stale_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".vigil-baseline");
        let a = finding("r", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        let b = finding("r", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
        let w = create(&path, std::slice::from_ref(&a), Some("first"), None, false).unwrap();
        assert_eq!((w.added, w.total), (1, 1));
        let w = create(&path, &[a, b.clone()], Some("second"), None, false).unwrap();
        assert_eq!((w.added, w.total), (1, 2));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("# first") && text.contains("# second"),
            "{text}"
        );
        let (stale, kept) = prune(&path, &[b], true).unwrap();
        assert_eq!((stale.len(), kept), (1, 1));
        assert_eq!(
            Baseline::load(&path).unwrap().len(),
            2,
            "a dry run saves nothing"
        );
        let (stale, kept) = prune(&path, &[], false).unwrap();
        assert_eq!((stale.len(), kept), (2, 0));
        assert!(Baseline::load(&path).unwrap().is_empty());
    }
}
