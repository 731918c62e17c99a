//! minisign's formats (<https://jedisct1.github.io/minisign/>): public keys, secret key
//! files (scrypt-encrypted or not), and signatures: prehashed `ED` (Ed25519 over the
//! BLAKE2b-512 of the file, what minisign ≥ 0.11 writes) and legacy `Ed` (Ed25519 over
//! the file itself, verify only), each with a trusted comment signed by a second,
//! "global" signature over the signature and the comment.
//!
//! Layouts (all base64 on the line after an `untrusted comment: ` line):
//!
//! ```text
//! public key  "Ed" || key_id[8] || ed25519_pk[32]
//! signature   "ED" or "Ed" || key_id[8] || ed25519_sig[64]
//!             then "trusted comment: <text>" and base64(ed25519_sig(sig[64] || text))
//! secret key  "Ed" || kdf "Sc" or "\0\0" || "B2" || salt[32] || opslimit u64le || memlimit u64le
//!             || ( key_id[8] || seed[32] || pk[32] || checksum[32] ) XOR scrypt(password, salt)
//!             checksum = BLAKE2b-256("Ed" || key_id || seed || pk)
//! ```
use std::fmt;

use base64::{
    alphabet,
    engine::{general_purpose::STANDARD, DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig},
    Engine as _,
};
use blake2::{digest::consts::U32, Blake2b, Blake2b512, Digest};
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use crate::keys::{KeyId, Protocol, PublicKey, SecretKey, SignError};

const SIG_ALG: &[u8; 2] = b"Ed";
const SIG_ALG_PREHASHED: &[u8; 2] = b"ED";
const KDF_SCRYPT: &[u8; 2] = b"Sc";
const KDF_NONE: &[u8; 2] = b"\0\0";
const CHK_BLAKE2B: &[u8; 2] = b"B2";
const UNTRUSTED: &str = "untrusted comment: ";
const TRUSTED: &str = "trusted comment: ";
/// minisign's limit on a trusted comment.
pub const TRUSTED_COMMENT_MAX: usize = 8192;

/// Decoding accepts missing padding, so that a truncated line is reported by its length.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

const PUBLIC_KEY_LEN: usize = 2 + 8 + 32;
const SIGNATURE_LEN: usize = 2 + 8 + 64;
const SECRET_HEADER_LEN: usize = 2 + 2 + 2 + 32 + 8 + 8;
const SECRET_PAYLOAD_LEN: usize = 8 + 64 + 32;
const SECRET_KEY_LEN: usize = SECRET_HEADER_LEN + SECRET_PAYLOAD_LEN;

/// The incremental hasher for prehashed (`ED`) signatures.
pub type Prehasher = Blake2b512;

/// BLAKE2b-512 of `msg`: what a prehashed signature signs.
pub fn prehash(msg: &[u8]) -> [u8; 64] {
    Prehasher::digest(msg).into()
}

/// What is wrong with a minisign key or signature, or why one does not verify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MinisignError {
    #[error("the file is empty")]
    Empty,
    #[error("line {line}: expected a line starting with `{expected}`")]
    MissingPrefix { line: usize, expected: &'static str },
    #[error("line {line}: missing; expected {expected}")]
    MissingLine { line: usize, expected: &'static str },
    #[error("line {line}: the {what} is not valid base64 ({detail})")]
    Base64 {
        line: usize,
        what: &'static str,
        detail: String,
    },
    #[error("line {line}: the {what} decodes to {found} bytes, expected {expected}")]
    Length {
        line: usize,
        what: &'static str,
        expected: usize,
        found: usize,
    },
    #[error("line {line}: the {what} has algorithm id {found}, expected {expected}")]
    Algorithm {
        line: usize,
        what: &'static str,
        found: String,
        expected: &'static str,
    },
    #[error("line {line}: {extra} unexpected line(s) after the {what}")]
    Trailing {
        line: usize,
        what: &'static str,
        extra: usize,
    },
    #[error("line {line}: the trusted comment {problem}")]
    TrustedComment { line: usize, problem: String },
    #[error("the public key is not a valid Ed25519 point")]
    InvalidPublicKey,
    #[error("the secret key is encrypted: a password is needed")]
    PasswordRequired,
    #[error("wrong password (the decrypted key fails its checksum)")]
    WrongPassword,
    #[error("the secret key fails its checksum: the file is corrupt")]
    BadChecksum,
    #[error("the secret key's public half does not match its seed: the file is corrupt")]
    KeyMismatch,
    #[error(
        "the key file's scrypt limits (opslimit {opslimit}, memlimit {memlimit}) ask for more than vigil allows (2 GiB of memory, p <= 16)"
    )]
    KdfLimits { opslimit: u64, memlimit: u64 },
    #[error("scrypt failed: {0}")]
    Kdf(String),
    #[error("signed by key id {signature}, but the public key's id is {key}: wrong key")]
    KeyIdMismatch { signature: KeyId, key: KeyId },
    #[error("the signature does not verify with key {key_id}: the signed data or the signature was changed")]
    BadSignature { key_id: KeyId },
    #[error("the trusted comment's signature does not verify with key {key_id}: the trusted comment was changed")]
    BadCommentSignature { key_id: KeyId },
    #[error("a legacy (`Ed`) signature signs the whole file, not its digest")]
    LegacyNeedsMessage,
    #[error(transparent)]
    Sign(#[from] SignError),
}

