//! One object's verdict: split as git splits it, then checked under a policy.
use vigil_git::{
    signed::{ObjectKind, SignatureFormat, Split},
    SignedObject,
};
use vigil_model::{ObjectVerdict, TimeBasis, Verdict};
use vigil_signature::{
    openpgp::{Keyring, PgpStatus},
    sshkey::{SshPublicKey, VerifyError},
    sshsig::{SshSignature, SshsigError},
};

use super::policy::{normalize_fingerprint, Policy};

/// The namespace git signs commits and tags in.
pub const GIT_NAMESPACE: &str = "git";

/// When keys are judged.
#[derive(Debug, Clone, Copy)]
pub enum KeyTime {
    /// At this time (Unix seconds): the time of verification.
    At(i64),
    /// At the committer (tagger) date the object claims; `now` when it has none.
    Claimed { now: i64 },
}

struct Out {
    verdict: Verdict,
    format: Option<&'static str>,
    signer: Option<String>,
    fingerprint: Option<String>,
    reason: String,
}

fn out(verdict: Verdict, reason: impl Into<String>) -> Out {
    Out {
        verdict,
        format: None,
        signer: None,
        fingerprint: None,
        reason: reason.into(),
    }
}

/// A policy met in history whose `revoked_keys` are compromised keys: they fail every
/// object, signed before or after the policy listed them.
#[derive(Debug, Clone)]
pub struct Compromise {
    pub policy: std::sync::Arc<Policy>,
    /// Where that policy was trusted (for reasons), e.g. "authorised at 3f2a…".
    pub at: String,
}

/// Judges `object` under `policy`.
pub fn check(object: &SignedObject, policy: &Policy, time: KeyTime) -> ObjectVerdict {
    check_under(object, policy, &[], time)
}

/// Judges `object` under `policy`, with the keys `compromised` lists revoked too.
pub fn check_under(
    object: &SignedObject,
    policy: &Policy,
    compromised: &[Compromise],
    time: KeyTime,
) -> ObjectVerdict {
    let split = &object.split;
    let (at, time_basis) = match time {
        KeyTime::At(t) => (t, TimeBasis::Now),
        KeyTime::Claimed { now } => (split.signer.time.unwrap_or(now), TimeBasis::Claimed),
    };
    let email = split.signer.email.clone();
    let mut o = match (&object.malformed, object.points_to) {
        (Some(problem), _) => out(
            Verdict::Malformed,
            format!(
                "malformed {} header (git fsck: {problem})",
                object.kind.as_str()
            ),
        ),
        (None, Some(what)) => {
            let (verdict, reason) = super::tags::lightweight(object, what);
            out(verdict, reason)
        }
        (None, None) => judged(object.kind, split, policy, compromised, at, &email),
    };
    if o.verdict == Verdict::Good && object.kind == ObjectKind::Tag {
        if let Some((verdict, reason)) = super::tags::name_binding(object) {
            o.verdict = verdict;
            o.reason = reason;
        }
    }
    if o.verdict == Verdict::Good && !object.mergetags.is_empty() {
        merge_tags(object, policy, compromised, at, &mut o);
    }
    ObjectVerdict {
        kind: object.kind.as_str(),
        id: object.id.clone(),
        ref_name: object.ref_name.clone(),
        verdict: o.verdict,
        format: o.format,
        signer: o.signer,
        fingerprint: o.fingerprint,
        email,
        reason: o.reason,
        time: at,
        time_basis,
        policy_change: false,
    }
}

/// One signed commit's or tag's bytes judged: the signature, then the forge-key rule.
fn judged(
    kind: ObjectKind,
    split: &Split,
    policy: &Policy,
    compromised: &[Compromise],
    at: i64,
    email: &str,
) -> Out {
    let mut o = judge(split, policy, compromised, at, email);
    if o.verdict == Verdict::Good {
        if let Some(fp) = &o.fingerprint {
            if policy.forge_keys.contains(&normalize_fingerprint(fp)) {
                if kind == ObjectKind::Commit && split.parents.len() >= 2 {
                    o.reason = format!("{}; a forge key, allowed for merge commits", o.reason);
                } else {
                    o.verdict = Verdict::UntrustedKey;
                    o.reason = format!(
                        "{fp} is a forge key (forge_keys), allowed only for merge commits, and this {} is not one",
                        kind.as_str()
                    );
                }
            }
        }
    }
    o
}

