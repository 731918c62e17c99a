//! The SSH public key model: [`SshPublicKey`] (every key type OpenSSH signs with, and
//! OpenSSH certificates of them), its wire blob and its OpenSSH text form
//! (`KEYTYPE BASE64 [COMMENT]`), fingerprints, and how each key type verifies a
//! signature:
//!
//! | key type | signature algorithms | signed bytes |
//! |---|---|---|
//! | `ssh-ed25519` | `ssh-ed25519` | the data (strict: S < L, no small-order points) |
//! | `ssh-rsa` | `rsa-sha2-256`, `rsa-sha2-512` (never SHA-1 `ssh-rsa`) | PKCS#1 v1.5 over SHA-2 of the data |
//! | `ecdsa-sha2-nistp256/384/521` | the same name | ECDSA over SHA-256/384/512 of the data |
//! | `sk-ssh-ed25519@openssh.com` | the same name | `SHA256(application) ‖ flags ‖ counter ‖ SHA256(data)` |
//! | `sk-ecdsa-sha2-nistp256@openssh.com` | the same name | ECDSA P-256/SHA-256 over the same |
//!
//! Security-key formats are OpenSSH's PROTOCOL.u2f: the signature blob is the
//! signature, then `byte flags` and `uint32 counter`; the user-presence flag (0x01)
//! must be set.
//!
//! A certificate ([`SshCertificate`], `*-cert-v01@openssh.com`) is a key on the wire
//! and holds keys, so it is read here too; what it vouches for is checked in
//! [`crate::sshcert`]. Its blob (PROTOCOL.certkeys):
//!
//! ```text
//! string type ("ssh-ed25519-cert-v01@openssh.com", ...)   string nonce
//! <the key's fields, as in its plain blob>
//! uint64 serial   uint32 type (1 user, 2 host)   string key id
//! string valid principals   uint64 valid after   uint64 valid before
//! string critical options   string extensions   string reserved
//! string signature key      string signature (over everything before it)
//! ```
//!
//! Parsing is general: any key type is read and kept ([`SshPublicKey::Other`]), so
//! that support for more key types can be added here, in `parse_fields` and `verify`,
//! without touching the signature formats that carry keys; a key of another type never
//! verifies.
use std::fmt;

use base64::{
    engine::general_purpose::{STANDARD, STANDARD_NO_PAD},
    Engine as _,
};
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha256, Sha512};

use crate::{
    keys::PublicKey,
    wire::{put_string, Reader, WireError},
};

pub const ED25519: &str = "ssh-ed25519";
pub const RSA: &str = "ssh-rsa";
pub const SK_ED25519: &str = "sk-ssh-ed25519@openssh.com";
pub const SK_ECDSA: &str = "sk-ecdsa-sha2-nistp256@openssh.com";
/// OpenSSH refuses smaller RSA keys (`SSH_RSA_MINIMUM_MODULUS_SIZE`).
pub const RSA_MIN_BITS: usize = 1024;
/// And larger ones (`SSHBUF_MAX_BIGNUM`).
pub const RSA_MAX_BITS: usize = 16384;
/// The security key's "user present" flag.
pub const SK_USER_PRESENCE: u8 = 0x01;

/// An SSH public key. `Debug` shows the algorithm and fingerprint only.
///
/// The key types OpenSSH signs with are parsed and verified in-process (see the
/// [module docs](self)); any other type is kept as read ([`SshPublicKey::Other`]) and never
/// verifies.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SshPublicKey {
    Ed25519(VerifyingKey),
    /// `ssh-rsa`: exponent and modulus as big-endian unsigned bytes.
    Rsa {
        blob: Vec<u8>,
        e: Vec<u8>,
        n: Vec<u8>,
    },
    /// `ecdsa-sha2-nistp256/384/521`: the SEC1 point, checked to be on the curve.
    Ecdsa {
        blob: Vec<u8>,
        curve: Curve,
        point: Vec<u8>,
    },
    /// `sk-ssh-ed25519@openssh.com`: a FIDO security key's Ed25519 key.
    SkEd25519 {
        blob: Vec<u8>,
        key: VerifyingKey,
        application: String,
    },
    /// `sk-ecdsa-sha2-nistp256@openssh.com`: a FIDO security key's P-256 key.
    SkEcdsa {
        blob: Vec<u8>,
        point: Vec<u8>,
        application: String,
    },
    /// An OpenSSH certificate (`*-cert-v01@openssh.com`) of one of the types above.
    Certificate(Box<SshCertificate>),
    /// A key of another type: its algorithm name and whole wire blob, kept as read.
    Other {
        algorithm: String,
        blob: Vec<u8>,
    },
}

