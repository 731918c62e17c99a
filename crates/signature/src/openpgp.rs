//! OpenPGP signatures (RFC 4880 / RFC 9580) checked in-process with the `pgp` crate
//! against a keyring of public keys: no `gpg`, no trust database, no agent.
//!
//! A key's state is read from its own self-signatures when the keyring is loaded, each
//! self-signature checked cryptographically (one that does not verify is ignored):
//!
//! - user IDs count only with a valid self-certification; their e-mail addresses are
//!   the key's principals;
//! - the primary key's expiry and flags come from its newest valid self-signature;
//!   a valid key revocation signature revokes it;
//! - a subkey counts only with a valid binding signature (and, when it signs, a valid
//!   embedded back-signature); its expiry and flags come from the newest one, and a
//!   valid subkey revocation revokes it.
//!
//! A signature is then matched to a key by its issuer fingerprint (or key id), checked
//! over the payload, and judged at the verification time: revoked, expired, or a key
//! not allowed to sign are each reported as such.
use std::io::Cursor;

use pgp::{
    composed::{Deserializable, SignedPublicKey},
    packet::{Packet, PacketParser, Signature, SignatureType},
    types::{KeyDetails, Tag},
};

/// A keyring could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}:{line}: {message}")]
pub struct KeyringError {
    pub source_name: String,
    /// Where the failing key block starts (1 for binary keyrings).
    pub line: usize,
    pub message: String,
}

struct Subkey {
    fingerprint: String,
    key_id: String,
    bound: bool,
    can_sign: bool,
    expires: Option<i64>,
    revoked: Option<String>,
}

struct Cert {
    key: SignedPublicKey,
    fingerprint: String,
    key_id: String,
    user_ids: Vec<String>,
    can_sign: bool,
    expires: Option<i64>,
    revoked: Option<String>,
    subkeys: Vec<Subkey>,
}

/// Trusted OpenPGP public keys.
pub struct Keyring {
    pub source: String,
    certs: Vec<Cert>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fps: Vec<&str> = self.certs.iter().map(|c| c.fingerprint.as_str()).collect();
        write!(f, "Keyring({}, {fps:?})", self.source)
    }
}

/// What checking a signature found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PgpStatus {
    Good,
    /// The signature does not verify with the key its issuer names.
    Bad,
    /// No key of the keyring issued it.
    UnknownKey,
    /// The key (or the signature itself) expired before the verification time.
    Expired,
    Revoked,
    /// The key exists but may not make this signature (not a signing key, no binding).
    NotUsable,
    /// The signature cannot be read.
    Malformed,
}

/// The result of checking one signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgpVerdict {
    pub status: PgpStatus,
    /// Fingerprint of the key or subkey that made it (or the issuer it names).
    pub fingerprint: Option<String>,
    /// Fingerprint of the primary key.
    pub primary_fingerprint: Option<String>,
    /// The key's valid user IDs (`Name <email>`).
    pub user_ids: Vec<String>,
    pub reason: String,
}

impl PgpVerdict {
    fn new(status: PgpStatus, reason: impl Into<String>) -> PgpVerdict {
        PgpVerdict {
            status,
            fingerprint: None,
            primary_fingerprint: None,
            user_ids: Vec::new(),
            reason: reason.into(),
        }
    }

    /// The e-mail addresses of the user IDs (lower-cased).
    pub fn emails(&self) -> Vec<String> {
        self.user_ids.iter().filter_map(|u| email_of(u)).collect()
    }
}

/// The address in `Name <addr>` (or the whole ID when it is a bare address), lower-cased.
pub fn email_of(user_id: &str) -> Option<String> {
    if let (Some(a), Some(b)) = (user_id.rfind('<'), user_id.rfind('>')) {
        if a < b {
            return Some(user_id[a + 1..b].trim().to_ascii_lowercase());
        }
    }
    let t = user_id.trim();
    (t.contains('@') && !t.contains(' ')).then(|| t.to_ascii_lowercase())
}

fn hex_upper(bytes: &[u8]) -> String {
    crate::hex::hex(bytes).to_ascii_uppercase()
}

fn secs(t: pgp::types::Timestamp) -> i64 {
    i64::from(t.as_secs())
}