/// A merge whose own signature is good, judged by the signed tags it carries: each
/// `mergetag` must be a tag of one of its parents, signed by its tagger with a key the
/// same policy trusts at the same time as the merge. The first that fails gives the
/// merge its verdict; the reason names every one that fails.
fn merge_tags(
    object: &SignedObject,
    policy: &Policy,
    compromised: &[Compromise],
    at: i64,
    o: &mut Out,
) {
    let mut good = Vec::new();
    let mut failed: Vec<(Verdict, String)> = Vec::new();
    for tag in &object.mergetags {
        let name = match (&tag.problem, &tag.split.tag_name) {
            (None, Some(name)) => super::tags::show_name(name),
            _ => "(unreadable)".to_owned(),
        };
        let target = tag.split.target.as_deref().unwrap_or_default();
        let (verdict, reason) = if let Some(problem) = &tag.problem {
            (Verdict::Malformed, problem.clone())
        } else if !object.split.parents.iter().any(|p| p == target) {
            (
                Verdict::Malformed,
                format!("it tags {target}, which is not a parent of this commit"),
            )
        } else {
            let t = judged(
                ObjectKind::Tag,
                &tag.split,
                policy,
                compromised,
                at,
                &tag.split.signer.email,
            );
            (t.verdict, t.reason)
        };
        if verdict == Verdict::Good {
            good.push(name);
        } else {
            failed.push((
                verdict,
                format!("mergetag {name}: {}: {reason}", verdict.as_str()),
            ));
        }
    }
    match failed.first() {
        None => o.reason = format!("{}; mergetag {}: good", o.reason, good.join(", ")),
        Some((verdict, _)) => {
            o.verdict = *verdict;
            let reasons: Vec<&str> = failed.iter().map(|(_, r)| r.as_str()).collect();
            o.reason = format!("{} (the merge's own signature is good)", reasons.join("; "));
        }
    }
}

fn judge(split: &Split, policy: &Policy, compromised: &[Compromise], at: i64, email: &str) -> Out {
    if let Some(h) = split.other_signature_headers.first() {
        return out(
            Verdict::Malformed,
            format!("unexpected signature header `{h}` (vigil accepts only `gpgsig` in a SHA-1 repository, and none in a tag's headers)"),
        );
    }
    let Some(sig) = &split.signature else {
        return out(Verdict::Unsigned, "no signature");
    };
    if split.signature_count > 1 {
        return out(
            Verdict::Malformed,
            format!(
                "{} signatures; vigil accepts exactly one (git would concatenate or pick one)",
                split.signature_count
            ),
        );
    }
    let Some(format) = SignatureFormat::of(sig) else {
        let start: String = String::from_utf8_lossy(&sig[..sig.len().min(32)])
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        return out(
            Verdict::Malformed,
            format!("the signature header holds no armored signature (expected `-----BEGIN SSH SIGNATURE-----` or `-----BEGIN PGP SIGNATURE-----`, found {:?})", start.trim()),
        );
    };
    let begins = sig.windows(11).filter(|w| *w == b"-----BEGIN ").count();
    if begins > 1 {
        return out(
            Verdict::Malformed,
            format!("the signature holds {begins} armored blocks; vigil accepts exactly one"),
        );
    }
    let mut o = match format {
        SignatureFormat::Ssh => ssh(sig, &split.payload, policy, compromised, at, email),
        SignatureFormat::OpenPgp => openpgp(sig, &split.payload, policy.keyring.as_ref(), at, email),
        SignatureFormat::X509 => out(
            Verdict::UntrustedKey,
            "an X.509 (gpgsm) signature: vigil has no trust material for X.509 and does not verify it",
        ),
    };
    o.format = Some(match format {
        SignatureFormat::Ssh => "ssh",
        SignatureFormat::OpenPgp => "openpgp",
        SignatureFormat::X509 => "x509",
    });
    o
}

