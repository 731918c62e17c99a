//! vigil's git sources, read in-process with gix from a repository opened isolated
//! from ambient configuration: a repository is data, never code (no hooks, filters,
//! `core.fsmonitor` or configured programs run).
//!
//! Each source yields [`Change`]s: a blob as it is after a commit (or in the index),
//! with the blobs it is compared to. The scanner scans the lines around the change's
//! edits ([`changed_lines`]) with a little context and keeps findings on the lines it
//! added ([`added_lines`]), reading blobs in pack order ([`in_pack_order`]).

mod ancestry;
mod change;
mod commits;
mod delta;
mod error;
pub mod fsck;
mod lines;
mod memory;
pub mod mergetag;
mod object_access;
mod object_id;
mod objects;
mod pack_order;
mod preloaded;
mod ranked;
mod repo;
mod revision;
pub mod signed;
mod staged;
#[cfg(test)]
mod test_repo;
mod tree_diff;
mod workers;

pub use change::{Change, ChangeSet, Shard};
pub use commits::{history, history_since, range};
pub use error::GitError;
pub use lines::{added_lines, changed_lines, AddedLines};
pub use memory::MemoryBudget;
pub use object_id::ObjectId;
pub use objects::{read_signed, select, CommitSelection, ObjectRef, SignedObject};
pub use ranked::{in_pack_order, RankedChange};
pub use repo::{Reader, Repo};
pub use revision::{history_tips, RangeSpec};
pub use staged::staged;
pub use workers::chunked;