fn created(sig: &Signature) -> i64 {
    sig.created().map(secs).unwrap_or(0)
}

/// Expiry of a key created at `created`, from a self-signature's key-expiration subpacket.
fn expiry(created: i64, sig: &Signature) -> Option<i64> {
    sig.key_expiration_time()
        .filter(|d| d.as_secs() > 0)
        .map(|d| created + i64::from(d.as_secs()))
}

fn revocation_reason(sig: &Signature) -> String {
    let text = sig
        .revocation_reason_string()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    let code = sig
        .revocation_reason_code()
        .map(|c| format!("{c:?}"))
        .unwrap_or_else(|| "no reason given".into());
    if text.is_empty() {
        format!("revoked at {} ({code})", created(sig))
    } else {
        format!("revoked at {} ({code}: {text})", created(sig))
    }
}

impl Cert {
    fn new(key: SignedPublicKey) -> Cert {
        let primary = &key.primary_key;
        let key_created = secs(primary.created_at());
        let mut newest: Option<&Signature> = None;
        let mut user_ids = Vec::new();
        for user in &key.details.users {
            let mut valid = false;
            for sig in &user.signatures {
                if sig
                    .verify_certification(primary, Tag::UserId, &user.id)
                    .is_ok()
                {
                    valid = true;
                    if newest.is_none_or(|n| created(sig) > created(n)) {
                        newest = Some(sig);
                    }
                }
            }
            if valid {
                user_ids.push(String::from_utf8_lossy(user.id.id()).into_owned());
            }
        }
        for sig in &key.details.direct_signatures {
            if sig.typ() == Some(SignatureType::Key)
                && sig.verify_key(primary).is_ok()
                && newest.is_none_or(|n| created(sig) > created(n))
            {
                newest = Some(sig);
            }
        }
        let revoked = key
            .details
            .revocation_signatures
            .iter()
            .find(|s| {
                s.typ() == Some(SignatureType::KeyRevocation) && s.verify_key(primary).is_ok()
            })
            .map(revocation_reason);
        let (can_sign, expires) = match newest {
            Some(sig) => {
                let flags = sig.key_flags();
                // No key-flags subpacket: the primary key may sign (RFC 4880 keys).
                let any_flag = flags.certify()
                    || flags.sign()
                    || flags.encrypt_comms()
                    || flags.encrypt_storage()
                    || flags.authentication();
                (!any_flag || flags.sign(), expiry(key_created, sig))
            }
            None => (false, None),
        };
        let subkeys = key
            .public_subkeys
            .iter()
            .map(|sub| {
                let sub_created = secs(sub.key.created_at());
                let mut binding: Option<&Signature> = None;
                let mut revoked = None;
                for sig in &sub.signatures {
                    if sig.verify_subkey_binding(primary, &sub.key).is_err() {
                        continue;
                    }
                    match sig.typ() {
                        Some(SignatureType::SubkeyRevocation) => {
                            revoked = Some(revocation_reason(sig));
                        }
                        Some(SignatureType::SubkeyBinding) => {
                            let backsig_ok = !sig.key_flags().sign()
                                || sig.embedded_signature().is_some_and(|b| {
                                    b.verify_primary_key_binding(&sub.key, primary).is_ok()
                                });
                            if backsig_ok && binding.is_none_or(|n| created(sig) > created(n)) {
                                binding = Some(sig);
                            }
                        }
                        _ => {}
                    }
                }
                Subkey {
                    fingerprint: hex_upper(sub.key.fingerprint().as_bytes()),
                    key_id: hex_upper(sub.key.legacy_key_id().as_ref()),
                    bound: binding.is_some(),
                    can_sign: binding.is_some_and(|b| b.key_flags().sign()),
                    expires: binding.and_then(|b| expiry(sub_created, b)),
                    revoked,
                }
            })
            .collect();
        Cert {
            fingerprint: hex_upper(primary.fingerprint().as_bytes()),
            key_id: hex_upper(primary.legacy_key_id().as_ref()),
            key,
            user_ids,
            can_sign,
            expires,
            revoked,
            subkeys,
        }
    }
}