/// What is wrong with an OpenSSH public key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SshKeyError {
    #[error("no public key found (expected `ssh-ed25519 AAAA... [comment]`)")]
    Empty,
    #[error("line {line}: expected `KEYTYPE BASE64 [COMMENT]`, found only one word")]
    MissingBase64 { line: usize },
    #[error("line {line}: the key is not valid base64 ({detail})")]
    Base64 { line: usize, detail: String },
    #[error("public key blob: {0}")]
    Wire(#[from] WireError),
    #[error("line {line}: the line says `{line_type}` but the key inside is `{blob_type}`")]
    TypeMismatch {
        line: usize,
        line_type: String,
        blob_type: String,
    },
    #[error("the ssh-ed25519 key is {found} bytes, expected 32")]
    Length { found: usize },
    #[error("the ssh-ed25519 key is not a valid Ed25519 point")]
    InvalidPoint,
    #[error("the {algorithm} key is invalid: {detail}")]
    Invalid { algorithm: String, detail: String },
}

impl SshPublicKey {
    /// Reads a key from its wire blob.
    pub fn from_blob(blob: &[u8]) -> Result<SshPublicKey, SshKeyError> {
        let mut r = Reader::new(blob);
        let algorithm = r.text("key type")?;
        if algorithm == ED25519 {
            let pk = r.string("ed25519 key")?;
            r.finish()?;
            let pk: [u8; 32] = pk
                .try_into()
                .map_err(|_| SshKeyError::Length { found: pk.len() })?;
            let key = VerifyingKey::from_bytes(&pk).map_err(|_| SshKeyError::InvalidPoint)?;
            Ok(SshPublicKey::Ed25519(key))
        } else if is_certificate_type(algorithm) {
            let cert = SshCertificate::from_blob(blob)?;
            Ok(SshPublicKey::Certificate(Box::new(cert)))
        } else if let Some(key) = parse_fields(algorithm, &mut r, blob)? {
            r.finish()?;
            Ok(key)
        } else {
            Ok(SshPublicKey::Other {
                algorithm: algorithm.to_owned(),
                blob: blob.to_vec(),
            })
        }
    }

    pub fn to_blob(&self) -> Vec<u8> {
        match self {
            SshPublicKey::Ed25519(k) => {
                let mut v = Vec::with_capacity(51);
                put_string(&mut v, ED25519.as_bytes());
                put_string(&mut v, k.as_bytes());
                v
            }
            SshPublicKey::Rsa { blob, .. }
            | SshPublicKey::Ecdsa { blob, .. }
            | SshPublicKey::SkEd25519 { blob, .. }
            | SshPublicKey::SkEcdsa { blob, .. }
            | SshPublicKey::Other { blob, .. } => blob.clone(),
            SshPublicKey::Certificate(c) => c.blob.clone(),
        }
    }

    /// The key type, e.g. `ssh-ed25519`.
    pub fn algorithm(&self) -> &str {
        match self {
            SshPublicKey::Ed25519(_) => ED25519,
            SshPublicKey::Rsa { .. } => RSA,
            SshPublicKey::Ecdsa { curve, .. } => curve.key_type(),
            SshPublicKey::SkEd25519 { .. } => SK_ED25519,
            SshPublicKey::SkEcdsa { .. } => SK_ECDSA,
            SshPublicKey::Certificate(c) => &c.algorithm,
            SshPublicKey::Other { algorithm, .. } => algorithm,
        }
    }

