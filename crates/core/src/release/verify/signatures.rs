//! The signatures: over SHA256SUMS (minisign with its trusted comment, and SSHSIG) and
//! over each artifact (minisign, prehashed), and what a trusted comment must say.
use std::{
    fmt::Display,
    path::{Path, PathBuf},
};

use vigil_signature::{
    minisign::{MinisignSignature, TrustedComment},
    sshkey::SshPublicKey,
    sshsig::SshSignature,
    sums::SumsEntry,
    PublicKey,
};

use super::{
    options::{commit_matches, Expectations, SshSigners, VerifyOptions},
    read::{read_text, Read},
    report::{
        CheckStatus::{self, Failed, Incomplete, Malformed, Passed},
        VerifyReport,
    },
};
use crate::release::{SSH_NAMESPACE, SUMS_NAME};

/// Reads and parses the signature file at `path` (`name` in the report) for check
/// `check`. `None`, after saying why, when it is missing (a failure only when
/// `required`), cannot be read, or cannot be parsed.
fn read_signature<S, E: Display>(
    r: &mut VerifyReport,
    path: &Path,
    name: &str,
    check: &'static str,
    required: bool,
    parse: impl FnOnce(&str) -> Result<S, E>,
) -> Option<S> {
    match read_text(path) {
        Read::Missing => {
            if required {
                r.add(name, check, Failed("missing".into()));
            }
            None
        }
        Read::Error(e) => {
            r.add(name, check, Incomplete(e));
            None
        }
        Read::Text(t) => match parse(&t) {
            Err(e) => {
                r.add(name, check, Malformed(e.to_string()));
                None
            }
            Ok(sig) => Some(sig),
        },
    }
}

/// `SHA256SUMS.minisig`, when a minisign key is given: the signature over SHA256SUMS
/// (`sums_text`), then what its trusted comment says. Returns the trusted comment once
/// the signature verifies.
pub(super) fn check_sums_minisign(
    opts: &VerifyOptions,
    sums_text: &str,
    r: &mut VerifyReport,
) -> Option<TrustedComment> {
    let pk = opts.keys.minisign.as_ref()?;
    let name = format!("{SUMS_NAME}.minisig");
    let check = "minisign signature";
    let sig = read_signature(
        r,
        &opts.dir.join(&name),
        &name,
        check,
        true,
        MinisignSignature::parse,
    )?;
    if let Err(e) = sig.verify(pk, sums_text.as_bytes()) {
        r.add(&name, check, Failed(e.to_string()));
        return None;
    }
    r.add(&name, check, Passed(format!("signed by key {}", pk.key_id)));
    let tc = TrustedComment::parse(&sig.trusted_comment);
    let problems = comment_problems(&tc, SUMS_NAME, &opts.expect, opts.now);
    r.add(
        &name,
        "trusted comment",
        if problems.is_empty() {
            Passed(sig.trusted_comment.replace('\t', " "))
        } else {
            Failed(problems.join("; "))
        },
    );
    Some(tc)
}

/// The age check needs the time a verified trusted comment holds: a failure when an
/// age is expected and no trusted comment was `verified`.
pub(super) fn check_age_is_signed(expect: &Expectations, verified: bool, r: &mut VerifyReport) {
    if expect.max_age.is_some() && !verified {
        r.add(
            SUMS_NAME,
            "age",
            Failed("the age check needs a verified minisign signature (its trusted comment holds the time)".into()),
        );
    }
}

/// `SHA256SUMS.sig`, when an SSH key or an allowed_signers file is given: the SSHSIG over
/// SHA256SUMS (`sums_text`) in namespace `file`, by that key, or by a key the file lets
/// sign as the principal (and not revoked). Returns the key the allowed_signers file
/// trusted, once the signature verifies.
pub(super) fn check_sums_ssh(
    opts: &VerifyOptions,
    sums_text: &str,
    r: &mut VerifyReport,
) -> Option<SshPublicKey> {
    let (key, signers) = (&opts.keys.ssh, &opts.keys.ssh_signers);
    if key.is_none() && signers.is_none() {
        return None;
    }
    let name = format!("{SUMS_NAME}.sig");
    let check = "ssh signature";
    let sig = read_signature(
        r,
        &opts.dir.join(&name),
        &name,
        check,
        true,
        SshSignature::from_armored,
    )?;
    let status = match (key, signers) {
        (Some(key), _) => match sig.verify(key, SSH_NAMESPACE, sums_text.as_bytes()) {
            Err(e) => Failed(e.to_string()),
            Ok(()) => Passed(format!(
                "namespace {SSH_NAMESPACE}, {} key {}",
                key.algorithm(),
                key.fingerprint()
            )),
        },
        (None, Some(s)) => by_allowed_signer(&sig, s, sums_text, opts.now),
        (None, None) => return None,
    };
    let trusted =
        (signers.is_some() && matches!(status, Passed(_))).then(|| sig.public_key.clone());
    r.add(&name, check, status);
    trusted
}

