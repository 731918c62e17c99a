//! The one outcome every command ends with; each front-end maps it to its exit code
//! (the CLI: 0, 1, 3, and 2 for malformed input) the same way.

/// How a scan, a verification or a release check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything was read, and nothing was found (or every check passed).
    Clean,
    /// Findings, or a failed check: this wins over `Incomplete`, since what was found
    /// stands whatever could not be read.
    Findings,
    /// Something could not be read, and nothing was found in the rest: "found nothing"
    /// would be a lie.
    Incomplete,
    /// The input to check is malformed (a signature file that cannot be parsed).
    Malformed,
}

impl Status {
    /// Findings win over unread content; otherwise unread content makes it incomplete.
    pub fn of(found: bool, incomplete: bool) -> Status {
        if found {
            Status::Findings
        } else if incomplete {
            Status::Incomplete
        } else {
            Status::Clean
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_win_over_unread_content() {
        assert_eq!(Status::of(true, true), Status::Findings);
        assert_eq!(Status::of(false, true), Status::Incomplete);
        assert_eq!(Status::of(false, false), Status::Clean);
    }
}