    /// The key itself: for a certificate the certified key, else this key.
    pub fn plain(&self) -> &SshPublicKey {
        match self {
            SshPublicKey::Certificate(c) => &c.key,
            other => other,
        }
    }

    /// `SHA256:...`, as `ssh-keygen -l` shows it (for a certificate: its key's).
    pub fn fingerprint(&self) -> String {
        format!(
            "SHA256:{}",
            STANDARD_NO_PAD.encode(Sha256::digest(self.plain().to_blob()))
        )
    }

    /// Reads the first key of an OpenSSH public key file (`KEYTYPE BASE64 [COMMENT]`;
    /// blank lines and `#` comments are skipped). Returns the key and its comment.
    pub fn from_openssh(text: &str) -> Result<(SshPublicKey, String), SshKeyError> {
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            return SshPublicKey::from_openssh_line(i + 1, line);
        }
        Err(SshKeyError::Empty)
    }

    fn from_openssh_line(n: usize, line: &str) -> Result<(SshPublicKey, String), SshKeyError> {
        let mut words = line.split_whitespace();
        let line_type = words.next().ok_or(SshKeyError::Empty)?;
        let b64 = words.next().ok_or(SshKeyError::MissingBase64 { line: n })?;
        let comment = words.collect::<Vec<_>>().join(" ");
        let blob = STANDARD.decode(b64).map_err(|e| SshKeyError::Base64 {
            line: n,
            detail: e.to_string(),
        })?;
        let key = SshPublicKey::from_blob(&blob)?;
        if key.algorithm() != line_type {
            return Err(SshKeyError::TypeMismatch {
                line: n,
                line_type: vigil_model::excerpt(line_type),
                blob_type: key.algorithm().to_owned(),
            });
        }
        Ok((key, comment))
    }

    /// `ssh-ed25519 AAAA... comment`.
    pub fn to_openssh(&self, comment: &str) -> String {
        let mut s = format!("{} {}", self.algorithm(), STANDARD.encode(self.to_blob()));
        if !comment.is_empty() {
            s.push(' ');
            s.push_str(comment);
        }
        s
    }
}

impl fmt::Debug for SshPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SshPublicKey({} {})",
            self.algorithm(),
            self.fingerprint()
        )
    }
}

impl From<&PublicKey> for SshPublicKey {
    fn from(k: &PublicKey) -> SshPublicKey {
        SshPublicKey::Ed25519(k.key)
    }
}

/// An OpenSSH certificate (PROTOCOL.certkeys), as read from its blob. What it vouches
/// for is checked in [`crate::sshcert`] ([`SshCertificate::verify_ca`],
/// [`SshCertificate::problem_at`]).
#[derive(Clone, PartialEq, Eq)]
pub struct SshCertificate {
    pub algorithm: String,
    /// The whole certificate blob.
    pub blob: Vec<u8>,
    /// The certified key, as a plain key.
    pub key: SshPublicKey,
    pub serial: u64,
    pub cert_type: u32,
    pub key_id: String,
    pub principals: Vec<String>,
    pub valid_after: u64,
    pub valid_before: u64,
    /// Critical options by name (OpenSSH refuses a certificate with one it does not know).
    pub critical_options: Vec<String>,
    pub signature_key: SshPublicKey,
    signature: Vec<u8>,
    signed_len: usize,
}

/// True for `*-cert-v01@openssh.com` type names.
pub fn is_certificate_type(algorithm: &str) -> bool {
    algorithm.ends_with("-cert-v01@openssh.com")
}

fn plain_type(algorithm: &str) -> Option<&str> {
    let base = algorithm.strip_suffix("-cert-v01@openssh.com")?;
    Some(match base {
        "ssh-ed25519" => "ssh-ed25519",
        "ssh-rsa" => "ssh-rsa",
        "ecdsa-sha2-nistp256" => "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384" => "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521" => "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519" => "sk-ssh-ed25519@openssh.com",
        "sk-ecdsa-sha2-nistp256" => "sk-ecdsa-sha2-nistp256@openssh.com",
        _ => return None,
    })
}