fn ssh(
    sig: &[u8],
    payload: &[u8],
    policy: &Policy,
    compromised: &[Compromise],
    at: i64,
    email: &str,
) -> Out {
    let s = match SshSignature::from_canonical_armor(sig) {
        Ok(s) => s,
        Err(e) => {
            return out(
                Verdict::Malformed,
                format!("the SSH signature cannot be read: {e}"),
            )
        }
    };
    let key = &s.public_key;
    let fp = key.fingerprint();
    let with_fp = |mut o: Out| {
        o.fingerprint = Some(fp.clone());
        o
    };
    if let Err(e) = s.check(payload) {
        let verdict = match &e {
            SshsigError::Verify(VerifyError::UnsupportedKeyType { .. }) => Verdict::UntrustedKey,
            SshsigError::Verify(
                VerifyError::InvalidKey { .. }
                | VerifyError::Wire { .. }
                | VerifyError::Length { .. },
            ) => Verdict::Malformed,
            _ => Verdict::BadSignature,
        };
        return with_fp(out(verdict, e.to_string()));
    }
    if s.namespace != GIT_NAMESPACE {
        return with_fp(out(
            Verdict::WrongNamespace,
            format!("signed for namespace {:?}, expected \"git\" (a signature made for something else, reused)", s.namespace),
        ));
    }
    if let Some(revoked) = &policy.revoked {
        if revoked.is_revoked(key) {
            return with_fp(out(
                Verdict::RevokedKey,
                format!("the key is listed in {}", revoked.source),
            ));
        }
    }
    for c in compromised {
        if let Some(revoked) = c.policy.revoked.as_ref().filter(|r| r.is_revoked(key)) {
            return with_fp(out(
                Verdict::RevokedKey,
                format!(
                    "the key is listed in {} of the policy {}: a revoked (compromised) key fails everywhere, before and after it was listed",
                    revoked.source, c.at
                ),
            ));
        }
    }
    let Some(signers) = &policy.signers else {
        return with_fp(out(
            Verdict::UntrustedKey,
            "no allowed_signers file is configured to trust SSH keys",
        ));
    };
    // The best reading among the lines that speak for this key.
    let mut best: Option<(u8, Out)> = None;
    let mut consider = |rank: u8, o: Out| {
        if best.as_ref().is_none_or(|(r, _)| rank > *r) {
            best = Some((rank, o));
        }
    };
    for entry in signers.candidates(key) {
        let line = format!("{}:{}", signers.source, entry.line);
        if !entry.allows_namespace(GIT_NAMESPACE) {
            consider(
                1,
                out(
                    Verdict::UntrustedKey,
                    format!(
                        "{line} allows this key only for namespaces {:?}",
                        entry.namespaces.as_deref().unwrap_or("")
                    ),
                ),
            );
            continue;
        }
        let cert_principals: Option<&[String]> = match key {
            SshPublicKey::Certificate(c) if entry.cert_authority => {
                if let Some(p) = c.problem_at(at) {
                    let v = if p.contains("expired") || p.contains("valid only from") {
                        Verdict::ExpiredKey
                    } else {
                        Verdict::UntrustedKey
                    };
                    consider(2, out(v, format!("{line} (cert-authority): {p}")));
                    continue;
                }
                Some(&c.principals)
            }
            _ => None,
        };
        if let Some(after) = entry.valid_after.filter(|t| at < *t) {
            consider(
                2,
                out(
                    Verdict::ExpiredKey,
                    format!(
                        "{line}: the key is valid only after {after} (Unix time); judged at {at}"
                    ),
                ),
            );
            continue;
        }
        if let Some(before) = entry.valid_before.filter(|t| at >= *t) {
            consider(
                2,
                out(
                    Verdict::ExpiredKey,
                    format!("{line}: the key expired at {before} (valid-before); judged at {at}"),
                ),
            );
            continue;
        }
        let named = entry.names(email)
            && cert_principals.is_none_or(|ps| ps.iter().any(|p| p.eq_ignore_ascii_case(email)));
        if named {
            let mut o = out(Verdict::Good, format!("good signature, {line}"));
            o.signer = Some(email.to_owned());
            consider(4, o);
        } else {
            let whom = match cert_principals {
                Some(ps) => format!("a certificate for {ps:?} under {:?}", entry.principals),
                None => format!("{:?}", entry.principals),
            };
            let mut o = out(
                Verdict::SignerMismatch,
                format!("{line} trusts this key for {whom}, not for <{email}>"),
            );
            o.signer = Some(entry.principals.clone());
            consider(3, o);
        }
    }
    match best {
        Some((_, o)) => with_fp(o),
        None => with_fp(out(
            Verdict::UntrustedKey,
            format!("{} {fp} is not in {}", key.algorithm(), signers.source),
        )),
    }
}