fn b64(line: usize, what: &'static str, text: &str) -> Result<Vec<u8>, MinisignError> {
    LENIENT
        .decode(text.trim())
        .map_err(|e| MinisignError::Base64 {
            line,
            what,
            detail: e.to_string(),
        })
}

fn b64_secret(line: usize, text: &str) -> Result<Zeroizing<Vec<u8>>, MinisignError> {
    let mut out = Zeroizing::new(Vec::with_capacity(SECRET_KEY_LEN + 3));
    LENIENT
        .decode_vec(text.trim(), &mut out)
        .map_err(|e| MinisignError::Base64 {
            line,
            what: "secret key",
            detail: e.to_string(),
        })?;
    Ok(out)
}

fn alg_name(b: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(b))
}

/// Lines without their line ends, numbered from 1, blank lines at the end dropped.
fn lines(text: &str) -> Vec<(usize, &str)> {
    let mut v: Vec<(usize, &str)> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .collect();
    while v.last().is_some_and(|(_, l)| l.trim().is_empty()) {
        v.pop();
    }
    v
}

/// The line number and text of the base64 line of a key file: an `untrusted comment:`
/// line, then exactly one base64 line. With `bare_allowed`, a lone base64 line (as
/// `minisign -P` takes a public key) is accepted too.
fn comment_then_base64<'a>(
    text: &'a str,
    what: &'static str,
    missing: &'static str,
    bare_allowed: bool,
) -> Result<(usize, &'a str), MinisignError> {
    let lines = lines(text);
    match lines.as_slice() {
        [] => Err(MinisignError::Empty),
        [(n, only)] if bare_allowed && !only.starts_with(UNTRUSTED) => Ok((*n, *only)),
        [(n, first), rest @ ..] => {
            if !first.starts_with(UNTRUSTED) {
                return Err(MinisignError::MissingPrefix {
                    line: *n,
                    expected: UNTRUSTED,
                });
            }
            match rest {
                [] => Err(MinisignError::MissingLine {
                    line: n + 1,
                    expected: missing,
                }),
                [(n2, key)] => Ok((*n2, *key)),
                [(n2, _), more @ ..] => Err(MinisignError::Trailing {
                    line: n2 + 1,
                    what,
                    extra: more.len(),
                }),
            }
        }
    }
}

impl PublicKey {
    /// A public key file (`untrusted comment:` line, then the base64 key), or the bare
    /// base64 key alone (as `minisign -P` takes it).
    pub fn from_minisign(text: &str) -> Result<PublicKey, MinisignError> {
        let (line, b) = comment_then_base64(text, "public key", "the base64 public key", true)?;
        let raw = b64(line, "public key", b)?;
        if raw.len() != PUBLIC_KEY_LEN {
            return Err(MinisignError::Length {
                line,
                what: "public key",
                expected: PUBLIC_KEY_LEN,
                found: raw.len(),
            });
        }
        if &raw[..2] != SIG_ALG {
            return Err(MinisignError::Algorithm {
                line,
                what: "public key",
                found: alg_name(&raw[..2]),
                expected: "\"Ed\"",
            });
        }
        let mut id = [0u8; 8];
        id.copy_from_slice(&raw[2..10]);
        let mut pk = [0u8; 32];
        pk.copy_from_slice(&raw[10..42]);
        let key = VerifyingKey::from_bytes(&pk).map_err(|_| MinisignError::InvalidPublicKey)?;
        Ok(PublicKey {
            key_id: KeyId(id),
            key,
        })
    }

