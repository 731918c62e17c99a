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
//!
//! One file each; the three format files use `text` and `error`, never each other, and
//! this file only declares them and re-exports what they make public:
//!
//! - `public_key`: [`PublicKey::from_minisign`] and the file and base64 forms;
//! - `secret_key`: [`SecretKey::from_minisign`], [`SecretKey::to_minisign`],
//!   [`KdfLimits`], [`secret_key_is_encrypted`];
//! - `signature`: [`MinisignSignature`], [`TrustedComment`], [`prehash`];
//! - `text` (the comment and base64 lines they all have) and `error` ([`MinisignError`]).
//!
//! [`PublicKey::from_minisign`]: crate::PublicKey::from_minisign
//! [`SecretKey::from_minisign`]: crate::SecretKey::from_minisign
//! [`SecretKey::to_minisign`]: crate::SecretKey::to_minisign
mod error;
mod public_key;
mod secret_key;
mod signature;
#[cfg(test)]
mod testdata;
mod text;

pub use error::MinisignError;
pub use secret_key::{secret_key_is_encrypted, KdfLimits};
pub use signature::{
    prehash, MinisignSignature, Prehasher, SignatureAlgorithm, TrustedComment, TRUSTED_COMMENT_MAX,
};