fn packed_strings(b: &[u8], field: &'static str) -> Result<Vec<String>, WireError> {
    let mut r = Reader::new(b);
    let mut out = Vec::new();
    while r.position() < b.len() {
        out.push(r.text(field)?.to_owned());
    }
    Ok(out)
}

impl SshCertificate {
    pub fn from_blob(blob: &[u8]) -> Result<SshCertificate, SshKeyError> {
        let mut r = Reader::new(blob);
        let algorithm = r.text("key type")?.to_owned();
        let plain = plain_type(&algorithm).ok_or_else(|| SshKeyError::Invalid {
            algorithm: algorithm.clone(),
            detail: "unknown certificate type".into(),
        })?;
        r.string("nonce")?;
        let mut plain_blob = Vec::new();
        put_string(&mut plain_blob, plain.as_bytes());
        let key = if plain == "ssh-ed25519" {
            let pk = r.string("ed25519 key")?;
            put_string(&mut plain_blob, pk);
            SshPublicKey::from_blob(&plain_blob)?
        } else {
            // Parse the fields in place to find where they end, then re-read them as a
            // plain key blob so the key compares equal to the same key outside a cert.
            let before = r.position();
            parse_fields(plain, &mut r, &[])?;
            plain_blob.extend_from_slice(&blob[before..r.position()]);
            SshPublicKey::from_blob(&plain_blob)?
        };
        let serial = r.u64("serial")?;
        let cert_type = r.u32("certificate type")?;
        let key_id = r.text("key id")?.to_owned();
        let principals = packed_strings(r.string("valid principals")?, "principal")?;
        let valid_after = r.u64("valid after")?;
        let valid_before = r.u64("valid before")?;
        let options = r.string("critical options")?;
        let mut critical_options = Vec::new();
        let mut or = Reader::new(options);
        while or.position() < options.len() {
            critical_options.push(or.text("critical option name")?.to_owned());
            or.string("critical option value")?;
        }
        r.string("extensions")?;
        r.string("reserved")?;
        let signature_key = SshPublicKey::from_blob(r.string("signature key")?)?;
        if matches!(signature_key, SshPublicKey::Certificate(_)) {
            return Err(SshKeyError::Invalid {
                algorithm,
                detail: "the CA key is itself a certificate".into(),
            });
        }
        let signed_len = r.position();
        let signature = r.string("signature")?.to_vec();
        r.finish()?;
        Ok(SshCertificate {
            algorithm,
            blob: blob.to_vec(),
            key,
            serial,
            cert_type,
            key_id,
            principals,
            valid_after,
            valid_before,
            critical_options,
            signature_key,
            signature,
            signed_len,
        })
    }

    /// The CA's signature over the certificate (algorithm name, then its blob).
    pub(crate) fn ca_signature(&self) -> &[u8] {
        &self.signature
    }

    /// The bytes the CA signed: the certificate blob up to its signature.
    pub(crate) fn signed_bytes(&self) -> &[u8] {
        &self.blob[..self.signed_len]
    }
}

/// The NIST curves of `ecdsa-sha2-*` keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    P256,
    P384,
    P521,
}

impl Curve {
    pub fn from_name(name: &str) -> Option<Curve> {
        match name {
            "nistp256" => Some(Curve::P256),
            "nistp384" => Some(Curve::P384),
            "nistp521" => Some(Curve::P521),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Curve::P256 => "nistp256",
            Curve::P384 => "nistp384",
            Curve::P521 => "nistp521",
        }
    }