/// Splits armored text into its `-----BEGIN PGP PUBLIC KEY BLOCK-----` blocks, each with
/// the line it starts on.
fn armored_blocks(text: &str) -> Vec<(usize, String)> {
    let mut blocks: Vec<(usize, String)> = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        if line
            .trim_end()
            .starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----")
        {
            if let Some(b) = current.take() {
                blocks.push(b);
            }
            current = Some((i + 1, String::new()));
        }
        if let Some((_, body)) = current.as_mut() {
            body.push_str(line.trim_end_matches('\r'));
            body.push('\n');
            if line
                .trim_end()
                .starts_with("-----END PGP PUBLIC KEY BLOCK-----")
            {
                if let Some(b) = current.take() {
                    blocks.push(b);
                }
            }
        }
    }
    if let Some(b) = current {
        blocks.push(b);
    }
    blocks
}

/// What a file given as a keyring is instead, when that can be told: an OpenPGP packet
/// starts with a byte whose high bit is set, so text never is one.
fn not_a_keyring(bytes: &[u8]) -> Option<&'static str> {
    let text = std::str::from_utf8(bytes).unwrap_or("").trim_start();
    let first_word = text.split_whitespace().next().unwrap_or("");
    if ["ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-"]
        .iter()
        .any(|p| first_word.starts_with(p))
    {
        return Some("this is an SSH public key");
    }
    if text.starts_with("untrusted comment:") {
        return Some("this is a minisign key");
    }
    if text.contains("-----BEGIN PGP") {
        return None;
    }
    if text.starts_with("-----BEGIN") {
        return Some("this is a PEM file, not an OpenPGP key");
    }
    match bytes.first() {
        None => Some("the file is empty"),
        Some(b) if b & 0x80 == 0 => {
            Some("this is not an OpenPGP keyring (it starts with text, not an OpenPGP packet)")
        }
        Some(_) => None,
    }
}

impl Keyring {
    /// Reads armored public key blocks (any number, with text between them) or a binary
    /// keyring. Every key must parse: a corrupt keyring is an error naming where.
    pub fn parse(source: &str, bytes: &[u8]) -> Result<Keyring, KeyringError> {
        // The OpenPGP parser is a dependency: whatever it does on hostile input, a
        // corrupt keyring is an error, never a crash.
        std::panic::catch_unwind(|| Keyring::parse_inner(source, bytes)).unwrap_or_else(|_| {
            Err(KeyringError {
                source_name: source.to_owned(),
                line: 1,
                message: "the OpenPGP parser failed on this keyring".into(),
            })
        })
    }

    fn parse_inner(source: &str, bytes: &[u8]) -> Result<Keyring, KeyringError> {
        let err = |line: usize, message: String| KeyringError {
            source_name: source.to_owned(),
            line,
            message,
        };
        let mut keys = Vec::new();
        let text = std::str::from_utf8(bytes).ok();
        match text {
            Some(text) if text.contains("-----BEGIN PGP") => {
                let blocks = armored_blocks(text);
                if blocks.is_empty() {
                    return Err(err(
                        1,
                        "no `-----BEGIN PGP PUBLIC KEY BLOCK-----` found".into(),
                    ));
                }
                for (line, block) in blocks {
                    if !block.contains("-----END PGP PUBLIC KEY BLOCK-----") {
                        return Err(err(line, "the key block has no `-----END PGP PUBLIC KEY BLOCK-----` line (truncated?)".into()));
                    }
                    let (iter, _) =
                        SignedPublicKey::from_armor_many(Cursor::new(block.into_bytes()))
                            .map_err(|e| err(line, format!("the key block cannot be read: {e}")))?;
                    let mut n = 0;
                    for key in iter {
                        let key = key.map_err(|e| {
                            err(line, format!("the key block holds a corrupt key: {e}"))
                        })?;
                        keys.push(key);
                        n += 1;
                    }
                    if n == 0 {
                        return Err(err(line, "the key block holds no public key".into()));
                    }
                }
            }
            _ => {
                if let Some(what) = not_a_keyring(bytes) {
                    return Err(err(1, format!("{what}; expected an OpenPGP keyring (armored `-----BEGIN PGP PUBLIC KEY BLOCK-----`, or binary as `gpg --export` writes it)")));
                }
                let iter =
                    SignedPublicKey::from_bytes_many(Cursor::new(bytes.to_vec())).map_err(|e| {
                        err(
                            1,
                            format!(
                                "not an OpenPGP keyring: {}",
                                vigil_model::sanitize(&e.to_string(), 160)
                            ),
                        )
                    })?;
                for key in iter {
                    keys.push(key.map_err(|e| err(1, format!("a corrupt key: {e}")))?);
                }
                if keys.is_empty() {
                    return Err(err(1, "no public key found (expected armored `-----BEGIN PGP PUBLIC KEY BLOCK-----` or a binary keyring)".into()));
                }
            }
        }
        Ok(Keyring {
            source: source.to_owned(),
            certs: keys.into_iter().map(Cert::new).collect(),
        })
    }

