//! The signature formats of `vigil_signature`: SSH keys, certificates and SSHSIG,
//! allowed_signers, OpenPGP, minisign, SHA256SUMS, DSSE and in-toto.
use vigil_signature::{
    allowed_signers::{match_pattern_list, parse_time, AllowedSigners, RevokedKeys},
    dsse::{Envelope, INTOTO_PAYLOAD_TYPE},
    intoto::ProvenanceStatement,
    minisign::{secret_key_is_encrypted, KdfLimits, MinisignSignature, TrustedComment},
    openpgp::Keyring,
    sshkey::{SshCertificate, SshPublicKey},
    sshsig::SshSignature,
    sums::{format_sums, parse_sums},
    PublicKey, SecretKey,
};

use crate::{parts, text};

/// The password the fuzzer's encrypted minisign secret keys are tried with.
pub const MINISIGN_PASSWORD: &[u8] = b"fuzz";

/// A time inside every validity window the seeds use (2026-01-01), for certificates.
const NOW: i64 = 1_767_225_600;

/// The SSH formats: each input read as a key ([`ssh_key`]) and as a signature and its
/// message ([`sshsig`]).
pub fn ssh(data: &[u8]) {
    ssh_key(data);
    sshsig(data);
}

/// An OpenSSH public key line (`ssh-ed25519 AAAA… comment`, certificates included), or
/// a raw key or certificate blob.
///
/// Invariant: a parsed key prints and reads back as itself, as text and as a blob.
pub fn ssh_key(data: &[u8]) {
    if let Some(t) = text(data) {
        if let Ok((key, comment)) = SshPublicKey::from_openssh(t) {
            key_round_trip(&key, &comment);
        }
    }
    if let Ok(key) = SshPublicKey::from_blob(data) {
        key_round_trip(&key, "c");
    }
    if let Ok(cert) = SshCertificate::from_blob(data) {
        let _ = cert.verify_ca();
        let _ = cert.problem_at(NOW);
        let _ = cert.problem_at(i64::MIN);
        let _ = cert.problem_at(i64::MAX);
    }
}

fn key_round_trip(key: &SshPublicKey, comment: &str) {
    let _ = key.fingerprint();
    let _ = key.algorithm();
    let _ = key.plain();
    let blob = key.to_blob();
    let again = SshPublicKey::from_blob(&blob);
    assert!(
        again.as_ref() == Ok(key),
        "a key blob reads back: {again:?}"
    );
    // A key line holds the type as its first word: a type read from a blob (`Other`
    // keeps any name) that is no word, or that starts a comment, has no line form.
    let alg = key.algorithm();
    let is_word = !alg.is_empty() && !alg.starts_with('#') && !alg.contains(char::is_whitespace);
    if is_word && !comment.contains(['\n', '\r']) {
        let line = key.to_openssh(comment);
        let again = SshPublicKey::from_openssh(&line).map(|(k, _)| k);
        assert!(
            again.as_ref() == Ok(key),
            "a key line reads back: {again:?}"
        );
    }
    if let SshPublicKey::Certificate(c) = key {
        let _ = c.verify_ca();
        let _ = c.problem_at(NOW);
    }
}

/// An SSHSIG signature, armored (`-----BEGIN SSH SIGNATURE-----`) or binary, then a
/// message ([`parts`]): the signature is checked over it with the key it carries.
///
/// Invariant: a parsed signature writes and reads back as itself.
pub fn sshsig(data: &[u8]) {
    let p = parts(data, 2);
    let (sig, message) = (p[0], p[1]);
    let mut parsed = Vec::new();
    if let Some(t) = text(sig) {
        parsed.extend(SshSignature::from_armored(t).ok());
    }
    if let Ok(s) = SshSignature::from_canonical_armor(sig) {
        // The canonical shape is one the lenient reader takes too.
        let lenient = text(sig).and_then(|t| SshSignature::from_armored(t).ok());
        assert!(
            lenient.as_ref() == Some(&s),
            "a canonical armor reads leniently"
        );
        parsed.push(s);
    }
    parsed.extend(SshSignature::from_bytes(sig).ok());
    for s in parsed {
        let again = SshSignature::from_bytes(&s.to_bytes());
        assert!(
            again.as_ref().ok() == Some(&s),
            "a signature reads back: {again:?}"
        );
        let again = SshSignature::from_armored(&s.to_armored());
        assert!(
            again.as_ref().ok() == Some(&s),
            "an armored signature reads back"
        );
        // What vigil (and ssh-keygen) writes is canonical.
        let again = SshSignature::from_canonical_armor(s.to_armored().as_bytes());
        assert!(
            again.as_ref().ok() == Some(&s),
            "a written signature is canonical: {again:?}"
        );
        let _ = s.check(message);
        let _ = s.verify(&s.public_key, &s.namespace, message);
        let _ = s.verify(&s.public_key, "git", message);
    }
}