    /// The base64 key (what `minisign -P` takes).
    pub fn to_minisign_base64(&self) -> String {
        let mut raw = Vec::with_capacity(PUBLIC_KEY_LEN);
        raw.extend_from_slice(SIG_ALG);
        raw.extend_from_slice(&self.key_id.0);
        raw.extend_from_slice(self.key.as_bytes());
        STANDARD.encode(raw)
    }

    /// The public key file, as `minisign -G` writes it.
    pub fn to_minisign_file(&self) -> String {
        format!(
            "{UNTRUSTED}minisign public key {}\n{}\n",
            self.key_id,
            self.to_minisign_base64()
        )
    }
}

/// scrypt cost limits stored in an encrypted secret key (libsodium's
/// `crypto_pwhash_scryptsalsa208sha256` opslimit and memlimit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfLimits {
    pub opslimit: u64,
    pub memlimit: u64,
}

impl KdfLimits {
    /// minisign's defaults (libsodium's `_SENSITIVE` limits): scrypt N=2^20, r=8, p=1, 1 GiB.
    pub const MINISIGN: KdfLimits = KdfLimits {
        opslimit: 33_554_432,
        memlimit: 1_073_741_824,
    };

    /// (log2 N, r, p) as libsodium picks them (`pickparams` in its scrypt code).
    pub fn scrypt_params(self) -> (u8, u32, u64) {
        let opslimit = self.opslimit.max(32_768);
        let r: u64 = 8;
        let first_above = |max_n: u64| -> u8 {
            let mut log_n = 1u8;
            while log_n < 63 && (1u64 << log_n) <= max_n / 2 {
                log_n += 1;
            }
            log_n
        };
        if opslimit < self.memlimit / 32 {
            (first_above(opslimit / (r * 4)), 8, 1)
        } else {
            let log_n = first_above(self.memlimit / (r * 128));
            let maxrp = ((opslimit / 4) >> log_n).min(0x3fff_ffff);
            (log_n, 8, maxrp / r)
        }
    }

    fn derive(self, password: &[u8], salt: &[u8]) -> Result<Zeroizing<Vec<u8>>, MinisignError> {
        let (log_n, r, p) = self.scrypt_params();
        let too_high = MinisignError::KdfLimits {
            opslimit: self.opslimit,
            memlimit: self.memlimit,
        };
        // 128 * r * N bytes of memory; p sequential passes.
        if log_n > 21 || p > 16 {
            return Err(too_high);
        }
        let p = u32::try_from(p.max(1)).map_err(|_| too_high)?;
        let params = scrypt::Params::new(log_n, r, p, 32)
            .map_err(|e| MinisignError::Kdf(format!("scrypt parameters: {e}")))?;
        let mut out = Zeroizing::new(vec![0u8; SECRET_PAYLOAD_LEN]);
        scrypt::scrypt(password, salt, &params, &mut out)
            .map_err(|e| MinisignError::Kdf(e.to_string()))?;
        Ok(out)
    }
}

fn checksum(key_id: &[u8], keypair: &[u8]) -> [u8; 32] {
    let mut h = Blake2b::<U32>::new();
    h.update(SIG_ALG);
    h.update(key_id);
    h.update(keypair);
    h.finalize().into()
}

/// Whether a minisign secret key file is password-protected (`None` if it cannot tell).
pub fn secret_key_is_encrypted(text: &str) -> Option<bool> {
    let lines = lines(text);
    let (_, b) = lines.iter().find(|(_, l)| !l.starts_with(UNTRUSTED))?;
    let raw = STANDARD.decode(b.trim()).ok()?;
    let kdf = raw.get(2..4)?;
    Some(kdf == KDF_SCRYPT)
}