    /// A keyring with no key (every signature's issuer is unknown to it).
    pub fn empty(source: &str) -> Keyring {
        Keyring {
            source: source.to_owned(),
            certs: Vec::new(),
        }
    }

    /// How many primary keys it holds.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    /// Primary fingerprints, upper-case hex.
    pub fn fingerprints(&self) -> Vec<String> {
        self.certs.iter().map(|c| c.fingerprint.clone()).collect()
    }

    /// Checks the armored detached signature of a git commit or tag over `payload` at
    /// time `at` (Unix seconds). Only one shape is read ([`read_signature`]): anything a
    /// third party could change without the key, and anything whose meaning depends on
    /// which part a verifier looks at, is [`PgpStatus::Malformed`].
    pub fn verify(&self, signature: &[u8], payload: &[u8], at: i64) -> PgpVerdict {
        let run = std::panic::AssertUnwindSafe(|| self.verify_inner(signature, payload, at));
        std::panic::catch_unwind(run).unwrap_or_else(|_| {
            PgpVerdict::new(
                PgpStatus::Malformed,
                "the OpenPGP parser failed on this signature",
            )
        })
    }

    fn verify_inner(&self, signature: &[u8], payload: &[u8], at: i64) -> PgpVerdict {
        let sig = match read_signature(signature) {
            Ok(s) => s,
            Err(reason) => return PgpVerdict::new(PgpStatus::Malformed, reason),
        };
        let fps: Vec<String> = sig
            .issuer_fingerprint()
            .iter()
            .map(|f| hex_upper(f.as_bytes()))
            .collect();
        let ids: Vec<String> = sig
            .issuer_key_id()
            .iter()
            .map(|k| hex_upper(k.as_ref()))
            .collect();
        let issuer = fps.first().or(ids.first()).cloned();
        let matches = |fp: &str, id: &str| {
            fps.iter().any(|f| f == fp) || (fps.is_empty() && ids.iter().any(|i| i == id))
        };
        for cert in &self.certs {
            let mut base = PgpVerdict::new(PgpStatus::Good, "");
            base.primary_fingerprint = Some(cert.fingerprint.clone());
            base.user_ids = cert.user_ids.clone();
            if matches(&cert.fingerprint, &cert.key_id) {
                base.fingerprint = Some(cert.fingerprint.clone());
                let checked = sig.verify(&cert.key.primary_key, payload);
                return judge(
                    base,
                    checked,
                    &sig,
                    cert.revoked.as_deref(),
                    cert.expires,
                    cert.expires,
                    cert.can_sign,
                    true,
                    at,
                );
            }
            for (i, sub) in cert.subkeys.iter().enumerate() {
                if matches(&sub.fingerprint, &sub.key_id) {
                    base.fingerprint = Some(sub.fingerprint.clone());
                    let Some(signed) = cert.key.public_subkeys.get(i) else {
                        continue;
                    };
                    let checked = sig.verify(&signed.key, payload);
                    let revoked = cert.revoked.as_deref().or(sub.revoked.as_deref());
                    return judge(
                        base,
                        checked,
                        &sig,
                        revoked,
                        cert.expires,
                        sub.expires,
                        sub.can_sign,
                        sub.bound,
                        at,
                    );
                }
            }
        }
        let mut v = PgpVerdict::new(
            PgpStatus::UnknownKey,
            match &issuer {
                Some(i) => format!("no key in {} issued it (issuer {i})", self.source),
                None => "the signature names no issuer".to_owned(),
            },
        );
        v.fingerprint = issuer;
        v
    }
}