    pub fn key_type(self) -> &'static str {
        match self {
            Curve::P256 => "ecdsa-sha2-nistp256",
            Curve::P384 => "ecdsa-sha2-nistp384",
            Curve::P521 => "ecdsa-sha2-nistp521",
        }
    }

    /// Bytes in a scalar of this curve.
    fn scalar_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }

    fn check_point(self, point: &[u8]) -> bool {
        match self {
            Curve::P256 => p256::ecdsa::VerifyingKey::from_sec1_bytes(point).is_ok(),
            Curve::P384 => p384::ecdsa::VerifyingKey::from_sec1_bytes(point).is_ok(),
            Curve::P521 => p521::ecdsa::VerifyingKey::from_sec1_bytes(point).is_ok(),
        }
    }
}

fn invalid(algorithm: &str, detail: impl Into<String>) -> SshKeyError {
    SshKeyError::Invalid {
        algorithm: algorithm.to_owned(),
        detail: detail.into(),
    }
}

/// An SSH `mpint` read as an unsigned big-endian number without leading zeros.
fn mpint<'a>(r: &mut Reader<'a>, field: &'static str) -> Result<&'a [u8], WireError> {
    let b = r.string(field)?;
    let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    Ok(&b[start..])
}

/// Reads the type-specific fields of a plain key of type `algorithm` (after its name).
/// `Ok(None)`: not a type this module knows. `blob` is the whole key blob, kept.
fn parse_fields(
    algorithm: &str,
    r: &mut Reader<'_>,
    blob: &[u8],
) -> Result<Option<SshPublicKey>, SshKeyError> {
    let blob = blob.to_vec();
    let key = match algorithm {
        RSA => {
            let e = mpint(r, "rsa e")?.to_vec();
            let n = mpint(r, "rsa n")?.to_vec();
            let bits = bit_len(&n);
            if bits < RSA_MIN_BITS {
                return Err(invalid(
                    algorithm,
                    format!("{bits}-bit modulus, OpenSSH requires at least {RSA_MIN_BITS}"),
                ));
            }
            rsa_key(&e, &n).map_err(|d| invalid(algorithm, d))?;
            SshPublicKey::Rsa { blob, e, n }
        }
        "ecdsa-sha2-nistp256" | "ecdsa-sha2-nistp384" | "ecdsa-sha2-nistp521" => {
            let name = r.text("ecdsa curve")?;
            let curve = Curve::from_name(name)
                .filter(|c| c.key_type() == algorithm)
                .ok_or_else(|| {
                    invalid(
                        algorithm,
                        format!("curve {name:?} does not fit the key type"),
                    )
                })?;
            let point = r.string("ecdsa point")?.to_vec();
            if !curve.check_point(&point) {
                return Err(invalid(algorithm, "the point is not on the curve"));
            }
            SshPublicKey::Ecdsa { blob, curve, point }
        }
        SK_ED25519 => {
            let pk = r.string("ed25519 key")?;
            let pk: [u8; 32] = pk
                .try_into()
                .map_err(|_| SshKeyError::Length { found: pk.len() })?;
            let key = VerifyingKey::from_bytes(&pk).map_err(|_| SshKeyError::InvalidPoint)?;
            let application = r.text("application")?.to_owned();
            SshPublicKey::SkEd25519 {
                blob,
                key,
                application,
            }
        }
        SK_ECDSA => {
            let name = r.text("ecdsa curve")?;
            if name != "nistp256" {
                return Err(invalid(
                    algorithm,
                    format!("curve {name:?}, expected \"nistp256\""),
                ));
            }
            let point = r.string("ecdsa point")?.to_vec();
            if !Curve::P256.check_point(&point) {
                return Err(invalid(algorithm, "the point is not on the curve"));
            }
            let application = r.text("application")?.to_owned();
            SshPublicKey::SkEcdsa {
                blob,
                point,
                application,
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(key))
}

fn bit_len(n: &[u8]) -> usize {
    match n.first() {
        None => 0,
        Some(&top) => n.len() * 8 - top.leading_zeros() as usize,
    }
}

fn rsa_key(e: &[u8], n: &[u8]) -> Result<rsa::RsaPublicKey, String> {
    rsa::RsaPublicKey::new_with_max_size(
        rsa::BigUint::from_bytes_be(n),
        rsa::BigUint::from_bytes_be(e),
        RSA_MAX_BITS,
    )
    .map_err(|e| e.to_string())
}

/// Why a signature does not verify with an SSH key (the key alone: no trust decision).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    #[error("{what}: {source}")]
    Wire {
        what: &'static str,
        source: WireError,
    },
    #[error("signature algorithm {found:?} does not fit a {key} key")]
    SignatureAlgorithm { key: String, found: String },
    #[error("{algorithm} keys are not supported for verification yet")]
    UnsupportedKeyType { algorithm: String },
    #[error("the {what} is {found} bytes, expected {expected}")]
    Length {
        what: &'static str,
        expected: usize,
        found: usize,
    },
    #[error("the signature does not verify with {fingerprint}: the signed data or the signature was changed")]
    BadSignature { fingerprint: String },
    #[error("the ed25519 signature is not canonical (its S is not reduced below the group order): a malleated copy of a signature")]
    NonCanonical,
    #[error("the {algorithm} key is unusable: {detail}")]
    InvalidKey { algorithm: String, detail: String },
    #[error("the security key signature does not assert user presence (flags {flags:#04x})")]
    UserPresence { flags: u8 },
    #[error("certificate: {0}")]
    Certificate(String),
}

fn wire(what: &'static str) -> impl Fn(WireError) -> VerifyError {
    move |source| VerifyError::Wire { what, source }
}

fn bad(key: &SshPublicKey) -> VerifyError {
    VerifyError::BadSignature {
        fingerprint: key.fingerprint(),
    }
}

fn wrong_algorithm(key: &SshPublicKey, found: &str) -> VerifyError {
    VerifyError::SignatureAlgorithm {
        key: key.algorithm().to_owned(),
        found: found.to_owned(),
    }
}

/// Verifies `rest` (the signature blob after its algorithm name) over `data`.
pub(crate) fn verify(
    key: &SshPublicKey,
    algorithm: &str,
    rest: &[u8],
    data: &[u8],
) -> Result<(), VerifyError> {
    match key {
        SshPublicKey::Ed25519(k) => {
            if algorithm != ED25519 {
                return Err(wrong_algorithm(key, algorithm));
            }
            let mut r = Reader::new(rest);
            let w = wire("ed25519 signature");
            let sig = r.string("signature").map_err(&w)?;
            r.finish().map_err(&w)?;
            ed25519_strict(key, k, sig, data)
        }
        SshPublicKey::Rsa { e, n, .. } => {
            let mut r = Reader::new(rest);
            let w = wire("rsa signature");
            let sig = r.string("signature").map_err(&w)?;
            r.finish().map_err(&w)?;
            let public = rsa_key(e, n).map_err(|detail| VerifyError::InvalidKey {
                algorithm: RSA.to_owned(),
                detail,
            })?;
            let size = rsa::traits::PublicKeyParts::size(&public);
            if sig.len() > size {
                return Err(bad(key));
            }
            // OpenSSH accepts a signature shorter than the modulus (leading zeros dropped).
            let mut padded = vec![0u8; size - sig.len()];
            padded.extend_from_slice(sig);
            let sig =
                rsa::pkcs1v15::Signature::try_from(padded.as_slice()).map_err(|_| bad(key))?;
            use rsa::signature::Verifier;
            let ok = match algorithm {
                "rsa-sha2-256" => {
                    rsa::pkcs1v15::VerifyingKey::<Sha256>::new(public).verify(data, &sig)
                }
                "rsa-sha2-512" => {
                    rsa::pkcs1v15::VerifyingKey::<Sha512>::new(public).verify(data, &sig)
                }
                // `ssh-rsa` (SHA-1) is refused, as OpenSSH refuses it for SSHSIG.
                other => return Err(wrong_algorithm(key, other)),
            };
            ok.map_err(|_| bad(key))
        }
        SshPublicKey::Ecdsa { curve, point, .. } => {
            if algorithm != curve.key_type() {
                return Err(wrong_algorithm(key, algorithm));
            }
            let mut r = Reader::new(rest);
            let w = wire("ecdsa signature");
            let sig = r.string("signature").map_err(&w)?;
            r.finish().map_err(&w)?;
            ecdsa_verify(key, *curve, point, sig, data)
        }
        SshPublicKey::SkEd25519 {
            key: k,
            application,
            ..
        } => {
            if algorithm != SK_ED25519 {
                return Err(wrong_algorithm(key, algorithm));
            }
            let mut r = Reader::new(rest);
            let w = wire("sk-ed25519 signature");
            let sig = r.string("signature").map_err(&w)?;
            let flags = r.u8("flags").map_err(&w)?;
            let counter = r.u32("counter").map_err(&w)?;
            r.finish().map_err(&w)?;
            let signed = sk_signed_data(application, flags, counter, data);
            ed25519_strict(key, k, sig, &signed)?;
            user_presence(flags)
        }
        SshPublicKey::SkEcdsa {
            point, application, ..
        } => {
            if algorithm != SK_ECDSA {
                return Err(wrong_algorithm(key, algorithm));
            }
            let mut r = Reader::new(rest);
            let w = wire("sk-ecdsa signature");
            let sig = r.string("signature").map_err(&w)?;
            let flags = r.u8("flags").map_err(&w)?;
            let counter = r.u32("counter").map_err(&w)?;
            r.finish().map_err(&w)?;
            let signed = sk_signed_data(application, flags, counter, data);
            ecdsa_verify(key, Curve::P256, point, sig, &signed)?;
            user_presence(flags)
        }
        SshPublicKey::Certificate(c) => verify(&c.key, algorithm, rest, data),
        SshPublicKey::Other { algorithm, .. } => Err(VerifyError::UnsupportedKeyType {
            algorithm: algorithm.clone(),
        }),
    }
}

fn user_presence(flags: u8) -> Result<(), VerifyError> {
    if flags & SK_USER_PRESENCE == 0 {
        return Err(VerifyError::UserPresence { flags });
    }
    Ok(())
}

/// What a security key signs: `SHA256(application) ‖ flags ‖ counter ‖ SHA256(data)`.
pub fn sk_signed_data(application: &str, flags: u8, counter: u32, data: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(69);
    v.extend_from_slice(&Sha256::digest(application.as_bytes()));
    v.push(flags);
    v.extend_from_slice(&counter.to_be_bytes());
    v.extend_from_slice(&Sha256::digest(data));
    v
}

/// Ed25519 as RFC 8032 says and no looser: S must be below the group order L and the
/// key and R must not be of small order (ed25519-dalek's `verify_strict`). OpenSSH
/// checks only the top three bits of S, so it accepts `S + L`: a second, different
/// signature made from a valid one without the key.
fn ed25519_strict(
    key: &SshPublicKey,
    k: &VerifyingKey,
    sig: &[u8],
    data: &[u8],
) -> Result<(), VerifyError> {
    let sig: [u8; 64] = sig.try_into().map_err(|_| VerifyError::Length {
        what: "ed25519 signature",
        expected: 64,
        found: sig.len(),
    })?;
    let mut s = [0u8; 32];
    s.copy_from_slice(&sig[32..]);
    if !curve25519_scalar_is_canonical(&s) {
        return Err(VerifyError::NonCanonical);
    }
    k.verify_strict(data, &Signature::from_bytes(&sig))
        .map_err(|_| bad(key))
}

/// S < L, with L = 2^252 + 27742317777372353535851937790883648493 (little-endian bytes).
fn curve25519_scalar_is_canonical(s: &[u8; 32]) -> bool {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x10,
    ];
    for i in (0..32).rev() {
        if s[i] != L[i] {
            return s[i] < L[i];
        }
    }
    false
}