impl SecretKey {
    /// Reads a minisign secret key file. `password` is needed if it is encrypted.
    pub fn from_minisign(text: &str, password: Option<&[u8]>) -> Result<SecretKey, MinisignError> {
        let (line, b) = comment_then_base64(text, "secret key", "the base64 secret key", false)?;
        let mut raw = b64_secret(line, b)?;
        if raw.len() != SECRET_KEY_LEN {
            return Err(MinisignError::Length {
                line,
                what: "secret key",
                expected: SECRET_KEY_LEN,
                found: raw.len(),
            });
        }
        if &raw[0..2] != SIG_ALG {
            return Err(MinisignError::Algorithm {
                line,
                what: "secret key",
                found: alg_name(&raw[0..2]),
                expected: "\"Ed\"",
            });
        }
        if &raw[4..6] != CHK_BLAKE2B {
            return Err(MinisignError::Algorithm {
                line,
                what: "secret key's checksum",
                found: alg_name(&raw[4..6]),
                expected: "\"B2\"",
            });
        }
        let encrypted = match &raw[2..4] {
            k if k == KDF_SCRYPT => true,
            k if k == KDF_NONE => false,
            k => {
                return Err(MinisignError::Algorithm {
                    line,
                    what: "secret key's key derivation",
                    found: alg_name(k),
                    expected: "\"Sc\" (scrypt) or none",
                })
            }
        };
        if encrypted {
            let password = password.ok_or(MinisignError::PasswordRequired)?;
            let mut ops = [0u8; 8];
            let mut mem = [0u8; 8];
            ops.copy_from_slice(&raw[38..46]);
            mem.copy_from_slice(&raw[46..54]);
            let limits = KdfLimits {
                opslimit: u64::from_le_bytes(ops),
                memlimit: u64::from_le_bytes(mem),
            };
            let stream = limits.derive(password, &raw[6..38])?;
            for (b, s) in raw[SECRET_HEADER_LEN..].iter_mut().zip(stream.iter()) {
                *b ^= s;
            }
        }
        let payload = &raw[SECRET_HEADER_LEN..];
        let (id, rest) = payload.split_at(8);
        let (keypair, chk) = rest.split_at(64);
        let expected = checksum(id, keypair);
        // minisign -W (unencrypted) leaves the checksum zeroed.
        let unchecked = !encrypted && chk.iter().all(|&b| b == 0);
        if expected.as_slice() != chk && !unchecked {
            return Err(if encrypted {
                MinisignError::WrongPassword
            } else {
                MinisignError::BadChecksum
            });
        }
        let mut kp = Zeroizing::new([0u8; 64]);
        kp.copy_from_slice(keypair);
        let signing =
            SigningKey::from_keypair_bytes(&kp).map_err(|_| MinisignError::KeyMismatch)?;
        let mut key_id = [0u8; 8];
        key_id.copy_from_slice(id);
        Ok(SecretKey::from_signing_key(KeyId(key_id), signing))
    }

    /// The secret key file, encrypted with `password` under `limits` (minisign's own
    /// defaults are [`KdfLimits::MINISIGN`]), or unencrypted when `password` is `None`.
    /// The result holds the key: it is zeroized when dropped.
    pub fn to_minisign(
        &self,
        password: Option<(&[u8], KdfLimits)>,
    ) -> Result<Zeroizing<String>, MinisignError> {
        let mut raw = Zeroizing::new(Vec::with_capacity(SECRET_KEY_LEN));
        raw.extend_from_slice(SIG_ALG);
        raw.extend_from_slice(if password.is_some() {
            KDF_SCRYPT
        } else {
            KDF_NONE
        });
        raw.extend_from_slice(CHK_BLAKE2B);
        let mut salt = [0u8; 32];
        let limits = match password {
            Some((_, limits)) => {
                getrandom::fill(&mut salt)
                    .map_err(|e| MinisignError::Sign(SignError::Random(e.to_string())))?;
                limits
            }
            None => KdfLimits {
                opslimit: 0,
                memlimit: 0,
            },
        };
        raw.extend_from_slice(&salt);
        raw.extend_from_slice(&limits.opslimit.to_le_bytes());
        raw.extend_from_slice(&limits.memlimit.to_le_bytes());
        let id = self.key_id().0;
        let kp = self.keypair_bytes();
        raw.extend_from_slice(&id);
        raw.extend_from_slice(kp.as_slice());
        raw.extend_from_slice(&checksum(&id, kp.as_slice()));
        if let Some((password, limits)) = password {
            let stream = limits.derive(password, &salt)?;
            for (b, s) in raw[SECRET_HEADER_LEN..].iter_mut().zip(stream.iter()) {
                *b ^= s;
            }
        }
        let comment = if password.is_some() {
            "minisign encrypted secret key"
        } else {
            "minisign secret key (unencrypted)"
        };
        let mut out = Zeroizing::new(String::with_capacity(256));
        out.push_str(UNTRUSTED);
        out.push_str(comment);
        out.push('\n');
        STANDARD.encode_string(raw.as_slice(), &mut out);
        out.push('\n');
        Ok(out)
    }
}

/// Which kind of minisign signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    /// `ED`: Ed25519 over BLAKE2b-512 of the file.
    Prehashed,
    /// `Ed`: Ed25519 over the file (verify only).
    Legacy,
}

/// A parsed `.minisig` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinisignSignature {
    pub untrusted_comment: String,
    pub algorithm: SignatureAlgorithm,
    pub key_id: KeyId,
    pub signature: [u8; 64],
    pub trusted_comment: String,
    pub global_signature: [u8; 64],
}

