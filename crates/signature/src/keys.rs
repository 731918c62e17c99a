//! vigil's signing key: one Ed25519 key pair with minisign's 8-byte key id.
//!
//! The same key signs in three protocols (minisign, SSHSIG and DSSE). Each protocol
//! signs a byte string of its own shape, and [`SecretKey`] refuses to sign bytes in one
//! protocol that have the shape of another's (see [`Protocol`]), so a signature made
//! for one can never be replayed as a valid signature in another.
//!
//! [`SecretKey`] has no `Debug` or `Display`, and its bytes are zeroized on drop
//! (ed25519-dalek's `SigningKey` is `ZeroizeOnDrop`).
use std::fmt;

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

/// The prefix of every byte string that SSHSIG signs (PROTOCOL.sshsig).
pub const SSHSIG_PREFIX: &[u8] = b"SSHSIG";
/// The prefix of every byte string that DSSE signs (its pre-authentication encoding).
pub const DSSE_PREFIX: &[u8] = b"DSSEv1 ";

/// minisign's key id: 8 random bytes chosen at key generation, stored in the public
/// key, the secret key and every signature. Shown as minisign shows it: the bytes read
/// as a little-endian integer, in upper-case hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId(pub [u8; 8]);

impl KeyId {
    /// Accepts the hex form with or without leading zeros (minisign prints none).
    pub fn parse_hex(s: &str) -> Option<KeyId> {
        let s = s.trim();
        if s.is_empty() || s.len() > 16 {
            return None;
        }
        let n = u64::from_str_radix(s, 16).ok()?;
        Some(KeyId(n.to_le_bytes()))
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016X}", u64::from_le_bytes(self.0))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// The public half: what verifiers are given.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub key_id: KeyId,
    pub key: VerifyingKey,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey(minisign key id {})", self.key_id)
    }
}

/// The protocol a signature is made for; each signs bytes of its own shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// minisign's signature over a BLAKE2b-512 digest, and its global signature over
    /// the signature and trusted comment. Must not look like SSHSIG or DSSE data.
    Minisign,
    /// Must begin with `SSHSIG`.
    Sshsig,
    /// Must begin with `DSSEv1 `.
    Dsse,
}

/// Refused signing requests.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error(
        "refusing to sign a {protocol:?} payload that begins with {prefix:?}: it could be taken for {other} signed data (one key, several protocols: see \"One key per purpose\" in docs/signing-releases.md)"
    )]
    ConfusablePayload {
        protocol: Protocol,
        prefix: String,
        other: &'static str,
    },
    #[error("internal error: a {protocol:?} payload must begin with {expected:?}")]
    WrongShape {
        protocol: Protocol,
        expected: String,
    },
    #[error("cannot read random bytes from the operating system: {0}")]
    Random(String),
}

/// The secret half. No `Debug`, no `Display`, no `Clone`: it cannot print itself or be
/// copied by accident, and its bytes are zeroized when it is dropped.
pub struct SecretKey {
    key_id: KeyId,
    key: SigningKey,
}

impl SecretKey {
    /// A new random key pair (and a random key id).
    pub fn generate() -> Result<SecretKey, SignError> {
        let mut seed = Zeroizing::new([0u8; 32]);
        let mut id = [0u8; 8];
        getrandom::fill(seed.as_mut_slice()).map_err(|e| SignError::Random(e.to_string()))?;
        getrandom::fill(&mut id).map_err(|e| SignError::Random(e.to_string()))?;
        Ok(SecretKey::from_seed(KeyId(id), &seed))
    }

    /// The key with this 32-byte Ed25519 seed.
    pub fn from_seed(key_id: KeyId, seed: &[u8; 32]) -> SecretKey {
        SecretKey {
            key_id,
            key: SigningKey::from_bytes(seed),
        }
    }

    pub(crate) fn from_signing_key(key_id: KeyId, key: SigningKey) -> SecretKey {
        SecretKey { key_id, key }
    }

    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            key_id: self.key_id,
            key: self.key.verifying_key(),
        }
    }

    /// The 64-byte libsodium form (seed then public key), for writing key files.
    pub(crate) fn keypair_bytes(&self) -> Zeroizing<[u8; 64]> {
        Zeroizing::new(self.key.to_keypair_bytes())
    }

    /// Signs `msg` for `protocol`, after checking that it has that protocol's shape and
    /// no other's.
    pub fn sign(&self, protocol: Protocol, msg: &[u8]) -> Result<[u8; 64], SignError> {
        check_payload(protocol, msg)?;
        Ok(self.key.sign(msg).to_bytes())
    }
}

/// The key-hygiene rule: each protocol's signed bytes have a shape no other protocol's can have.
pub fn check_payload(protocol: Protocol, msg: &[u8]) -> Result<(), SignError> {
    let confusable = |prefix: &[u8], other: &'static str| SignError::ConfusablePayload {
        protocol,
        prefix: String::from_utf8_lossy(prefix).into_owned(),
        other,
    };
    match protocol {
        Protocol::Minisign => {
            if msg.starts_with(SSHSIG_PREFIX) {
                return Err(confusable(SSHSIG_PREFIX, "SSHSIG"));
            }
            if msg.starts_with(DSSE_PREFIX) {
                return Err(confusable(DSSE_PREFIX, "DSSE"));
            }
        }
        Protocol::Sshsig => {
            if !msg.starts_with(SSHSIG_PREFIX) {
                return Err(SignError::WrongShape {
                    protocol,
                    expected: "SSHSIG".into(),
                });
            }
        }
        Protocol::Dsse => {
            if !msg.starts_with(DSSE_PREFIX) {
                return Err(SignError::WrongShape {
                    protocol,
                    expected: "DSSEv1 ".into(),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_id_shows_like_minisign() {
        let id = KeyId([0x82, 0x3c, 0x1e, 0xc3, 0x78, 0xe8, 0x0b, 0x07]);
        assert_eq!(id.to_string(), "070BE878C31E3C82");
        assert_eq!(KeyId::parse_hex("70BE878C31E3C82"), Some(id));
        assert_eq!(KeyId::parse_hex("070be878c31e3c82"), Some(id));
        assert_eq!(KeyId::parse_hex("xyz"), None);
        assert_eq!(KeyId::parse_hex("00070BE878C31E3C82"), None);
    }

    #[test]
    fn refuses_confusable_payloads() {
        let sk = SecretKey::from_seed(KeyId([1; 8]), &[7; 32]);
        assert!(matches!(
            sk.sign(Protocol::Minisign, b"SSHSIG\0\0\0\x04file"),
            Err(SignError::ConfusablePayload { .. })
        ));
        let e = sk
            .sign(
                Protocol::Minisign,
                b"DSSEv1 28 application/vnd.in-toto+json 2 {}",
            )
            .unwrap_err();
        assert!(e.to_string().contains("DSSE"), "{e}");
        assert!(sk.sign(Protocol::Sshsig, b"hello").is_err());
        assert!(sk.sign(Protocol::Dsse, b"SSHSIG").is_err());
        assert!(sk.sign(Protocol::Minisign, b"hello").is_ok());
        assert!(sk.sign(Protocol::Dsse, b"DSSEv1 1 a 0 ").is_ok());
    }

    #[test]
    fn generated_keys_differ() {
        let a = SecretKey::generate().unwrap();
        let b = SecretKey::generate().unwrap();
        assert_ne!(a.public_key(), b.public_key());
        assert_ne!(a.key_id(), b.key_id());
    }
}