/// An ECDSA signature blob (`mpint r`, `mpint s`) over `data`, hashed as the curve says.
fn ecdsa_verify(
    key: &SshPublicKey,
    curve: Curve,
    point: &[u8],
    sig: &[u8],
    data: &[u8],
) -> Result<(), VerifyError> {
    let mut r = Reader::new(sig);
    let w = wire("ecdsa signature blob");
    let sr = mpint(&mut r, "r").map_err(&w)?;
    let ss = mpint(&mut r, "s").map_err(&w)?;
    r.finish().map_err(&w)?;
    let len = curve.scalar_len();
    if sr.len() > len || ss.len() > len {
        return Err(bad(key));
    }
    let mut rs = vec![0u8; 2 * len];
    rs[len - sr.len()..len].copy_from_slice(sr);
    rs[2 * len - ss.len()..].copy_from_slice(ss);
    let invalid_key = || VerifyError::InvalidKey {
        algorithm: key.algorithm().to_owned(),
        detail: "the point is not on the curve".into(),
    };
    use ecdsa::signature::Verifier;
    let ok = match curve {
        Curve::P256 => {
            let vk =
                p256::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| invalid_key())?;
            let sig = p256::ecdsa::Signature::from_slice(&rs).map_err(|_| bad(key))?;
            vk.verify(data, &sig)
        }
        Curve::P384 => {
            let vk =
                p384::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| invalid_key())?;
            let sig = p384::ecdsa::Signature::from_slice(&rs).map_err(|_| bad(key))?;
            vk.verify(data, &sig)
        }
        Curve::P521 => {
            let vk =
                p521::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| invalid_key())?;
            let sig = p521::ecdsa::Signature::from_slice(&rs).map_err(|_| bad(key))?;
            vk.verify(data, &sig)
        }
    };
    ok.map_err(|_| bad(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_scalars() {
        let mut s = [0u8; 32];
        assert!(curve25519_scalar_is_canonical(&s));
        s[31] = 0x10;
        assert!(curve25519_scalar_is_canonical(&s)); // 2^252 < L
        s = [0xff; 32];
        s[31] = 0x0f;
        assert!(curve25519_scalar_is_canonical(&s));
        let l: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        assert!(!curve25519_scalar_is_canonical(&l));
        let mut below = l;
        below[0] -= 1;
        assert!(curve25519_scalar_is_canonical(&below));
    }

    #[test]
    fn sk_data_layout() {
        let d = sk_signed_data("ssh:", 1, 7, b"x");
        assert_eq!(d.len(), 69);
        assert_eq!(d[32], 1);
        assert_eq!(&d[33..37], &[0, 0, 0, 7]);
    }

    #[test]
    fn malformed_keys_get_precise_errors() {
        let e = |t: &str| SshPublicKey::from_openssh(t).unwrap_err().to_string();
        assert!(e("").contains("no public key"));
        assert!(e("ssh-ed25519").contains("only one word"));
        assert!(e("ssh-ed25519 AAA!").contains("base64"));
        assert!(
            e("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAII4qGrJ74eTnTBHMrZZfDKV/Fu8CwS2xvHH388l2mdHr")
                .contains("says `ssh-rsa`")
        );
        let m = e("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII4qGrJ74eTnTBHMrZZfDKV/Fu8CwS2xvHH388l2");
        assert!(m.contains("truncated"), "{m}");
    }

    #[test]
    fn truncated_certificates_are_errors() {
        let mut blob = Vec::new();
        put_string(&mut blob, b"ssh-ed25519-cert-v01@openssh.com");
        put_string(&mut blob, b"nonce");
        put_string(&mut blob, &[1; 32]);
        for n in 0..blob.len() {
            assert!(SshCertificate::from_blob(&blob[..n]).is_err());
        }
        assert!(SshCertificate::from_blob(&blob).is_err());
        assert!(is_certificate_type("ssh-rsa-cert-v01@openssh.com"));
        assert_eq!(
            plain_type("sk-ssh-ed25519-cert-v01@openssh.com"),
            Some("sk-ssh-ed25519@openssh.com")
        );
    }
}
