//! Release signing and verification: the pipeline behind `vigil sign` and
//! `vigil verify-artifact`.
//!
//! ```text
//! sign:   files -> one read each, hashed in parallel (SHA-256, + BLAKE2b-512 for per-file .minisig)
//!         -> SHA256SUMS -> SHA256SUMS.minisig (prehashed, trusted comment binds name, tag, commit, time)
//!                       -> SHA256SUMS.sig (SSHSIG, namespace "file")
//!         -> provenance.intoto.jsonl (DSSE envelope of an in-toto statement with SLSA provenance v1)
//! verify: the same, in reverse, against expectations from the command line or `[release]`
//! ```
mod config;
mod hash;
mod key;
mod keygen;
mod provenance;
mod request;
mod sign;
mod time;
mod verify;

use std::path::PathBuf;

pub use config::{parse_duration, ReleaseConfig};
pub use hash::{digest_file, digest_file_pipelined, digest_files, FileDigests};
pub use key::{load_secret_key, EnvPassword, KeySource, PasswordSource};
pub use keygen::{Keygen, KeygenRequest};
pub use provenance::{BuildContext, LOCAL_BUILDER_ID, LOCAL_BUILD_TYPE};
pub use request::{SignRequest, VerifyArtifactRequest};
pub use sign::{sign_release, SignOptions, SignOutcome};
pub use time::{now_unix, rfc3339};
pub use verify::{
    verify_release, Check, CheckStatus, Expectations, SshSigners, VerifyKeys, VerifyOptions,
    VerifyReport,
};

/// The sums file's default name.
pub const SUMS_NAME: &str = "SHA256SUMS";
/// The provenance file's default name.
pub const PROVENANCE_NAME: &str = "provenance.intoto.jsonl";
/// The SSHSIG namespace for release files (the one `ssh-keygen -Y sign -n file` uses).
pub const SSH_NAMESPACE: &str = "file";

/// Why signing could not run or finish (verification failures are [`Check`]s instead).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReleaseError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("nothing to sign: give at least one file")]
    NoFiles,
    #[error("{path}: not a regular file")]
    NotAFile { path: PathBuf },
    #[error("{path}: the file name is not UTF-8, which SHA256SUMS and the provenance cannot name")]
    NotUtf8 { path: PathBuf },
    #[error("the files are in different folders ({a} and {b}): pass --out-dir, a folder holding them all")]
    NoCommonFolder { a: PathBuf, b: PathBuf },
    #[error("{path} is not inside the output folder {out_dir}")]
    OutsideOutDir { path: PathBuf, out_dir: PathBuf },
    #[error("{name} is given twice")]
    Duplicate { name: String },
    #[error("refusing to sign {name}: it is one of the files vigil sign writes")]
    OwnOutput { name: String },
    #[error("{path} exists and vigil sign did not write it with this key: refusing to overwrite it (move it away, or pass --force)")]
    NotOwnOutput { path: PathBuf },
    #[error("{field}: {problem}")]
    Value {
        field: &'static str,
        problem: String,
    },
    #[error("{0}")]
    Sign(String),
}
