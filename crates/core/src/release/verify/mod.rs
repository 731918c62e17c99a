//! `vigil verify-artifact`: every check of a signed release, each reported on its own.
//!
//! One part per file: `options` (what the release is checked against), `report` (the
//! checks and their status), `read` (reading its text files), `sums` (SHA256SUMS),
//! `signatures` (the minisign and SSH signatures and the trusted comments),
//! `artifacts` (the files' digests) and `provenance` (the provenance checks).
mod artifacts;
mod options;
mod provenance;
mod read;
mod report;
mod signatures;
mod sums;

pub use options::{Expectations, SshSigners, VerifyKeys, VerifyOptions};
pub use report::{Check, CheckStatus, VerifyReport};

use self::{
    artifacts::check_artifacts,
    provenance::check_provenance,
    signatures::{check_age_is_signed, check_sums_minisign, check_sums_ssh},
    sums::read_sums,
};

/// Runs every check. Never stops at the first failure: the report lists them all, in
/// this order: SHA256SUMS, its minisign signature and trusted comment, its SSH
/// signature, each artifact (digest, then its own signature), the provenance.
pub fn verify_release(opts: &VerifyOptions) -> VerifyReport {
    let mut r = VerifyReport::default();
    let Some(sums) = read_sums(&opts.dir, &mut r) else {
        return r;
    };
    let signed = check_sums_minisign(opts, &sums.text, &mut r);
    check_age_is_signed(&opts.expect, signed.is_some(), &mut r);
    let ssh_signer = check_sums_ssh(opts, &sums.text, &mut r);
    check_artifacts(opts, &sums.entries, &mut r);
    check_provenance(
        opts,
        &sums.entries,
        signed.as_ref(),
        ssh_signer.as_ref(),
        &mut r,
    );
    r
}