fn check_comment(line: usize, c: &str) -> Result<(), MinisignError> {
    if c.len() > TRUSTED_COMMENT_MAX {
        return Err(MinisignError::TrustedComment {
            line,
            problem: format!(
                "is {} bytes long, longer than minisign's limit of {TRUSTED_COMMENT_MAX}",
                c.len()
            ),
        });
    }
    if c.contains(['\n', '\r']) {
        return Err(MinisignError::TrustedComment {
            line,
            problem: "contains a line break".into(),
        });
    }
    Ok(())
}

impl MinisignSignature {
    pub fn parse(text: &str) -> Result<MinisignSignature, MinisignError> {
        let lines = lines(text);
        let get = |i: usize, expected: &'static str| -> Result<&str, MinisignError> {
            lines
                .get(i)
                .map(|(_, l)| *l)
                .ok_or(MinisignError::MissingLine {
                    line: i + 1,
                    expected,
                })
        };
        if lines.is_empty() {
            return Err(MinisignError::Empty);
        }
        let untrusted = get(0, "an `untrusted comment:` line")?
            .strip_prefix(UNTRUSTED)
            .ok_or(MinisignError::MissingPrefix {
                line: 1,
                expected: UNTRUSTED,
            })?;
        let raw = b64(2, "signature", get(1, "the base64 signature")?)?;
        if raw.len() != SIGNATURE_LEN {
            return Err(MinisignError::Length {
                line: 2,
                what: "signature",
                expected: SIGNATURE_LEN,
                found: raw.len(),
            });
        }
        let algorithm = match &raw[..2] {
            a if a == SIG_ALG_PREHASHED => SignatureAlgorithm::Prehashed,
            a if a == SIG_ALG => SignatureAlgorithm::Legacy,
            a => {
                return Err(MinisignError::Algorithm {
                    line: 2,
                    what: "signature",
                    found: alg_name(a),
                    expected: "\"ED\" (prehashed) or \"Ed\" (legacy)",
                })
            }
        };
        let mut key_id = [0u8; 8];
        key_id.copy_from_slice(&raw[2..10]);
        let mut signature = [0u8; 64];
        signature.copy_from_slice(&raw[10..74]);
        let trusted = get(2, "a `trusted comment:` line")?
            .strip_prefix(TRUSTED)
            .ok_or(MinisignError::MissingPrefix {
                line: 3,
                expected: TRUSTED,
            })?;
        check_comment(3, trusted)?;
        let global = b64(
            4,
            "trusted comment's signature",
            get(3, "the base64 trusted comment signature")?,
        )?;
        let global_signature: [u8; 64] =
            global
                .as_slice()
                .try_into()
                .map_err(|_| MinisignError::Length {
                    line: 4,
                    what: "trusted comment's signature",
                    expected: 64,
                    found: global.len(),
                })?;
        if lines.len() > 4 {
            return Err(MinisignError::Trailing {
                line: 5,
                what: "signature",
                extra: lines.len() - 4,
            });
        }
        Ok(MinisignSignature {
            untrusted_comment: untrusted.to_owned(),
            algorithm,
            key_id: KeyId(key_id),
            signature,
            trusted_comment: trusted.to_owned(),
            global_signature,
        })
    }

    /// The `.minisig` file text.
    pub fn to_file_string(&self) -> String {
        let mut raw = Vec::with_capacity(SIGNATURE_LEN);
        raw.extend_from_slice(match self.algorithm {
            SignatureAlgorithm::Prehashed => SIG_ALG_PREHASHED,
            SignatureAlgorithm::Legacy => SIG_ALG,
        });
        raw.extend_from_slice(&self.key_id.0);
        raw.extend_from_slice(&self.signature);
        format!(
            "{UNTRUSTED}{}\n{}\n{TRUSTED}{}\n{}\n",
            self.untrusted_comment,
            STANDARD.encode(raw),
            self.trusted_comment,
            STANDARD.encode(self.global_signature)
        )
    }

    /// Signs the BLAKE2b-512 `digest` of a file (see [`prehash`] and [`Prehasher`]).
    pub fn sign_prehashed(
        key: &SecretKey,
        digest: &[u8; 64],
        trusted_comment: &str,
        untrusted_comment: &str,
    ) -> Result<MinisignSignature, MinisignError> {
        check_comment(3, trusted_comment)?;
        if untrusted_comment.contains(['\n', '\r']) {
            return Err(MinisignError::TrustedComment {
                line: 1,
                problem: "(untrusted) contains a line break".into(),
            });
        }
        let signature = key.sign(Protocol::Minisign, digest)?;
        let mut global_msg = Vec::with_capacity(64 + trusted_comment.len());
        global_msg.extend_from_slice(&signature);
        global_msg.extend_from_slice(trusted_comment.as_bytes());
        let global_signature = key.sign(Protocol::Minisign, &global_msg)?;
        Ok(MinisignSignature {
            untrusted_comment: untrusted_comment.to_owned(),
            algorithm: SignatureAlgorithm::Prehashed,
            key_id: key.key_id(),
            signature,
            trusted_comment: trusted_comment.to_owned(),
            global_signature,
        })
    }

    fn check_key_and_comment(&self, key: &PublicKey) -> Result<(), MinisignError> {
        if self.key_id != key.key_id {
            return Err(MinisignError::KeyIdMismatch {
                signature: self.key_id,
                key: key.key_id,
            });
        }
        Ok(())
    }

    fn check_global(&self, key: &PublicKey) -> Result<(), MinisignError> {
        let mut msg = Vec::with_capacity(64 + self.trusted_comment.len());
        msg.extend_from_slice(&self.signature);
        msg.extend_from_slice(self.trusted_comment.as_bytes());
        key.key
            .verify_strict(&msg, &Signature::from_bytes(&self.global_signature))
            .map_err(|_| MinisignError::BadCommentSignature { key_id: key.key_id })
    }

    /// Verifies a prehashed signature given the file's BLAKE2b-512 digest, then the
    /// trusted comment. A legacy signature needs the whole file: use [`Self::verify`].
    pub fn verify_prehashed(
        &self,
        key: &PublicKey,
        digest: &[u8; 64],
    ) -> Result<(), MinisignError> {
        self.check_key_and_comment(key)?;
        if self.algorithm == SignatureAlgorithm::Legacy {
            return Err(MinisignError::LegacyNeedsMessage);
        }
        key.key
            .verify_strict(digest, &Signature::from_bytes(&self.signature))
            .map_err(|_| MinisignError::BadSignature { key_id: key.key_id })?;
        self.check_global(key)
    }

    /// Verifies the signature of `message` (either algorithm), then the trusted comment.
    pub fn verify(&self, key: &PublicKey, message: &[u8]) -> Result<(), MinisignError> {
        match self.algorithm {
            SignatureAlgorithm::Prehashed => self.verify_prehashed(key, &prehash(message)),
            SignatureAlgorithm::Legacy => {
                self.check_key_and_comment(key)?;
                key.key
                    .verify_strict(message, &Signature::from_bytes(&self.signature))
                    .map_err(|_| MinisignError::BadSignature { key_id: key.key_id })?;
                self.check_global(key)
            }
        }
    }
}