/// The SSHSIG `sig` over `text`, judged as `ssh-keygen -Y verify` judges it against the
/// allowed_signers file of `s` at `now`.
fn by_allowed_signer(sig: &SshSignature, s: &SshSigners, text: &str, now: u64) -> CheckStatus {
    let key = &sig.public_key;
    let who = format!("{} key {}", key.algorithm(), key.fingerprint());
    if let Err(e) = sig.check(text.as_bytes()) {
        return Failed(format!("{who}: {e}"));
    }
    if sig.namespace != SSH_NAMESPACE {
        return Failed(format!(
            "signed for namespace {:?}, expected {SSH_NAMESPACE:?} (a signature made for something else, reused)",
            sig.namespace
        ));
    }
    if let Some(revoked) = s.revoked.as_ref().filter(|rk| rk.is_revoked(key)) {
        return Failed(format!("{who} is revoked: listed in {}", revoked.source));
    }
    let at = i64::try_from(now).unwrap_or(i64::MAX);
    match s.allowed.authorize(key, &s.principal, SSH_NAMESPACE, at) {
        Err(refusal) => Failed(format!("{who}: {refusal}")),
        Ok(e) => Passed(format!(
            "namespace {SSH_NAMESPACE}, {who}, principal {:?} ({}:{})",
            s.principal, s.allowed.source, e.line
        )),
    }
}

/// Where artifact `e`'s own minisign signature is: `NAME.minisig` beside it.
pub(super) fn per_file_signature(dir: &Path, e: &SumsEntry) -> PathBuf {
    dir.join(format!("{}.minisig", e.name))
}

/// Artifact `e`'s `NAME.minisig`: the prehashed signature over its BLAKE2b-512 digest
/// `b2`, and what its trusted comment says. Missing is a failure only when every
/// artifact must have one.
pub(super) fn check_artifact_minisign(
    opts: &VerifyOptions,
    pk: &PublicKey,
    e: &SumsEntry,
    b2: &[u8; 64],
    r: &mut VerifyReport,
) {
    let sig_name = format!("{}.minisig", e.name);
    let check = "minisign signature";
    let Some(sig) = read_signature(
        r,
        &per_file_signature(&opts.dir, e),
        &sig_name,
        check,
        opts.require_per_file,
        MinisignSignature::parse,
    ) else {
        return;
    };
    if let Err(err) = sig.verify_prehashed(pk, b2) {
        r.add(&sig_name, check, Failed(err.to_string()));
        return;
    }
    let base = e.name.rsplit('/').next().unwrap_or(&e.name);
    let tc = TrustedComment::parse(&sig.trusted_comment);
    let problems = comment_problems(&tc, base, &opts.expect, opts.now);
    r.add(
        &sig_name,
        check,
        if problems.is_empty() {
            Passed(format!("signed by key {}", pk.key_id))
        } else {
            Failed(format!("trusted comment: {}", problems.join("; ")))
        },
    );
}

/// Checks of a verified trusted comment: file name, tag, commit, age. Returns the problems.
fn comment_problems(
    tc: &TrustedComment,
    file: &str,
    expect: &Expectations,
    now: u64,
) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(f) = tc.get("file") {
        if f != file {
            problems.push(format!(
                "it names file {f:?}, but the signature is for {file:?} (renamed or swapped)"
            ));
        }
    }
    if let Some(t) = &expect.tag {
        match tc.get("tag") {
            Some(found) if found == t => {}
            Some(found) => problems.push(format!("tag is {found:?}, expected {t:?}")),
            None => problems.push(format!("it names no tag, expected {t:?}")),
        }
    }
    if let Some(c) = &expect.commit {
        match tc.get("commit") {
            Some(found) if commit_matches(c, found) => {}
            Some(found) => problems.push(format!("commit is {found}, expected {c}")),
            None => problems.push(format!("it names no commit, expected {c}")),
        }
    }
    if let Some(max) = expect.max_age {
        match tc.get("timestamp").map(str::parse::<u64>) {
            Some(Ok(ts)) => {
                if ts > now.saturating_add(300) {
                    problems.push(format!("its timestamp {ts} is in the future"));
                } else if now.saturating_sub(ts) > max {
                    problems.push(format!(
                        "expired: signed {} ago, more than the allowed {}",
                        human_age(now.saturating_sub(ts)),
                        human_age(max)
                    ));
                }
            }
            Some(Err(_)) => problems.push("its timestamp is not a number".into()),
            None => problems.push("it has no timestamp, so its age cannot be checked".into()),
        }
    }
    problems
}

fn human_age(secs: u64) -> String {
    match secs {
        s if s >= 2 * 86_400 => format!("{} days", s / 86_400),
        s if s >= 2 * 3600 => format!("{} hours", s / 3600),
        s => format!("{s} seconds"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_comment_checks() {
        let tc = TrustedComment::parse(
            "timestamp:1000\tfile:SHA256SUMS\ttag:v1\tcommit:abcdef12\thashed",
        );
        let mut ex = Expectations {
            tag: Some("v1".into()),
            commit: Some("abcdef12".into()),
            max_age: Some(100),
            ..Default::default()
        };
        assert!(comment_problems(&tc, SUMS_NAME, &ex, 1050).is_empty());
        let p = comment_problems(&tc, SUMS_NAME, &ex, 2000);
        assert!(p[0].contains("expired"), "{p:?}");
        ex.tag = Some("v2".into());
        let p = comment_problems(&tc, "other", &ex, 1000);
        assert!(p.iter().any(|m| m.contains("renamed")), "{p:?}");
        assert!(p.iter().any(|m| m.contains("tag is \"v1\"")), "{p:?}");
    }
}
