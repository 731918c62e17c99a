//! The unit a finding was found in: a commit or a file. A leaf: it imports nothing
//! from the crate.
use vigil_model::Finding;

/// A unit findings are grouped by: JUnit makes a test case of each unit with findings.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// A file (its display path, as findings carry it).
    File(String),
    /// A commit (its full id).
    Commit(String),
}

/// Groups findings by the unit they were found in: the commit when there is one,
/// else the path. Order of first appearance.
pub(crate) fn unit_of(f: &Finding) -> Target {
    match &f.origin.commit {
        Some(c) => Target::Commit(c.id.clone()),
        None => Target::File(f.origin.path.clone()),
    }
}
