//! minisign public keys: the file `minisign -G` writes (an `untrusted comment:` line,
//! then the base64 key) and the bare base64 key `minisign -P` takes.
//!
//! ```text
//! public key  "Ed" || key_id[8] || ed25519_pk[32]
//! ```
use base64::{engine::general_purpose::STANDARD, Engine as _};
use ed25519_dalek::VerifyingKey;

use crate::{
    keys::{KeyId, PublicKey},
    minisign::{
        error::MinisignError,
        text::{alg_name, b64, comment_then_base64, SIG_ALG, UNTRUSTED},
    },
};

const PUBLIC_KEY_LEN: usize = 2 + 8 + 32;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minisign::testdata::PUB;

    #[test]
    fn reads_minisign_public_keys() {
        let pk = PublicKey::from_minisign(PUB).unwrap();
        assert_eq!(pk.key_id.to_string(), "070BE878C31E3C82");
        // bare base64 (minisign -P)
        assert_eq!(
            PublicKey::from_minisign("RWSCPB7DeOgLB95aFyGsshhNTWJNx41A8DRBq+3f3MJoa6glGxqe2ICK")
                .unwrap(),
            pk
        );
    }

    #[test]
    fn malformed_public_keys_get_precise_errors() {
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
    }
}
