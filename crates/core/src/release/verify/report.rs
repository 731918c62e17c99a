//! The verdict: one [`Check`] per check made, each with its own status.

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckStatus {
    Passed(String),
    /// The release does not verify.
    Failed(String),
    /// A signature, sums or provenance file cannot be parsed.
    Malformed(String),
    /// A file could not be read (other than missing): the verdict is incomplete.
    Incomplete(String),
    /// Not checked, and not required.
    Skipped(String),
}

/// One check: on what (a file name), which check, and its result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub subject: String,
    pub check: &'static str,
    pub status: CheckStatus,
}

#[derive(Debug, Clone, Default)]
pub struct VerifyReport {
    pub checks: Vec<Check>,
}

impl VerifyReport {
    pub(super) fn add(&mut self, subject: &str, check: &'static str, status: CheckStatus) {
        self.checks.push(Check {
            subject: subject.to_owned(),
            check,
            status,
        });
    }

    fn count(&self, f: impl Fn(&CheckStatus) -> bool) -> usize {
        self.checks.iter().filter(|c| f(&c.status)).count()
    }

    pub fn failed(&self) -> usize {
        self.count(|s| matches!(s, CheckStatus::Failed(_)))
    }

    pub fn malformed(&self) -> usize {
        self.count(|s| matches!(s, CheckStatus::Malformed(_)))
    }

    pub fn incomplete(&self) -> usize {
        self.count(|s| matches!(s, CheckStatus::Incomplete(_)))
    }

    pub fn passed(&self) -> usize {
        self.count(|s| matches!(s, CheckStatus::Passed(_)))
    }

    /// Everything checked passed.
    pub fn ok(&self) -> bool {
        self.failed() + self.malformed() + self.incomplete() == 0
    }
}