/// An allowed_signers file, then a revoked-keys file, then a principal and a key line
/// to look up ([`parts`]).
pub fn allowed_signers(data: &[u8]) {
    let p = parts(data, 3);
    let key = text(p[2])
        .and_then(|t| t.split_once('\n'))
        .and_then(|(principal, key)| Some((principal, SshPublicKey::from_openssh(key).ok()?.0)));
    if let Some(t) = text(p[0]) {
        if let Ok(signers) = AllowedSigners::parse("allowed_signers", t) {
            if let Some((principal, key)) = &key {
                for e in signers.candidates(key) {
                    let _ = e.names(principal);
                    let _ = e.allows_namespace("git");
                    let _ = e.allows_namespace(principal);
                }
            }
        }
        for line in t.lines().take(64) {
            let _ = parse_time(line);
            if let Some((s, list)) = line.split_once(' ') {
                let _ = match_pattern_list(s, list);
            }
        }
    }
    if let Ok(revoked) = RevokedKeys::parse("revoked_keys", p[1]) {
        if let Some((_, key)) = &key {
            let _ = revoked.is_revoked(key);
        }
    }
}

/// An OpenPGP keyring (armored or binary), then a signature, then the signed payload
/// ([`parts`]).
pub fn openpgp(data: &[u8]) {
    let p = parts(data, 3);
    let keyring = match Keyring::parse("keyring", p[0]) {
        Ok(k) => k,
        Err(_) => Keyring::empty("keyring"),
    };
    let _ = keyring.len();
    let _ = keyring.fingerprints();
    let verdict = keyring.verify(p[1], p[2], NOW);
    let _ = verdict.emails();
}

/// A minisign public key, then a signature, then the signed message, then a secret key
/// ([`parts`]). An encrypted secret key is opened with [`MINISIGN_PASSWORD`] only when
/// its scrypt cost is small: the cost is the key owner's choice, and minisign's own
/// default (1 GiB of memory) would only measure scrypt.
///
/// Invariant: a parsed signature writes and reads back as itself.
pub fn minisign(data: &[u8]) {
    let p = parts(data, 4);
    let key = text(p[0]).and_then(|t| PublicKey::from_minisign(t).ok());
    if let Some(t) = text(p[1]) {
        if let Ok(sig) = MinisignSignature::parse(t) {
            let again = MinisignSignature::parse(&sig.to_file_string());
            // A carriage return that ends the untrusted comment is read as part of the
            // line end when it comes last: the only part allowed to change.
            let again = again.map(|mut a| {
                if sig.untrusted_comment.ends_with('\r') {
                    a.untrusted_comment.clone_from(&sig.untrusted_comment);
                }
                a
            });
            assert!(
                again.as_ref().ok() == Some(&sig),
                "a signature reads back: {again:?}"
            );
            if let Some(key) = &key {
                let _ = sig.verify(key, p[2]);
            }
        }
        let _ = TrustedComment::parse(t).to_string();
    }
    if let Some(t) = text(p[3]) {
        let _ = SecretKey::from_minisign(t, None);
        if secret_key_is_encrypted(t) == Some(true) && cheap_kdf(t) {
            let _ = SecretKey::from_minisign(t, Some(MINISIGN_PASSWORD));
        }
    }
}

/// Whether the scrypt limits in an encrypted minisign secret key file are small (N at
/// most 2^14, one pass), read as `SecretKey::from_minisign` reads them.
fn cheap_kdf(text: &str) -> bool {
    use base64::Engine as _;
    let Some(b64) = text
        .lines()
        .find(|l| !l.starts_with("untrusted comment:") && !l.trim().is_empty())
    else {
        return false;
    };
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) else {
        return false;
    };
    let (Some(ops), Some(mem)) = (raw.get(38..46), raw.get(46..54)) else {
        return false;
    };
    let le = |b: &[u8]| b.iter().rev().fold(0u64, |n, &x| n << 8 | u64::from(x));
    let (log_n, _, p) = KdfLimits {
        opslimit: le(ops),
        memlimit: le(mem),
    }
    .scrypt_params();
    log_n <= 14 && p <= 1
}

/// A SHA256SUMS file.
///
/// Invariant: the entries read, written again (sorted by name), read back the same.
pub fn sums(data: &[u8]) {
    let Some(t) = text(data) else { return };
    if let Ok(mut entries) = parse_sums(t) {
        let written = format_sums(&entries);
        entries.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
        let again = parse_sums(&written);
        assert!(
            again.as_ref().ok() == Some(&entries),
            "SHA256SUMS reads back: {written:?} -> {again:?}"
        );
    }
}

/// A DSSE envelope (one JSON line), then a minisign public key to verify it with, then
/// an in-toto statement ([`parts`]); the envelope's payload is read as a statement too.
///
/// Invariants: an envelope and a statement read back as themselves.
pub fn dsse(data: &[u8]) {
    let p = parts(data, 3);
    let key = text(p[1]).and_then(|t| PublicKey::from_minisign(t).ok());
    if let Some(t) = text(p[0]) {
        if let Ok(env) = Envelope::from_json(t) {
            let again = Envelope::from_json(&env.to_json_line());
            assert!(again.as_ref().ok() == Some(&env), "an envelope reads back");
            if let Ok(payload) = env.payload_bytes() {
                statement(&payload);
            }
            if let Some(key) = &key {
                let _ = env.verify(key, INTOTO_PAYLOAD_TYPE);
                let _ = env.verify(key, &env.payload_type);
            }
        }
    }
    statement(p[2]);
}

fn statement(bytes: &[u8]) {
    if let Ok(s) = ProvenanceStatement::from_json(bytes) {
        let again = ProvenanceStatement::from_json(&s.to_json());
        assert!(again.as_ref().ok() == Some(&s), "a statement reads back");
    }
}
