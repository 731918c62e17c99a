//! `vigil report merge` on files: reads each shard's report with a size limit, merges
//! them ([`vigil_report::merge`]: the report the unsharded scan writes), and writes the
//! result to a file or to a writer (stdout), never over one of the inputs.
use std::{
    io::{self, Write},
    path::{Path, PathBuf},
};

use vigil_model::Status;
use vigil_report::{
    merge::{merge, Input, MergeError},
    Format,
};

/// Merges the reports `inputs` (the shards of one scan, in any order) into `output`,
/// or into the writer [`ReportMerge::run`] is given when `output` is `None`.
#[derive(Debug, Clone)]
pub struct ReportMerge {
    pub inputs: Vec<PathBuf>,
    pub output: Option<PathBuf>,
}

/// What was merged.
#[derive(Debug)]
pub struct MergeOutcome {
    pub format: Format,
    pub findings: usize,
    /// N, the number of shards merged.
    pub shards: u32,
    /// Findings, incomplete (a shard could not read everything) or clean, as the
    /// unsharded scan would have ended; a JSON report does not say it was incomplete.
    pub status: Status,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportMergeError {
    /// Not read: missing, not a regular file, or larger than the input limit.
    #[error(transparent)]
    Input(#[from] crate::input::InputError),
    #[error("{} is given twice{}: give each shard's report once", path.display(), also(path, first))]
    Twice { path: PathBuf, first: PathBuf },
    #[error("the output {} is the report {}: merging never overwrites an input; name another --output", output.display(), input.display())]
    OutputIsInput { output: PathBuf, input: PathBuf },
    #[error(transparent)]
    Merge(#[from] MergeError),
    #[error("cannot write the merged report to {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
}

fn also(path: &Path, first: &Path) -> String {
    if path == first {
        String::new()
    } else {
        format!(" (also as {})", first.display())
    }
}

impl ReportMerge {
    /// Reads, merges and writes; nothing is written unless the merge succeeds.
    pub fn run(&self, stdout: &mut dyn Write) -> Result<MergeOutcome, ReportMergeError> {
        for (i, path) in self.inputs.iter().enumerate() {
            if let Some(first) = self.inputs[..i].iter().find(|p| same_file(p, path)) {
                return Err(ReportMergeError::Twice {
                    path: path.clone(),
                    first: first.clone(),
                });
            }
            if let Some(output) = &self.output {
                if same_file(output, path) {
                    return Err(ReportMergeError::OutputIsInput {
                        output: output.clone(),
                        input: path.clone(),
                    });
                }
            }
        }
        let texts = self
            .inputs
            .iter()
            .map(|p| read_report(p))
            .collect::<Result<Vec<_>, _>>()?;
        let names: Vec<String> = self
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        let inputs: Vec<Input<'_>> = names
            .iter()
            .zip(&texts)
            .map(|(name, bytes)| Input { name, bytes })
            .collect();
        let merged = merge(&inputs)?;
        let written = match &self.output {
            Some(path) => std::fs::write(path, &merged.bytes),
            None => stdout
                .write_all(&merged.bytes)
                .and_then(|()| stdout.flush()),
        };
        written.map_err(|source| ReportMergeError::Write {
            path: self
                .output
                .clone()
                .unwrap_or_else(|| PathBuf::from("stdout")),
            source,
        })?;
        Ok(MergeOutcome {
            format: merged.format,
            findings: merged.findings,
            shards: merged.shards,
            status: Status::of(merged.findings > 0, merged.complete == Some(false)),
        })
    }
}

/// Reads a whole report: a regular file, at most the input limit
/// ([`crate::input::max_input_size`]).
fn read_report(path: &Path) -> Result<Vec<u8>, ReportMergeError> {
    Ok(crate::input::read_bytes(path)?)
}

/// Whether two paths name one file (through links too); false when either is missing.
fn same_file(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if (ma.dev(), ma.ino()) == (mb.dev(), mb.ino()) {
            return true;
        }
    }
    let _ = (ma, mb);
    matches!(
        (std::fs::canonicalize(a), std::fs::canonicalize(b)),
        (Ok(x), Ok(y)) if x == y
    )
}

#[cfg(test)]
mod tests {
    use std::fs::File;

    use super::*;

    #[test]
    fn inputs_are_never_overwritten_nor_read_twice() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.json");
        std::fs::write(
            &a,
            "{\"version\": 1, \"shard\": \"1/1\", \"findings\": []}\n",
        )
        .unwrap();
        let link = dir.path().join("link.json");
        std::fs::hard_link(&a, &link).unwrap();
        let merge_into = |output: &Path| ReportMerge {
            inputs: vec![a.clone()],
            output: Some(output.to_owned()),
        };
        let e = merge_into(&link).run(&mut Vec::new()).unwrap_err();
        assert!(matches!(e, ReportMergeError::OutputIsInput { .. }), "{e}");
        let twice = ReportMerge {
            inputs: vec![a.clone(), dir.path().join(".").join("a.json")],
            output: None,
        };
        let e = twice.run(&mut Vec::new()).unwrap_err();
        assert!(e.to_string().contains("is given twice"), "{e}");
        let out = dir.path().join("merged.json");
        let done = merge_into(&out).run(&mut Vec::new()).unwrap();
        assert_eq!(done.status, Status::Clean);
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "{\n  \"version\": 1,\n  \"findings\": []\n}\n"
        );
    }

    #[test]
    fn large_files_and_folders_are_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.json");
        File::create(&big)
            .unwrap()
            .set_len(crate::input::DEFAULT_MAX_INPUT_SIZE + 1)
            .unwrap();
        for (path, expected) in [
            (big, "larger than the input limit of 16 MiB"),
            (dir.path().to_owned(), "a folder"),
        ] {
            let e = ReportMerge {
                inputs: vec![path],
                output: None,
            }
            .run(&mut Vec::new())
            .unwrap_err();
            assert!(e.to_string().contains(expected), "{e}");
        }
    }
}