/// A trusted comment read as tab-separated `key:value` fields, the form minisign itself
/// writes (`timestamp:1700000000\tfile:SHA256SUMS\thashed`). A field without a colon
/// (minisign's `hashed`) has an empty value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrustedComment {
    pub fields: Vec<(String, String)>,
}

impl TrustedComment {
    pub fn parse(text: &str) -> TrustedComment {
        TrustedComment {
            fields: text
                .split('\t')
                .filter(|f| !f.is_empty())
                .map(|f| match f.split_once(':') {
                    Some((k, v)) => (k.to_owned(), v.to_owned()),
                    None => (f.to_owned(), String::new()),
                })
                .collect(),
        }
    }

    /// The first value for `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn push(&mut self, key: &str, value: &str) -> &mut Self {
        self.fields.push((key.to_owned(), value.to_owned()));
        self
    }
}

impl fmt::Display for TrustedComment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (k, v)) in self.fields.iter().enumerate() {
            if i > 0 {
                f.write_str("\t")?;
            }
            if v.is_empty() {
                f.write_str(k)?;
            } else {
                write!(f, "{k}:{v}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Made by minisign 0.11 (`minisign -G -W`, then `minisign -S -m f` over "hello\n").
    const PUB: &str = "untrusted comment: minisign public key 70BE878C31E3C82\nRWSCPB7DeOgLB95aFyGsshhNTWJNx41A8DRBq+3f3MJoa6glGxqe2ICK\n";
    const KEY: &str = "untrusted comment: minisign encrypted secret key\nRWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgjwew3joCwemrQd1Qu13qppYQAGcVh2DaUXOVXGy93XCXBd16v75M95aFyGsshhNTWJNx41A8DRBq+3f3MJoa6glGxqe2ICKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
    const SIG: &str = "untrusted comment: signature from minisign secret key\nRUSCPB7DeOgLB3niLUM7bQZ6fx49r4LP6mqqis1k5qihVnAtNTRSy4d4aiIxB0ZWVCIp3uZVNldHKr8zw4d19g+5wt1XJA3gjgw=\ntrusted comment: timestamp:1795726458\tfile:f\thashed\nVMyPJREI5dyheriC6VqEai/0Bj4tE5jyeeudo8UmrrvYrpxkN8x3ANaJU2gxWi30X4k3VQ56dwpuWfd01HSfDg==\n";

    fn low() -> KdfLimits {
        KdfLimits {
            opslimit: 32_768,
            memlimit: 16 << 20,
        }
    }

    #[test]
    fn reads_minisign_files() {
        let pk = PublicKey::from_minisign(PUB).unwrap();
        assert_eq!(pk.key_id.to_string(), "070BE878C31E3C82");
        let sk = SecretKey::from_minisign(KEY, None).unwrap();
        assert_eq!(sk.public_key(), pk);
        let sig = MinisignSignature::parse(SIG).unwrap();
        assert_eq!(sig.algorithm, SignatureAlgorithm::Prehashed);
        sig.verify(&pk, b"hello\n").unwrap();
        assert!(matches!(
            sig.verify(&pk, b"hello!\n"),
            Err(MinisignError::BadSignature { .. })
        ));
        assert_eq!(sig.to_file_string(), SIG);
        let tc = TrustedComment::parse(&sig.trusted_comment);
        assert_eq!(tc.get("file"), Some("f"));
        assert_eq!(tc.get("hashed"), Some(""));
        assert_eq!(tc.to_string(), sig.trusted_comment);
        // bare base64 (minisign -P)
        assert_eq!(
            PublicKey::from_minisign("RWSCPB7DeOgLB95aFyGsshhNTWJNx41A8DRBq+3f3MJoa6glGxqe2ICK")
                .unwrap(),
            pk
        );
    }

    #[test]
    fn sign_verify_round_trip_and_tampering() {
        let sk = SecretKey::generate().unwrap();
        let pk = sk.public_key();
        let d = prehash(b"data");
        let sig = MinisignSignature::sign_prehashed(&sk, &d, "timestamp:1\tfile:x", "u").unwrap();
        let text = sig.to_file_string();
        let back = MinisignSignature::parse(&text).unwrap();
        back.verify_prehashed(&pk, &d).unwrap();
        let mut changed = back.clone();
        changed.trusted_comment = "timestamp:2\tfile:x".into();
        assert!(matches!(
            changed.verify_prehashed(&pk, &d),
            Err(MinisignError::BadCommentSignature { .. })
        ));
        let mut changed = back.clone();
        changed.signature[5] ^= 1;
        assert!(matches!(
            changed.verify_prehashed(&pk, &d),
            Err(MinisignError::BadSignature { .. })
        ));
        let other = SecretKey::generate().unwrap().public_key();
        assert!(matches!(
            back.verify_prehashed(&other, &d),
            Err(MinisignError::KeyIdMismatch { .. })
        ));
        // same id, different key
        let same_id = PublicKey {
            key_id: pk.key_id,
            key: other.key,
        };
        assert!(matches!(
            back.verify_prehashed(&same_id, &d),
            Err(MinisignError::BadSignature { .. })
        ));
        assert!(MinisignSignature::sign_prehashed(&sk, &d, "a\nb", "").is_err());
    }

    #[test]
    fn secret_key_files_round_trip() {
        let sk = SecretKey::generate().unwrap();
        let plain = sk.to_minisign(None).unwrap();
        assert_eq!(secret_key_is_encrypted(&plain), Some(false));
        assert_eq!(
            SecretKey::from_minisign(&plain, None).unwrap().public_key(),
            sk.public_key()
        );
        let enc = sk.to_minisign(Some((b"pw", low()))).unwrap();
        assert_eq!(secret_key_is_encrypted(&enc), Some(true));
        assert!(matches!(
            SecretKey::from_minisign(&enc, None),
            Err(MinisignError::PasswordRequired)
        ));
        assert!(matches!(
            SecretKey::from_minisign(&enc, Some(b"wrong")),
            Err(MinisignError::WrongPassword)
        ));
        assert_eq!(
            SecretKey::from_minisign(&enc, Some(b"pw"))
                .unwrap()
                .public_key(),
            sk.public_key()
        );
    }

    #[test]
    fn pickparams_matches_libsodium() {
        assert_eq!(KdfLimits::MINISIGN.scrypt_params(), (20, 8, 1));
        assert_eq!(low().scrypt_params(), (10, 8, 1));
    }

    #[test]
    fn malformed_inputs_get_precise_errors() {
        let e = |r: Result<PublicKey, MinisignError>| r.unwrap_err().to_string();
        assert!(e(PublicKey::from_minisign("")).contains("empty"));
        assert!(e(PublicKey::from_minisign("untrusted comment: x\n")).contains("line 2: missing"));
        let m = e(PublicKey::from_minisign("untrusted comment: x\nRWSC!!!\n"));
        assert!(m.contains("line 2") && m.contains("base64"), "{m}");
        let m = e(PublicKey::from_minisign(
            "untrusted comment: x\nRWSCPB7DeOgLB95aFyGsshhNTWJNx41A8DRBq+3f3MJoa6glGxqe\n",
        ));
        assert!(
            m.contains("line 2") && m.contains("39 bytes, expected 42"),
            "{m}"
        );
        // wrong algorithm id: "Xd"
        let mut raw = STANDARD
            .decode("RWSCPB7DeOgLB95aFyGsshhNTWJNx41A8DRBq+3f3MJoa6glGxqe2ICK")
            .unwrap();
        raw[0] = b'X';
        let m = e(PublicKey::from_minisign(&STANDARD.encode(&raw)));
        assert!(m.contains("algorithm id \"Xd\""), "{m}");

        let s = |t: &str| MinisignSignature::parse(t).unwrap_err().to_string();
        let lines: Vec<&str> = SIG.lines().collect();
        assert!(s(&lines[..3].join("\n")).contains("line 4: missing"));
        assert!(s(&lines[..1].join("\n")).contains("line 2: missing"));
        let bad_alg = SIG.replacen("RUSC", "RXSC", 1);
        assert!(s(&bad_alg).contains("algorithm id"), "{}", s(&bad_alg));
        let truncated = SIG.replacen("wt1XJA3gjgw=", "wt1XJA3g", 1);
        let m = s(&truncated);
        assert!(m.contains("line 2") && m.contains("expected 74"), "{m}");
        let no_tc = SIG.replacen("\ntrusted comment: ", "\ntrusted: ", 1);
        assert!(s(&no_tc).contains("line 3"), "{}", s(&no_tc));

        let k = |t: &str, pw: Option<&[u8]>| {
            SecretKey::from_minisign(t, pw)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        let edit = |at: usize, v: u8| {
            let mut raw = STANDARD.decode(KEY.lines().nth(1).unwrap()).unwrap();
            raw[at] = v;
            format!("untrusted comment: x\n{}\n", STANDARD.encode(&raw))
        };
        let m = k(&edit(5, b'3'), None);
        assert!(m.contains("checksum") && m.contains("\"B3\""), "{m}");
        let m = k(&edit(2, b'X'), None);
        assert!(m.contains("key derivation"), "{m}");
        // a changed key id fails the checksum: wrong key id inside the file
        let sk = SecretKey::generate().unwrap();
        let plain = sk.to_minisign(None).unwrap();
        let mut raw = STANDARD.decode(plain.lines().nth(1).unwrap()).unwrap();
        raw[SECRET_HEADER_LEN] ^= 1;
        let m = k(
            &format!("untrusted comment: x\n{}\n", STANDARD.encode(&raw)),
            None,
        );
        assert!(m.contains("fails its checksum"), "{m}");
        let m = k(&KEY[..120], None);
        assert!(m.contains("base64") || m.contains("bytes"), "{m}");
        let m = k("untrusted comment: x\n", None);
        assert!(m.contains("line 2: missing"), "{m}");
    }

    #[test]
    fn absurd_kdf_limits_are_refused_without_running() {
        let sk = SecretKey::generate().unwrap();
        let enc = sk.to_minisign(Some((b"pw", low()))).unwrap();
        let mut raw = STANDARD.decode(enc.lines().nth(1).unwrap()).unwrap();
        raw[46..54].copy_from_slice(&(1u64 << 50).to_le_bytes());
        raw[38..46].copy_from_slice(&(1u64 << 50).to_le_bytes());
        let text = format!("untrusted comment: x\n{}\n", STANDARD.encode(&raw));
        assert!(matches!(
            SecretKey::from_minisign(&text, Some(b"pw")),
            Err(MinisignError::KdfLimits { .. })
        ));
    }
}