fn openpgp(sig: &[u8], payload: &[u8], keyring: Option<&Keyring>, at: i64, email: &str) -> Out {
    let empty;
    let keyring = match keyring {
        Some(k) => k,
        None => {
            empty = Keyring::empty("(no OpenPGP keyring configured)");
            &empty
        }
    };
    let v = keyring.verify(sig, payload, at);
    let verdict = match v.status {
        PgpStatus::Good => {
            let emails = v.emails();
            if emails.iter().any(|e| e.eq_ignore_ascii_case(email)) {
                Verdict::Good
            } else {
                Verdict::SignerMismatch
            }
        }
        PgpStatus::Bad => Verdict::BadSignature,
        PgpStatus::UnknownKey | PgpStatus::NotUsable => Verdict::UntrustedKey,
        PgpStatus::Expired => Verdict::ExpiredKey,
        PgpStatus::Revoked => Verdict::RevokedKey,
        PgpStatus::Malformed => Verdict::Malformed,
    };
    let reason = if verdict == Verdict::SignerMismatch {
        format!(
            "the key's user IDs {:?} do not include <{email}>",
            v.user_ids
        )
    } else {
        v.reason.clone()
    };
    Out {
        verdict,
        format: None,
        signer: match verdict {
            Verdict::Good => Some(email.to_owned()),
            _ => v.user_ids.first().cloned(),
        },
        fingerprint: v.fingerprint,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use vigil_git::signed::split_commit;

    use super::*;

    fn object(raw: &[u8]) -> SignedObject {
        SignedObject {
            id: "0".repeat(40),
            kind: ObjectKind::Commit,
            ref_name: None,
            split: split_commit(raw, false),
            malformed: None,
            points_to: None,
            mergetags: Vec::new(),
        }
    }

    fn verdict(raw: &[u8]) -> ObjectVerdict {
        check(&object(raw), &Policy::default(), KeyTime::At(0))
    }

    #[test]
    fn garbage_is_malformed_never_a_panic() {
        let head = "tree t\ncommitter A <a@x> 5 +0000\n";
        let cases: &[(&str, Verdict)] = &[
            ("gpgsig hello\n", Verdict::Malformed),
            (
                "gpgsig -----BEGIN SSH SIGNATURE-----\n U1NI\n",
                Verdict::Malformed,
            ),
            (
                "gpgsig -----BEGIN SSH SIGNATURE-----\n !!!\n -----END SSH SIGNATURE-----\n",
                Verdict::Malformed,
            ),
            (
                "gpgsig -----BEGIN PGP SIGNATURE-----\n\n xx\n -----END PGP SIGNATURE-----\n",
                Verdict::Malformed,
            ),
            (
                "gpgsig -----BEGIN SIGNED MESSAGE-----\n x\n",
                Verdict::UntrustedKey,
            ),
            ("gpgsig-sha256 x\n", Verdict::Malformed),
            ("", Verdict::Unsigned),
        ];
        for (sig, expected) in cases {
            let raw = format!("{head}{sig}\nmessage\n");
            let v = verdict(raw.as_bytes());
            assert_eq!(v.verdict, *expected, "{sig:?}: {}", v.reason);
            assert!(!v.reason.is_empty());
            assert_eq!(v.email, "a@x");
        }
        // Every prefix of a real signature header: an answer, never a panic.
        let sig = "gpgsig -----BEGIN SSH SIGNATURE-----\n U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgjioasnvh5OdMEcytll8MpX8W7w\n -----END SSH SIGNATURE-----\n";
        for n in 0..sig.len() {
            let raw = format!("{head}{}\n\nm\n", &sig[..n]);
            let _ = verdict(raw.as_bytes());
        }
    }

    #[test]
    fn the_time_basis_is_labelled() {
        let raw = b"tree t\ncommitter A <a@x> 1700000000 +0000\n\nm\n";
        let v = check(
            &object(raw),
            &Policy::default(),
            KeyTime::Claimed { now: 5 },
        );
        assert_eq!(v.time, 1_700_000_000);
        assert_eq!(v.time_basis, TimeBasis::Claimed);
        let v = check(&object(raw), &Policy::default(), KeyTime::At(5));
        assert_eq!((v.time, v.time_basis), (5, TimeBasis::Now));
    }
}