pub const BEGIN: &str = "-----BEGIN PGP SIGNATURE-----";
pub const END: &str = "-----END PGP SIGNATURE-----";

/// The name of an OpenPGP packet tag (RFC 9580 §5).
fn packet_name(tag: u8) -> String {
    let name = match tag {
        1 => "public-key encrypted session key",
        2 => "signature",
        3 => "symmetric-key encrypted session key",
        4 => "one-pass signature",
        5 => "secret key",
        6 => "public key",
        7 => "secret subkey",
        8 => "compressed data",
        9 => "symmetrically encrypted data",
        10 => "marker",
        11 => "literal data",
        12 => "trust",
        13 => "user ID",
        14 => "public subkey",
        17 => "user attribute",
        18 => "encrypted and integrity protected data",
        19 => "modification detection code",
        21 => "padding",
        _ => "unknown",
    };
    format!("{name} (tag {tag})")
}

/// The packets of `data` as (tag, where it starts, header length, body length), each
/// header in its one shortest encoding: a partial or indeterminate length, or a length
/// written longer than it needs, re-encodes the same packet without the key.
fn packets(data: &[u8]) -> Result<Vec<(u8, usize, usize, usize)>, String> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let h = &data[at..];
        let b = |i: usize| {
            h.get(i)
                .map(|&b| b as usize)
                .ok_or_else(|| format!("the packet header at byte {at} is cut short"))
        };
        let ctb = h[0];
        if ctb & 0x80 == 0 {
            return Err(format!(
                "byte {at} (0x{ctb:02x}) does not start an OpenPGP packet"
            ));
        }
        let (tag, hlen, len, minimal) = if ctb & 0x40 != 0 {
            let tag = ctb & 0x3f;
            match b(1)? {
                n @ 0..=191 => (tag, 2, n, true),
                n @ 192..=223 => (tag, 3, ((n - 192) << 8) + b(2)? + 192, true),
                255 => {
                    let n = (b(2)? << 24) | (b(3)? << 16) | (b(4)? << 8) | b(5)?;
                    (tag, 6, n, n >= 8384)
                }
                _ => {
                    return Err(format!(
                        "the {} packet at byte {at} has a partial length",
                        packet_name(tag)
                    ))
                }
            }
        } else {
            let tag = (ctb >> 2) & 0x0f;
            match ctb & 3 {
                0 => (tag, 2, b(1)?, true),
                1 => {
                    let n = (b(1)? << 8) | b(2)?;
                    (tag, 3, n, n >= 256)
                }
                2 => {
                    let n = (b(1)? << 24) | (b(2)? << 16) | (b(3)? << 8) | b(4)?;
                    (tag, 5, n, n >= 65536)
                }
                _ => {
                    return Err(format!(
                        "the {} packet at byte {at} has an indeterminate length",
                        packet_name(tag)
                    ))
                }
            }
        };
        if !minimal {
            return Err(format!(
                "the {} packet at byte {at} writes its length {len} in more bytes than it needs",
                packet_name(tag)
            ));
        }
        let end = at.saturating_add(hlen).saturating_add(len);
        if end > data.len() {
            return Err(format!(
                "the {} packet at byte {at} is cut short: {len} bytes announced, {} there",
                packet_name(tag),
                data.len().saturating_sub(at + hlen)
            ));
        }
        out.push((tag, at, hlen, len));
        at = end;
    }
    Ok(out)
}

