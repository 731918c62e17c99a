//! minisign signatures (`.minisig` files): prehashed `ED` (Ed25519 over the BLAKE2b-512
//! of the file, what minisign ≥ 0.11 writes) and legacy `Ed` (Ed25519 over the file
//! itself, verify only), each with a trusted comment signed by a second, "global"
//! signature over the signature and the comment; and the trusted comment's
//! `key:value` fields ([`TrustedComment`]).
//!
//! ```text
//! signature   "ED" or "Ed" || key_id[8] || ed25519_sig[64]
//!             then "trusted comment: <text>" and base64(ed25519_sig(sig[64] || text))
//! ```
use std::fmt;

use base64::{engine::general_purpose::STANDARD, Engine as _};
use blake2::{Blake2b512, Digest};
use ed25519_dalek::Signature;

use crate::{
    keys::{KeyId, Protocol, PublicKey, SecretKey},
    minisign::{
        error::MinisignError,
        text::{alg_name, b64, lines, SIG_ALG, UNTRUSTED},
    },
};

const SIG_ALG_PREHASHED: &[u8; 2] = b"ED";
const TRUSTED: &str = "trusted comment: ";
/// minisign's limit on a trusted comment.
pub const TRUSTED_COMMENT_MAX: usize = 8192;
const SIGNATURE_LEN: usize = 2 + 8 + 64;

/// The incremental hasher for prehashed (`ED`) signatures.
pub type Prehasher = Blake2b512;

/// BLAKE2b-512 of `msg`: what a prehashed signature signs.
pub fn prehash(msg: &[u8]) -> [u8; 64] {
    Prehasher::digest(msg).into()
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

    /// Checks that the signature is by `key` and that `key` signed its trusted comment,
    /// without the signed file: whose signature it is, not what it covers.
    pub fn verify_comment(&self, key: &PublicKey) -> Result<(), MinisignError> {
        self.check_key_and_comment(key)?;
        self.check_global(key)
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
    use crate::minisign::testdata::{PUB, SIG};

    #[test]
    fn reads_minisign_signatures() {
        let pk = PublicKey::from_minisign(PUB).unwrap();
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
    fn malformed_signatures_get_precise_errors() {
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
    }
}
