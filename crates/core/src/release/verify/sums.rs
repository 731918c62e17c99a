//! SHA256SUMS: read, parsed, and its names checked to stay inside the release folder.
use std::path::Path;

use vigil_signature::sums::{parse_sums, SumsEntry};

use super::{
    read::{read_text, Read},
    report::{
        CheckStatus::{Failed, Incomplete, Malformed},
        VerifyReport,
    },
};
use crate::release::SUMS_NAME;

/// SHA256SUMS as read.
pub(super) struct Sums {
    /// The text, which the signatures cover.
    pub(super) text: String,
    /// Its entries; none when it is malformed or names a file outside the folder.
    pub(super) entries: Vec<SumsEntry>,
}

/// Reads SHA256SUMS in `dir`. `None`, after saying why, when it is missing or cannot
/// be read: there is nothing else to check then.
pub(super) fn read_sums(dir: &Path, r: &mut VerifyReport) -> Option<Sums> {
    let text = match read_text(&dir.join(SUMS_NAME)) {
        Read::Text(t) => t,
        Read::Missing => {
            r.add(
                SUMS_NAME,
                "present",
                Failed(format!("missing from {}", dir.display())),
            );
            return None;
        }
        Read::Error(e) => {
            r.add(SUMS_NAME, "read", Incomplete(e));
            return None;
        }
    };
    let entries = match parse_sums(&text) {
        Ok(e) => {
            if let Some(bad) = e.iter().find(|e| !safe_name(&e.name)) {
                r.add(
                    SUMS_NAME,
                    "format",
                    Malformed(format!("{:?} is not a plain relative file name", bad.name)),
                );
                Vec::new()
            } else {
                e
            }
        }
        Err(e) => {
            r.add(SUMS_NAME, "format", Malformed(e.to_string()));
            Vec::new()
        }
    };
    Some(Sums { text, entries })
}

/// A file name from SHA256SUMS that stays inside the release folder: relative, and no
/// empty, `.` or `..` segment.
fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names() {
        assert!(safe_name("a/b.tar.gz"));
        assert!(!safe_name("../x") && !safe_name("/etc/passwd") && !safe_name("a/./b"));
    }
}