/// Reads the signature of a git commit or tag: canonical armor ([`crate::armor`]),
/// exactly one packet, a signature, whose type is a binary-document signature (0x00).
/// Several signatures (or a signature beside any other packet) would be judged by
/// whichever one a verifier looks at; a canonical-text signature (0x01) ignores line
/// endings, so a commit whose message was rewritten would still verify.
pub fn read_signature(armored: &[u8]) -> Result<Signature, String> {
    let a = crate::armor::decode(armored, BEGIN, END, true)
        .map_err(|e| format!("the OpenPGP signature's armor is not canonical: {e}"))?;
    let found = packets(&a.data).map_err(|e| format!("the OpenPGP signature block: {e}"))?;
    match found.as_slice() {
        [(2, ..)] => {}
        [] => return Err("the OpenPGP signature block holds no packet".into()),
        many => {
            let names: Vec<String> = many.iter().map(|p| packet_name(p.0)).collect();
            return Err(format!(
                "the OpenPGP signature block holds {} packets ({}); vigil accepts exactly one signature packet",
                many.len(),
                names.join(", ")
            ));
        }
    }
    let sig = match PacketParser::new(Cursor::new(&a.data[..])).next() {
        Some(Ok(Packet::Signature(s))) => s,
        Some(Err(e)) => return Err(format!("the OpenPGP signature cannot be read: {e}")),
        _ => return Err("the OpenPGP signature cannot be read".into()),
    };
    match sig.typ() {
        Some(SignatureType::Binary) => Ok(sig),
        Some(SignatureType::Text) => Err("a canonical-text OpenPGP signature (type 0x01, `gpg --textmode`): it ignores line endings, so a commit or tag whose message was rewritten still verifies; vigil accepts only binary-document signatures (type 0x00)".into()),
        Some(t) => Err(format!("an OpenPGP signature of type 0x{:02x} ({t:?}); a commit or tag needs a binary-document signature (type 0x00)", u8::from(t))),
        None => Err("an OpenPGP signature of no known type; a commit or tag needs a binary-document signature (type 0x00)".into()),
    }
}

#[allow(clippy::too_many_arguments)]
fn judge(
    mut v: PgpVerdict,
    checked: pgp::errors::Result<()>,
    sig: &Signature,
    revoked: Option<&str>,
    primary_expires: Option<i64>,
    expires: Option<i64>,
    can_sign: bool,
    bound: bool,
    at: i64,
) -> PgpVerdict {
    let set = |mut v: PgpVerdict, status, reason: String| {
        v.status = status;
        v.reason = reason;
        v
    };
    if let Err(e) = checked {
        return set(
            v,
            PgpStatus::Bad,
            format!("the signature does not verify: {e}"),
        );
    }
    if let Some(r) = revoked {
        return set(v, PgpStatus::Revoked, format!("the key was {r}"));
    }
    if !bound {
        return set(
            v,
            PgpStatus::NotUsable,
            "the subkey has no valid binding signature".into(),
        );
    }
    if !can_sign {
        return set(
            v,
            PgpStatus::NotUsable,
            "the key is not marked for signing".into(),
        );
    }
    for e in [primary_expires, expires].into_iter().flatten() {
        if e <= at {
            return set(
                v,
                PgpStatus::Expired,
                format!("the key expired at {e} (Unix time), before the verification time {at}"),
            );
        }
    }
    if let Some(d) = sig.signature_expiration_time().filter(|d| d.as_secs() > 0) {
        let end = created(sig) + i64::from(d.as_secs());
        if end <= at {
            return set(
                v,
                PgpStatus::Expired,
                format!("the signature itself expired at {end} (Unix time)"),
            );
        }
    }
    v.reason = "good signature".into();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrupt_keyrings_are_named() {
        let e = Keyring::parse("k.asc", b"hello").unwrap_err().to_string();
        assert!(e.starts_with("k.asc:1:"), "{e}");
        let e = Keyring::parse(
            "k.asc",
            b"# keys\n\n-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBF\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("k.asc:3:") && e.contains("truncated"), "{e}");
        let e = Keyring::parse(
            "k.asc",
            b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnotbase64!!\n-----END PGP PUBLIC KEY BLOCK-----\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("k.asc:1:"), "{e}");
        assert!(Keyring::parse("k.gpg", &[0x99, 0x01]).is_err());
    }

    #[test]
    fn emails() {
        assert_eq!(email_of("Ada <Ada@X.org>").as_deref(), Some("ada@x.org"));
        assert_eq!(email_of("ada@x.org").as_deref(), Some("ada@x.org"));
        assert_eq!(email_of("Ada Lovelace"), None);
    }

    #[test]
    fn garbage_signatures_are_malformed() {
        let k = Keyring {
            source: "k".into(),
            certs: Vec::new(),
        };
        let v = k.verify(
            b"-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n",
            b"x",
            0,
        );
        assert_eq!(v.status, PgpStatus::Malformed);
        let v = k.verify(b"", b"x", 0);
        assert_eq!(v.status, PgpStatus::Malformed);
    }
}
