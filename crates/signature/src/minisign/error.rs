//! [`MinisignError`]: what is wrong with a minisign key or signature, or why one does
//! not verify. Shared by the public key, secret key and signature files.
use crate::keys::{KeyId, SignError};

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
    #[error("line {line}: {}", length_message(what, *found, *expected))]
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

/// A wrong length, saying what the bytes are instead when their length tells (a public
/// key given where a secret key is expected is the common mistake).
fn length_message(what: &str, found: usize, expected: usize) -> String {
    let is = match found {
        42 => Some("public key"),
        74 => Some("signature"),
        158 => Some("secret key"),
        _ => None,
    };
    match is {
        Some(is) if is != what => format!(
            "this is a minisign {is}, not a {what} (its base64 decodes to {found} bytes, a {what}'s to {expected})"
        ),
        _ => format!("the {what} decodes to {found} bytes, expected {expected}"),
    }
}
